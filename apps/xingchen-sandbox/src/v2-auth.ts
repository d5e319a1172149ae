import { createHash, randomBytes } from 'node:crypto';
import { sameSignature, signHex64, verifyGatewayRequest, type GatewayVerdict } from './gateway-auth';
import { type ApiCall } from './http-kit';

/**
 * V2 (open platform) auth: the gateway signature on every call, app-tokens from
 * `kingdee_auth_token`, `push_app_authorize` and the rotation of the account set's app_secret.
 */

export interface V2Settings {
  clientId: string;
  clientSecret: string;
  appKey: string;
  /** The first app_secret; each rotation derives the next one from it. */
  appSecret: string;
  domain: string;
  outerInstanceId: string;
  accountId: string;
  groupName: string;
  accountName: string;
  /** 0 = never. */
  secretRotationSeconds: number;
}

export type TokenAnswer =
  { ok: true; token: string; expires: number } | { ok: false; errcode: number; description: string };

export class V2Auth {
  private readonly tokens = new Map<string, { expiresAt: number }>();
  private manualRotations = 0;
  private readonly startedAt: number;

  constructor(
    readonly settings: V2Settings,
    private readonly now: () => number,
    private readonly ttlSeconds: () => number,
  ) {
    this.startedAt = now();
  }

  /** How many times the app_secret has rotated so far (timed rotations plus `rotate()`). */
  rotations(): number {
    const every = this.settings.secretRotationSeconds * 1000;
    const timed = every > 0 ? Math.floor((this.now() - this.startedAt) / every) : 0;
    return timed + this.manualRotations;
  }

  /** The app_secret valid now (the configured one until the first rotation). */
  currentSecret(): string {
    const n = this.rotations();
    if (n === 0) return this.settings.appSecret;
    const digest = createHash('sha256').update(`${this.settings.appSecret}#${n}`).digest('hex');
    return `${this.settings.appSecret.slice(0, 16)}-r${n}-${digest.slice(0, 12)}`;
  }

  rotate(): string {
    this.manualRotations++;
    return this.currentSecret();
  }

  /** The six gateway headers; a V1-style call (`?access_token=`, no X-Api-* header) is 4009 (decision). */
  verifySignature(call: ApiCall): GatewayVerdict {
    const h = call.headers;
    if (!h['x-api-clientid'] && !h['x-api-signature']) {
      if (call.url.searchParams.has('access_token'))
        return { ok: false, code: 4009, description: 'token 为空（V2 接口需要网关签名和 app-token）' };
      return { ok: false, code: 4002, description: 'client id 为空' };
    }
    return verifyGatewayRequest(
      { method: call.method, path: call.url.pathname, query: call.query, headers: h },
      this.settings,
      this.now(),
    );
  }

  /** `GET kingdee_auth_token?app_key=&app_signature=`: a signature with an old (rotated) secret → 1030002006. */
  issueToken(call: ApiCall): TokenAnswer {
    const q = call.url.searchParams;
    const expected = signHex64(this.currentSecret(), this.settings.appKey);
    if (q.get('app_key') !== this.settings.appKey || !sameSignature(expected, q.get('app_signature') ?? ''))
      return { ok: false, errcode: 1030002006, description: '授权密钥校验失败' };
    const token = randomBytes(16).toString('hex');
    const expires = this.now() + this.ttlSeconds() * 1000;
    this.tokens.set(token, { expiresAt: expires });
    for (const [t, info] of this.tokens) if (info.expiresAt < this.now() - 3_600_000) this.tokens.delete(t);
    return { ok: true, token, expires };
  }

  /** `push_app_authorize?outerInstanceId=`: AsterAuthorizeRes[] of the account set (empty for another id). */
  authorize(
    call: ApiCall,
  ): { ok: true; data: Array<Record<string, unknown>> } | { ok: false; description: string } {
    const id = call.url.searchParams.get('outerInstanceId');
    if (!id) return { ok: false, description: 'outerInstanceId 必填' };
    if (id !== this.settings.outerInstanceId) return { ok: true, data: [] };
    const s = this.settings;
    return {
      ok: true,
      data: [
        {
          account_id: s.accountId,
          account_name: s.accountName,
          agreement_company_name: '沙箱公司',
          app_key: s.appKey,
          app_secret: this.currentSecret(),
          client_id: s.clientId,
          domain: s.domain,
          group_name: s.groupName,
          outer_instance_id: s.outerInstanceId,
          service_id: 'jdy-xingchen',
          status: 1,
        },
      ],
    };
  }

  /** `app-token` (4009 missing / 4010 unknown / 4011 expired) and `X-GW-Router-Addr` (4012). */
  verifyToken(call: ApiCall): GatewayVerdict {
    const token = call.headers['app-token'];
    if (!token) return { ok: false, code: 4009, description: 'token 为空' };
    const issued = this.tokens.get(token);
    if (!issued) return { ok: false, code: 4010, description: 'token 无效' };
    if (issued.expiresAt <= this.now()) return { ok: false, code: 4011, description: 'token 已过期' };
    if (call.headers['x-gw-router-addr'] !== this.settings.domain)
      return { ok: false, code: 4012, description: 'X-GW-Router-Addr 无权限' };
    return { ok: true };
  }

  expireAll(): void {
    for (const info of this.tokens.values()) info.expiresAt = Math.min(info.expiresAt, this.now());
  }
  clear(): void {
    this.tokens.clear();
  }
}
