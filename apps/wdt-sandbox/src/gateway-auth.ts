import { tryParseWdtTime } from '@app/contracts';
import { openapiSign, qimenSign, type WdtParams } from '@app/wdt-client';
import { ApiAnswer, type WdtSandboxContext } from './sandbox-types';

/** Qimen's gateway refusal (in the `response` envelope). */
const gateway = (code: string, message: string, subCode: string, subMessage: string) =>
  new ApiAnswer({
    response: { flag: 'failure', code, message, sub_code: subCode, sub_message: subMessage },
  });

/** The answer refusing a call's credentials, signature or timestamp; undefined lets it through. */
export function authenticate(
  ctx: WdtSandboxContext,
  route: 'qimen' | 'openapi',
  params: WdtParams,
): ApiAnswer | undefined {
  return route === 'qimen' ? qimenDenial(ctx, params) : openapiDenial(ctx, params);
}

/** `POST /router/qm`: method, app keys, sign method, timestamp skew, md5 signature, sid. */
function qimenDenial(
  { credentials, clock, maxSkewMs }: WdtSandboxContext,
  params: WdtParams,
): ApiAnswer | undefined {
  if (params.method !== 'wdt.trade.query')
    return gateway(
      'isv.invalid-method',
      'Invalid method',
      'isv.invalid-method',
      `unknown method ${params.method ?? ''}`,
    );
  if (params.app_key !== credentials.qimenAppKey)
    return gateway('isv.appkey-not-exists', 'Invalid app key', 'isv.appkey-not-exists', 'app_key not exists');
  if (params.target_app_key !== credentials.targetAppKey)
    return gateway(
      'isv.invalid-target-app-key',
      'Invalid target app key',
      'isv.invalid-target-app-key',
      'target_app_key not bound',
    );
  if (params.sign_method !== undefined && params.sign_method !== 'md5')
    return gateway(
      'isv.invalid-signature-method',
      'Invalid sign method',
      'isv.invalid-signature-method',
      'only md5',
    );
  const at = tryParseWdtTime(params.timestamp);
  if (at === undefined || Math.abs(at - clock()) > maxSkewMs)
    return gateway(
      'invalid-timestamp',
      'Invalid timestamp',
      'invalid-timestamp',
      'timestamp is missing or more than 5 minutes away',
    );
  if (!params.sign || params.sign.toUpperCase() !== qimenSign(params, credentials.qimenSecret))
    return gateway('sign-check-failure', 'Illegal request', 'sign-check-failure', 'sign error');
  if (params.sid !== credentials.sid)
    return new ApiAnswer({ response: { code: 100, message: 'sid not exists' } });
  return undefined;
}

/** The native open API: appkey, timestamp (seconds) skew, signature, sid. */
function openapiDenial(
  { credentials, clock, maxSkewMs }: WdtSandboxContext,
  params: WdtParams,
): ApiAnswer | undefined {
  const native = (message: string) => new ApiAnswer({ code: 100, message });
  if (params.appkey !== credentials.appKey) return native('appkey not exists');
  const seconds =
    params.timestamp && /^\d+$/.test(params.timestamp) ? Number(params.timestamp) * 1000 : undefined;
  if (seconds === undefined || Math.abs(seconds - clock()) > maxSkewMs) return native('timestamp expired');
  if (!params.sign || params.sign.toLowerCase() !== openapiSign(params, credentials.appSecret))
    return native('sign error');
  if (params.sid !== credentials.sid) return native('sid not exists');
  return undefined;
}
