import { type IncomingMessage, type ServerResponse } from 'node:http';
import { readBody, sendJson as send } from '@app/sandbox-catalog';

/** Shared HTTP plumbing of both route families: answers, bodies, quotas, counters (the parts both
 * sandboxes share live in libs/sandbox-catalog/src/sandbox-http.ts). */

export { readBody, sendJson as send } from '@app/sandbox-catalog';

/** HTTP 519, with both key sets (the legacy kernel reads code/description_cn, the Java SDK errcode/description). */
export function sendGatewayError(res: ServerResponse, code: number, description: string): void {
  send(res, 519, { code, description_cn: description, errcode: code, description });
}

/** One request as the route handlers see it. */
export interface ApiCall {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  method: string;
  /** Header names lowercased, first value only. */
  headers: Record<string, string | undefined>;
  /** The query in its order, first value of each name. */
  query: Array<[string, string]>;
  rawBody: string;
}

export async function readCall(req: IncomingMessage, res: ServerResponse, url: URL): Promise<ApiCall> {
  const headers = Object.fromEntries(
    Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]),
  );
  const query: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (const [key, value] of url.searchParams) {
    if (!seen.has(key)) query.push([key, value]);
    seen.add(key);
  }
  const method = req.method ?? 'GET';
  const rawBody = method === 'GET' || method === 'HEAD' ? '' : await readBody(req);
  return { req, res, url, method, headers, query, rawBody };
}

/** A continuously refilling bucket holding one second's worth of calls: a quota that allows no bursts beyond it. */
export class Quota {
  private tokens: number;
  private updatedAt: number;
  constructor(
    private perMinute: number,
    private readonly now: () => number,
  ) {
    this.tokens = this.capacity();
    this.updatedAt = now();
  }
  private capacity(): number {
    return Math.max(1, this.perMinute / 60);
  }
  setRate(perMinute: number): void {
    this.perMinute = perMinute;
    this.tokens = Math.min(this.tokens, this.capacity());
  }
  /** 0 when granted, else milliseconds until a call would be. */
  take(): number {
    if (this.perMinute <= 0) return 0;
    const now = this.now();
    const rate = this.perMinute / 60000;
    this.tokens = Math.min(this.capacity(), this.tokens + (now - this.updatedAt) * rate);
    this.updatedAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - this.tokens) / rate);
  }
}

/** Counters of `GET /__sandbox/stats`. */
export interface SandboxStats {
  /** Calls by route (`v1.sal_order_save`, `v2.token`, …) and outcome (`ok`, `errcode_<n>`, `gw_<code>`, …). */
  calls: Record<string, Record<string, number>>;
  /** V1 access tokens issued by `/auth/user/access_token`. */
  loginsIssued: number;
  /** V2 app-tokens issued. */
  tokensIssued: number;
  /** V2 `push_app_authorize` answers with credentials. */
  authorizationsIssued: number;
  ordersCreated: number;
  ordersModified: number;
  throttled: number;
  startedAt: string;
}

export class StatsBook {
  private current!: SandboxStats;
  constructor(private readonly now: () => number) {
    this.reset();
  }
  reset(): void {
    this.current = {
      calls: {},
      loginsIssued: 0,
      tokensIssued: 0,
      authorizationsIssued: 0,
      ordersCreated: 0,
      ordersModified: 0,
      throttled: 0,
      startedAt: new Date(this.now()).toISOString(),
    };
  }
  get value(): SandboxStats {
    return this.current;
  }
  count(route: string, outcome: string): void {
    const byOutcome = (this.current.calls[route] ??= {});
    byOutcome[outcome] = (byOutcome[outcome] ?? 0) + 1;
  }
  bump(
    key: 'loginsIssued' | 'tokensIssued' | 'authorizationsIssued' | 'ordersCreated' | 'ordersModified',
  ): void {
    this.current[key]++;
  }
  /** HTTP 429 with Retry-After, as the gateway answers a call over the quota. */
  throttle(res: ServerResponse, route: string, waitMs: number): void {
    this.count(route, 'http_429');
    this.current.throttled++;
    send(
      res,
      429,
      { code: 429, errcode: 429, description: '请求过于频繁', description_cn: '请求过于频繁' },
      { 'Retry-After': String(Math.max(1, Math.ceil(waitMs / 1000))) },
    );
  }
  gatewayError(res: ServerResponse, route: string, code: number, description: string): void {
    this.count(route, `gw_${code}`);
    sendGatewayError(res, code, description);
  }
}
