import { FatalError, NonRetriableError, RetriableError } from '@app/contracts';
import type { ApiOutcome, SyncError } from '@app/contracts';

/**
 * Every Xingchen / Kingdee gateway code erpsync knows, and what it means for a caller, in ONE
 * table. Nobody else decides retry or discard by looking at codes or message text.
 */

export type XingchenOperation =
  /** V1: `/auth/user/access_token` (user login) */
  | 'login'
  /** V1: `/jdy/sys/accountGroup` */
  | 'account_group'
  /** V2: `push_app_authorize` (app_key / app_secret / domain of the account set) */
  | 'authorize'
  /** V2: the app-token */
  | 'token'
  | 'sal_order_save'
  | 'sal_order_list'
  | 'sal_order_detail'
  | 'customer_detail'
  | 'customer_list'
  | 'material_detail'
  | 'material_list'
  | 'store_detail'
  | 'store_list';

/** The API family an answer came from (the same union as `XingchenApiFamily` in sales-order.ts). */
type Family = 'v1' | 'v2';

type RuleKind =
  /** back off and try again */
  | 'retriable'
  /** this request will never succeed as is: a business refusal of Xingchen */
  | 'non_retriable'
  /** nothing will succeed until an operator fixes the configuration or the clock */
  | 'fatal'
  /** the token (V1 access_token, V2 app-token) is missing, unknown or expired: renew it once and repeat the call */
  | 'token'
  /** V2 token endpoint: app_signature refused (1030002006); with a pushed authorization, fetch it again once */
  | 'app_secret';

export interface ErrorRule {
  kind: RuleKind;
  /** Short fixed label: metric-safe and a DLQ header. */
  reason: string;
  outcome: ApiOutcome;
  /** The gateway is throttling: slow the bucket down. */
  throttle?: boolean;
  /** For fatal errors: what the operator should check. */
  cause?: string;
}

const fatal = (reason: string, cause: string): ErrorRule => ({
  kind: 'fatal',
  reason,
  outcome: 'auth_error',
  cause,
});
const retriable = (reason: string, throttle?: boolean): ErrorRule => ({
  kind: 'retriable',
  reason,
  outcome: throttle ? 'rate_limited' : 'server_error',
  ...(throttle ? { throttle } : {}),
});
const WRONG_FAMILY =
  'check XINGCHEN_API (v1 legacy /jdy/sal/*, v2 open platform /jdy/v2/*) and XINGCHEN_BASE_URL';

/** HTTP 519 gateway codes (KDApiGwRespStatus of Kingdee's apigwclient jar), the same for both families. */
const gatewayCodes: Record<number, ErrorRule> = {
  4001: fatal(
    'auth_type_unsupported',
    `the gateway does not support this kind of authentication: ${WRONG_FAMILY}`,
  ),
  4002: fatal('client_id_missing', 'the gateway got no client id: set XINGCHEN_CLIENT_ID'),
  4003: fatal('client_id_invalid', 'the gateway does not know XINGCHEN_CLIENT_ID'),
  4004: fatal('client_secret_missing', 'the gateway got no client secret: set XINGCHEN_CLIENT_SECRET'),
  4005: fatal(
    'client_credentials_invalid',
    'the gateway rejected XINGCHEN_CLIENT_ID / XINGCHEN_CLIENT_SECRET',
  ),
  4006: fatal(
    'clock_skew',
    "the gateway rejected X-Api-TimeStamp: this host's clock is more than 5 minutes off (check NTP)",
  ),
  4007: fatal('sign_headers_invalid', 'the gateway rejected X-Api-SignHeaders / X-Api-Auth-Version'),
  4008: fatal(
    'signature_invalid',
    'the gateway computed a different X-Api-Signature: XINGCHEN_CLIENT_SECRET is probably wrong',
  ),
  4009: { kind: 'token', reason: 'token_missing', outcome: 'auth_error' },
  4010: { kind: 'token', reason: 'token_invalid', outcome: 'auth_error' },
  4011: { kind: 'token', reason: 'token_expired', outcome: 'auth_error' },
  5000: retriable('gateway_internal_error'),
  5001: fatal('api_not_found', `the gateway has no such API: ${WRONG_FAMILY}`),
  5002: fatal('method_not_allowed', `the gateway refused the HTTP method: ${WRONG_FAMILY}`),
  5003: retriable('api_unavailable'),
  5004: retriable('api_timeout'),
  5005: retriable('request_cancelled'),
  5006: retriable('request_fused'),
  5007: retriable('overloaded', true),
};

/** 4012: who lacks the permission depends on the family's way of authenticating. */
const noPermission: Record<Family, ErrorRule> = {
  v1: fatal(
    'no_permission',
    'no permission for this API or account set: check XINGCHEN_ACCOUNT_ID and that XINGCHEN_USERNAME may use it',
  ),
  v2: fatal(
    'no_permission',
    "no permission for this API or account set: check the tenant's authorization of the app (XINGCHEN_OUTER_INSTANCE_ID) and XINGCHEN_DOMAIN",
  ),
};

/**
 * A refusal of an authentication call (HTTP 200, non-zero errcode or success false): the
 * credentials are wrong, nothing else will help. Throttled and 5xx answers are retriable as usual.
 */
const authRefusals: Partial<Record<XingchenOperation, ErrorRule>> = {
  login: fatal(
    'login_rejected',
    'the legacy login refused the credentials: check XINGCHEN_CLIENT_ID / XINGCHEN_CLIENT_SECRET / XINGCHEN_USERNAME / XINGCHEN_PASSWORD',
  ),
  account_group: fatal(
    'account_group_rejected',
    'the account-group call was refused: check XINGCHEN_USERNAME and XINGCHEN_ACCOUNT_ID',
  ),
  authorize: fatal(
    'authorize_rejected',
    'push_app_authorize refused: check XINGCHEN_OUTER_INSTANCE_ID and that the tenant authorized the app of XINGCHEN_CLIENT_ID',
  ),
  token: fatal(
    'token_rejected',
    'the token endpoint refused app_key / app_signature: check XINGCHEN_APP_KEY / XINGCHEN_APP_SECRET (or XINGCHEN_OUTER_INSTANCE_ID)',
  ),
};

/** `errcode` 1030002006 (授权密钥校验失败) of the V2 token endpoint: app_secret wrong or rotated. */
export const APP_SECRET_REJECTED = 1030002006;
const appSecretRule: ErrorRule = {
  kind: 'app_secret',
  reason: 'app_secret_invalid',
  outcome: 'auth_error',
  cause:
    'the token endpoint rejected app_signature (1030002006 授权密钥校验失败): XINGCHEN_APP_SECRET wrong or rotated (with XINGCHEN_OUTER_INSTANCE_ID: the pushed authorization was fetched again and still refused)',
};

const rateLimited = retriable('rate_limited', true);
const unauthorized: ErrorRule = { kind: 'token', reason: 'unauthorized', outcome: 'auth_error' };
const unknownGateway = retriable('gateway_error');
/** Every business refusal, whatever its code: the code stays data on the error, never a branch. */
const businessRefusal: ErrorRule = {
  kind: 'non_retriable',
  reason: 'business_error',
  outcome: 'business_error',
};
const serverError = retriable('server_error');
const badRequest: ErrorRule = { kind: 'non_retriable', reason: 'bad_request', outcome: 'business_error' };
const wrongEndpoint = fatal(
  'unexpected_http_status',
  'unexpected HTTP status from the gateway: check XINGCHEN_BASE_URL',
);
const malformed = retriable('malformed_response');

/** What is known of a failed answer. */
export interface FailedAnswer {
  /** HTTP status. */
  status: number;
  /** The 519 gateway code. */
  code?: number;
  /** HTTP 200: the family's reader found a refusal (non-zero errcode, success false, data.success false). */
  refused?: boolean;
  /** The vendor's code of a 200 refusal, if any (data only, except 1030002006 on the V2 token endpoint). */
  errcode?: number | string;
  operation?: XingchenOperation;
  family?: Family;
}

/** Which rule applies to a failed answer. */
export function ruleFor(answer: FailedAnswer): ErrorRule {
  if (answer.status === 519) {
    if (answer.code === 4012) return noPermission[answer.family ?? 'v2'];
    return (answer.code !== undefined && gatewayCodes[answer.code]) || unknownGateway;
  }
  if (answer.status === 401) return unauthorized;
  if (answer.status === 429) return rateLimited;
  if (answer.status >= 500) return serverError;
  if (answer.status === 400 || answer.status === 422) return badRequest;
  if (answer.status >= 300) return wrongEndpoint;
  if (!answer.refused) return malformed;
  if (answer.operation === 'token' && Number(answer.errcode) === APP_SECRET_REJECTED) return appSecretRule;
  return (answer.operation && authRefusals[answer.operation]) || businessRefusal;
}

/** A modify or create whose outcome is unknown (timeout, connection lost after sending, an answer without an id): look the bill up before repeating. */
export class XingchenAmbiguousError extends RetriableError {}

/**
 * A business refusal of Xingchen (either family): the vendor's code, if it sent one, in `errcode`
 * and its text in the message. No behaviour depends on which code it is.
 */
export class XingchenBusinessError extends NonRetriableError {
  readonly errcode?: number | string;
  /** The vendor's own text (errorInfo[0].msg, description, message …), at most 300 characters. */
  readonly vendorText?: string;
  constructor(message: string, options: { reason: string; errcode?: number | string; vendorText?: string }) {
    super(message, { reason: options.reason, code: options.errcode });
    this.errcode = options.errcode;
    this.vendorText = options.vendorText;
  }
}

/** The token was refused (519 4009/4010/4011, HTTP 401); the client renews it once and repeats the call. */
export class XingchenTokenRejectedError extends RetriableError {}

/** V2: app_signature refused (1030002006); fatal unless a pushed authorization can be fetched again. */
export class XingchenAppSecretRejectedError extends FatalError {}

/** Builds the error for a rule; `detail` is the vendor's description (never a secret). */
export function errorFor(
  rule: ErrorRule,
  context: {
    operation: XingchenOperation;
    status: number;
    code?: number | string;
    detail?: string;
    retryAfterMs?: number;
  },
): SyncError {
  const code = context.code ?? context.status;
  const where = `xingchen ${context.operation}`;
  const detail = context.detail ? `: ${context.detail}` : '';
  switch (rule.kind) {
    case 'fatal':
      return new FatalError(
        `${where} failed (${code} ${rule.reason}): ${rule.cause ?? 'configuration error'}${detail}`,
        { reason: rule.reason, code },
      );
    case 'app_secret':
      return new XingchenAppSecretRejectedError(
        `${where} failed (${code} ${rule.reason}): ${rule.cause ?? 'configuration error'}${detail}`,
        { reason: rule.reason, code },
      );
    case 'token':
      return new XingchenTokenRejectedError(`${where}: token refused (${code})${detail}`, {
        reason: rule.reason,
        code,
      });
    case 'non_retriable':
      return context.status === 200
        ? new XingchenBusinessError(`${where} rejected (${context.code ?? 'no code'})${detail}`, {
            reason: rule.reason,
            errcode: context.code,
            vendorText: context.detail,
          })
        : new NonRetriableError(`${where} rejected (${code} ${rule.reason})${detail}`, {
            reason: rule.reason,
            code,
          });
    default:
      return new RetriableError(`${where} failed (${code} ${rule.reason})${detail}`, {
        reason: rule.reason,
        code,
        retryAfterMs: context.retryAfterMs,
      });
  }
}

/** A request that got no HTTP answer. */
export interface TransportFailure {
  kind: 'timeout' | 'network';
  /** The request left this process completely: the server may have applied it. */
  sent: boolean;
  message: string;
}

/** The same table for answers that never came: a save that may have been applied is ambiguous. */
export function transportError(
  operation: XingchenOperation,
  failure: TransportFailure,
): { error: RetriableError; outcome: ApiOutcome } {
  const outcome: ApiOutcome = failure.kind === 'timeout' ? 'timeout' : 'network_error';
  if (operation === 'sal_order_save' && failure.sent) {
    const reason = failure.kind === 'timeout' ? 'ambiguous_timeout' : 'ambiguous_network_error';
    return {
      error: new XingchenAmbiguousError(
        `xingchen ${operation}: no answer (${failure.message}); the save may have been applied`,
        { reason },
      ),
      outcome,
    };
  }
  const reason = failure.kind === 'timeout' ? 'timeout' : 'network_error';
  return {
    error: new RetriableError(`xingchen ${operation}: no answer (${failure.message})`, { reason }),
    outcome,
  };
}

/**
 * How a failed Xingchen call ended, for a caller that records it (the loader): `refused` is a
 * business refusal (final for this request), `ambiguous` a save that may have been applied,
 * `retriable` and `fatal` as their classes say. Null: not an error of this table (a programming
 * error, never retried). Callers branch on this, never on codes.
 */
export type XingchenFailure =
  | { kind: 'refused'; error: NonRetriableError }
  | { kind: 'ambiguous'; error: XingchenAmbiguousError }
  | { kind: 'retriable'; error: RetriableError }
  | { kind: 'fatal'; error: FatalError };

export function classifyFailure(error: unknown): XingchenFailure | null {
  if (error instanceof FatalError) return { kind: 'fatal', error };
  if (error instanceof XingchenAmbiguousError) return { kind: 'ambiguous', error };
  if (error instanceof RetriableError) return { kind: 'retriable', error };
  if (error instanceof NonRetriableError) return { kind: 'refused', error };
  return null;
}
