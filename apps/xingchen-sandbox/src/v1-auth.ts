import { randomBytes } from 'node:crypto';
import { type ApiCall } from './http-kit';
import { type AccountSet } from './sandbox-config';

/**
 * V1 (legacy) auth: `/auth/user/access_token` login → access_token (query of every call), and the
 * account set chosen by the `accountId` + `groupName` headers (KingdeejdyKernel `_post`).
 */

export interface V1Credentials {
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
}

export type V1Verdict =
  { ok: true; accountSet: AccountSet } | { ok: false; code: number; description: string };

export type LoginAnswer =
  | { ok: true; token: string; expiresInSeconds: number; expires: number }
  | { ok: false; errcode: number; description: string };

const LOGIN_PARAMS = ['client_id', 'client_secret', 'username', 'password'] as const;

export class V1Auth {
  private readonly tokens = new Map<string, { expiresAt: number }>();

  constructor(
    readonly credentials: V1Credentials,
    readonly accountSets: AccountSet[],
    private readonly now: () => number,
    private readonly ttlSeconds: () => number,
  ) {}

  /** The four login parameters from the query, or from a form-encoded POST body (one public sample does that). */
  private loginParams(call: ApiCall): Record<string, string | undefined> {
    const form = new URLSearchParams(call.method === 'POST' ? call.rawBody : '');
    return Object.fromEntries(
      LOGIN_PARAMS.map((name) => [name, call.url.searchParams.get(name) ?? form.get(name) ?? undefined]),
    );
  }

  login(call: ApiCall): LoginAnswer {
    const params = this.loginParams(call);
    const missing = LOGIN_PARAMS.filter((name) => !params[name]);
    if (missing.length > 0)
      return { ok: false, errcode: 1000, description: `缺少参数: ${missing.join(', ')}` };
    const c = this.credentials;
    if (
      params.client_id !== c.clientId ||
      params.client_secret !== c.clientSecret ||
      params.username !== c.username ||
      params.password !== c.password
    )
      return { ok: false, errcode: 1000, description: '用户名或密码错误' };
    const token = randomBytes(16).toString('hex');
    const expiresInSeconds = this.ttlSeconds();
    const expires = this.now() + expiresInSeconds * 1000;
    this.tokens.set(token, { expiresAt: expires });
    for (const [t, info] of this.tokens) if (info.expiresAt < this.now() - 3_600_000) this.tokens.delete(t);
    return { ok: true, token, expiresInSeconds, expires };
  }

  /** 4009 for V2 credentials without an access_token, 4010 no/unknown token, 4011 expired. */
  checkToken(call: ApiCall): { ok: true } | { ok: false; code: number; description: string } {
    const token = call.url.searchParams.get('access_token');
    if (!token) {
      if (call.headers['app-token'] || call.headers['x-api-signature'])
        return {
          ok: false,
          code: 4009,
          description: 'access_token 为空（V1 接口不接受 app-token / 网关签名）',
        };
      return { ok: false, code: 4010, description: 'access_token 无效' };
    }
    const issued = this.tokens.get(token);
    if (!issued) return { ok: false, code: 4010, description: 'access_token 无效' };
    if (issued.expiresAt <= this.now()) return { ok: false, code: 4011, description: 'access_token 已过期' };
    return { ok: true };
  }

  /** A business call: the token, then the account set named by both headers (4012 otherwise). */
  verify(call: ApiCall): V1Verdict {
    const token = this.checkToken(call);
    if (!token.ok) return token;
    const accountId = call.headers['accountid'];
    const groupName = call.headers['groupname'];
    const accountSet = this.accountSets.find((s) => s.accountId === accountId && s.groupName === groupName);
    if (!accountSet)
      return {
        ok: false,
        code: 4012,
        description: `无权限: accountId ${accountId ?? '(缺失)'} / groupName ${groupName ?? '(缺失)'} 不是该用户的账套`,
      };
    return { ok: true, accountSet };
  }

  /** `POST /jdy/sys/accountGroup`: the default set under one service, the extra ones under a second. */
  accountGroups(): Array<{ serviceId: string; accountGroups: Array<Record<string, string>> }> {
    const view = (s: AccountSet, index: number) => ({
      accountName: s.accountName ?? `账套 ${s.accountId}`,
      accountId: s.accountId,
      enable: '1',
      groupId: String(900 + index),
      groupName: s.groupName,
    });
    const [first, ...rest] = this.accountSets.map(view);
    return [
      { serviceId: 'jdy-xingchen', accountGroups: first ? [first] : [] },
      ...(rest.length > 0 ? [{ serviceId: 'jdy-xingchen-extra', accountGroups: rest }] : []),
    ];
  }

  expireAll(): void {
    for (const info of this.tokens.values()) info.expiresAt = Math.min(info.expiresAt, this.now());
  }
  clear(): void {
    this.tokens.clear();
  }
}
