import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { verifyGatewayRequest, signHex64, sameSignature } from './gateway-auth';
import { catalogFixture, readFixtureFile, validateFixture, type MasterDataFixture } from './master-data';
import { materialView, SandboxState, type MasterKind, type StoredOrder } from './sandbox-state';

/** Defaults of the sandbox's credentials (documented in docs/xingchen.md). */
export const SANDBOX_DEFAULTS = {
  port: 18081,
  clientId: '100001',
  clientSecret: 'sandbox-client-secret',
  appKey: 'sandboxAppKey',
  appSecret: 'sandbox-app-secret',
  domain: 'sandbox.jdy.local',
} as const;

/** Faults and limits, settable at start and with `POST /__sandbox/faults`. */
export interface SandboxFaults {
  /** Added to every API answer. */
  latencyMs: number;
  /** Extra latency of `sal_order_save`, uniform in [min, max]. */
  saveLatencyMs: { min: number; max: number };
  /** Fraction of business calls answered 519/5003 before doing anything. */
  errorRate: number;
  /** Fraction of saves applied and then never answered (the ambiguous case). */
  timeoutAfterApplyRate: number;
  /** Fraction of saves applied and then answered 519/5000. */
  errorAfterApplyRate: number;
  /** Per-account-set quota of business calls (429 beyond it); 0 = unlimited. */
  rateLimitPerMinute: number;
  /** Lifetime of issued app-tokens. */
  tokenTtlSeconds: number;
  /** Quota of the token endpoint (429 beyond it); 0 = unlimited. */
  tokenRateLimitPerMinute: number;
  /** Answer saves with the legacy envelope `{success, data: {successPkIds}}`. */
  legacyEnvelope: boolean;
}

export const DEFAULT_FAULTS: SandboxFaults = {
  latencyMs: 0,
  saveLatencyMs: { min: 0, max: 0 },
  errorRate: 0,
  timeoutAfterApplyRate: 0,
  errorAfterApplyRate: 0,
  rateLimitPerMinute: 500,
  tokenTtlSeconds: 86400,
  tokenRateLimitPerMinute: 60,
  legacyEnvelope: false,
};

export interface XingchenSandboxOptions {
  clientId?: string;
  clientSecret?: string;
  appKey?: string;
  appSecret?: string;
  domain?: string;
  /** Master data, or the path of a fixture file; default: generated from @app/sandbox-catalog. */
  fixture?: MasterDataFixture | string;
  faults?: Partial<SandboxFaults> & {
    saveLatencyMs?: SandboxFaults['saveLatencyMs'] | number | [number, number];
  };
  now?: () => number;
  random?: () => number;
}

/** Counters of `GET /__sandbox/stats`: calls by route and outcome. */
export interface SandboxStats {
  calls: Record<string, Record<string, number>>;
  tokensIssued: number;
  ordersCreated: number;
  ordersModified: number;
  throttled: number;
  startedAt: string;
}

export interface XingchenSandbox {
  listen(port?: number, host?: string): Promise<{ port: number; url: string }>;
  close(): Promise<void>;
  readonly url: string;
  readonly port: number;
  readonly state: SandboxState;
  readonly credentials: {
    clientId: string;
    clientSecret: string;
    appKey: string;
    appSecret: string;
    domain: string;
  };
  faults(): SandboxFaults;
  setFaults(patch: Partial<SandboxFaults> | Record<string, unknown>): SandboxFaults;
  stats(): SandboxStats;
  resetStats(): void;
  orders(): StoredOrder[];
}

/** A continuously refilling bucket holding one second's worth of calls: a quota that allows no bursts beyond it. */
class Quota {
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

const sleep = (ms: number) =>
  ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : Promise.resolve();

const ROUTES: Record<string, string> = {
  '/jdyconnector/app_management/kingdee_auth_token': 'token',
  '/jdyconnector/app_management/push_app_authorize': 'push_app_authorize',
  '/jdy/sal/sal_order_save': 'sal_order_save',
  '/jdy/v2/bd/customer_detail': 'customer_detail',
  '/jdy/v2/bd/material_detail': 'material_detail',
  '/jdy/v2/bd/store_detail': 'store_detail',
  '/jdy/v2/bd/customer': 'customer_list',
  '/jdy/v2/bd/material': 'material_list',
  '/jdy/v2/bd/store': 'store_list',
  '/jdy/v2/scm/sal_order': 'sal_order_list',
  '/jdy/v2/scm/sal_order_detail': 'sal_order_detail',
};

const normalizeFaults = (current: SandboxFaults, patch: Record<string, unknown>): SandboxFaults => {
  const next = { ...current };
  const num = (key: string, min: number, max = Number.POSITIVE_INFINITY) => {
    const value = patch[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      throw new Error(`${key} must be a number in [${min}, ${max}]`);
    }
    return value;
  };
  for (const key of ['latencyMs', 'rateLimitPerMinute', 'tokenRateLimitPerMinute'] as const)
    next[key] = num(key, 0) ?? next[key];
  next.tokenTtlSeconds = num('tokenTtlSeconds', 1) ?? next.tokenTtlSeconds;
  for (const key of ['errorRate', 'timeoutAfterApplyRate', 'errorAfterApplyRate'] as const)
    next[key] = num(key, 0, 1) ?? next[key];
  if (patch.legacyEnvelope !== undefined) next.legacyEnvelope = patch.legacyEnvelope === true;
  const save = patch.saveLatencyMs;
  if (save !== undefined) {
    if (typeof save === 'number' && save >= 0) next.saveLatencyMs = { min: save, max: save };
    else if (Array.isArray(save) && save.length === 2 && save.every((v) => typeof v === 'number' && v >= 0)) {
      next.saveLatencyMs = {
        min: Math.min(save[0] as number, save[1] as number),
        max: Math.max(save[0] as number, save[1] as number),
      };
    } else if (
      typeof save === 'object' &&
      save !== null &&
      typeof (save as { min?: unknown }).min === 'number'
    ) {
      const { min, max } = save as { min: number; max?: number };
      next.saveLatencyMs = { min, max: Math.max(min, max ?? min) };
    } else throw new Error('saveLatencyMs must be a number, [min, max] or {min, max}');
  }
  return next;
};

/** The Kingdee gateway + Xingchen stand-in (node:http, in-process or standalone). */
export function createXingchenSandbox(options: XingchenSandboxOptions = {}): XingchenSandbox {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const credentials = {
    clientId: options.clientId ?? SANDBOX_DEFAULTS.clientId,
    clientSecret: options.clientSecret ?? SANDBOX_DEFAULTS.clientSecret,
    appKey: options.appKey ?? SANDBOX_DEFAULTS.appKey,
    appSecret: options.appSecret ?? SANDBOX_DEFAULTS.appSecret,
    domain: options.domain ?? SANDBOX_DEFAULTS.domain,
  };
  const fixture =
    typeof options.fixture === 'string'
      ? readFixtureFile(options.fixture)
      : options.fixture
        ? validateFixture(options.fixture)
        : catalogFixture();
  const state = new SandboxState(fixture, now);
  let faults = normalizeFaults(DEFAULT_FAULTS, options.faults ?? {});
  const quota = new Quota(faults.rateLimitPerMinute, now);
  const tokenQuota = new Quota(faults.tokenRateLimitPerMinute, now);
  const tokens = new Map<string, { expiresAt: number }>();
  let stats: SandboxStats;
  const resetStats = () => {
    stats = {
      calls: {},
      tokensIssued: 0,
      ordersCreated: 0,
      ordersModified: 0,
      throttled: 0,
      startedAt: new Date(now()).toISOString(),
    };
  };
  resetStats();
  const hanging = new Set<ServerResponse>();
  let address: { port: number; url: string } | undefined;

  const count = (route: string, outcome: string) => {
    const byOutcome = (stats.calls[route] ??= {});
    byOutcome[outcome] = (byOutcome[outcome] ?? 0) + 1;
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.destroyed || res.writableEnded) return;
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': 'application/json;charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  };
  const ok = (res: ServerResponse, data: unknown) =>
    send(res, 200, { errcode: 0, description: '成功', data });
  /** HTTP 429 with Retry-After, as the gateway answers a call over the quota. */
  const throttled = (res: ServerResponse, route: string, waitMs: number) => {
    count(route, 'http_429');
    stats.throttled++;
    send(
      res,
      429,
      { code: 429, description: '请求过于频繁' },
      { 'Retry-After': String(Math.max(1, Math.ceil(waitMs / 1000))) },
    );
  };
  const gatewayError = (res: ServerResponse, code: number, description: string) =>
    send(res, 519, { code, description_cn: description, description });
  const business = (
    res: ServerResponse,
    errcode: number,
    description: string,
    extra: Record<string, unknown> = {},
  ) => send(res, 200, { errcode, description, ...extra });

  const readBody = (req: IncomingMessage): Promise<string> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  const page = <T>(rows: T[], query: URLSearchParams) => {
    const pageNo = Math.max(1, Number(query.get('page') ?? '1') || 1);
    const size = Math.min(100, Math.max(1, Number(query.get('page_size') ?? '20') || 20));
    return {
      count: String(rows.length),
      page: pageNo,
      page_size: size,
      total_page: Math.max(1, Math.ceil(rows.length / size)),
      rows: rows.slice((pageNo - 1) * size, pageNo * size),
    };
  };

  const orderView = (order: StoredOrder) => ({
    id: order.id,
    billno: order.billno,
    ...order.body,
    audit_status: order.audited ? 'C' : 'A',
    create_time: order.createdAt,
    modify_time: order.modifiedAt,
  });

  async function handleAdmin(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname;
    if (req.method === 'GET' && path === '/__sandbox/orders') {
      send(res, 200, { orders: state.listOrders() });
      return;
    }
    if (req.method === 'GET' && path === '/__sandbox/stats') {
      send(res, 200, stats);
      return;
    }
    if (req.method === 'POST' && path === '/__sandbox/stats/reset') {
      resetStats();
      send(res, 200, stats);
      return;
    }
    if (path === '/__sandbox/faults') {
      if (req.method === 'POST') {
        try {
          sandbox.setFaults(JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>);
        } catch (error) {
          send(res, 400, { error: (error as Error).message });
          return;
        }
      }
      send(res, 200, faults);
      return;
    }
    const audit = /^\/__sandbox\/orders\/([^/]+)\/audit$/.exec(path);
    if (req.method === 'POST' && audit) {
      const order = state.audit(decodeURIComponent(audit[1]));
      if (order) send(res, 200, order);
      else send(res, 404, { error: 'order not found' });
      return;
    }
    if (req.method === 'POST' && path === '/__sandbox/reset') {
      state.clearOrders();
      tokens.clear();
      resetStats();
      send(res, 200, { ok: true });
      return;
    }
    if (path === '/__sandbox/master-data') {
      if (req.method === 'POST') {
        try {
          const patch = JSON.parse((await readBody(req)) || '{}') as Partial<MasterDataFixture>;
          state.loadMasterData(
            validateFixture({ customers: [], materials: [], stores: [], ...patch }, 'request'),
          );
        } catch (error) {
          send(res, 400, { error: (error as Error).message });
          return;
        }
      }
      send(res, 200, {
        customers: [...state.customers.values()],
        materials: [...state.materials.values()].map(materialView),
        stores: [...state.stores.values()],
      });
      return;
    }
    const remove = /^\/__sandbox\/master-data\/(customers|materials|stores)\/([^/]+)$/.exec(path);
    if (req.method === 'DELETE' && remove) {
      const removed = state.removeMasterData(remove[1] as MasterKind, decodeURIComponent(remove[2]));
      send(res, removed ? 200 : 404, { removed });
      return;
    }
    send(res, 404, { error: `no sandbox route ${req.method} ${path}` });
  }

  async function handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    route: string,
  ): Promise<void> {
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]),
    );
    const query: Array<[string, string]> = [];
    const seen = new Set<string>();
    for (const [key, value] of url.searchParams) {
      if (!seen.has(key)) query.push([key, value]);
      seen.add(key);
    }
    const rawBody = req.method === 'POST' ? await readBody(req) : '';
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);

    const verdict = verifyGatewayRequest(
      { method: req.method ?? 'GET', path: url.pathname, query, headers },
      credentials,
      now(),
    );
    if (!verdict.ok) {
      count(route, `gw_${verdict.code}`);
      gatewayError(res, verdict.code, verdict.description);
      return;
    }

    if (route === 'token') {
      const wait = tokenQuota.take();
      if (wait > 0) {
        throttled(res, route, wait);
        return;
      }
      const appKey = url.searchParams.get('app_key') ?? '';
      const expected = signHex64(credentials.appSecret, credentials.appKey);
      if (
        appKey !== credentials.appKey ||
        !sameSignature(expected, url.searchParams.get('app_signature') ?? '')
      ) {
        count(route, 'errcode_1030002006');
        business(res, 1030002006, '授权密钥校验失败');
        return;
      }
      const token = randomBytes(16).toString('hex');
      const expires = now() + faults.tokenTtlSeconds * 1000;
      tokens.set(token, { expiresAt: expires });
      for (const [t, info] of tokens) if (info.expiresAt < now() - 3_600_000) tokens.delete(t);
      stats.tokensIssued++;
      count(route, 'ok');
      ok(res, { 'app-token': token, access_token: token, expires, uid: 1 });
      return;
    }
    if (route === 'push_app_authorize') {
      count(route, 'ok');
      ok(res, [
        {
          appKey: credentials.appKey,
          appSecret: credentials.appSecret,
          domain: credentials.domain,
          status: '1',
        },
      ]);
      return;
    }

    const token = headers['app-token'];
    if (!token) {
      count(route, 'gw_4009');
      gatewayError(res, 4009, 'token 为空');
      return;
    }
    const issued = tokens.get(token);
    if (!issued) {
      count(route, 'gw_4010');
      gatewayError(res, 4010, 'token 无效');
      return;
    }
    if (issued.expiresAt <= now()) {
      count(route, 'gw_4011');
      gatewayError(res, 4011, 'token 已过期');
      return;
    }
    if (headers['x-gw-router-addr'] !== credentials.domain) {
      count(route, 'gw_4012');
      gatewayError(res, 4012, 'X-GW-Router-Addr 无权限');
      return;
    }
    const wait = quota.take();
    if (wait > 0) {
      throttled(res, route, wait);
      return;
    }
    if (faults.errorRate > 0 && random() < faults.errorRate) {
      count(route, 'injected_error');
      gatewayError(res, 5003, 'API 不可用（注入的故障）');
      return;
    }

    const q = url.searchParams;
    switch (route) {
      case 'sal_order_save': {
        if (req.method !== 'POST') return void send(res, 405, { error: 'POST only' });
        const { min, max } = faults.saveLatencyMs;
        if (max > 0) await sleep(min + random() * (max - min));
        let parsed: unknown;
        try {
          parsed = JSON.parse(rawBody);
        } catch {
          count(route, 'errcode_2001');
          business(res, 2001, '请求体不是合法的 JSON');
          return;
        }
        const outcome = state.save(parsed);
        if (!outcome.ok) {
          count(route, `errcode_${outcome.errcode}`);
          business(res, outcome.errcode, outcome.description, {
            data: { error_list: [{ field: outcome.field, message: outcome.description }] },
          });
          return;
        }
        if (outcome.created) stats.ordersCreated++;
        else stats.ordersModified++;
        if (faults.timeoutAfterApplyRate > 0 && random() < faults.timeoutAfterApplyRate) {
          count(route, 'applied_no_answer');
          hanging.add(res);
          res.on('close', () => hanging.delete(res));
          return;
        }
        if (faults.errorAfterApplyRate > 0 && random() < faults.errorAfterApplyRate) {
          count(route, 'applied_then_error');
          gatewayError(res, 5000, '内部错误（注入的故障，单据已保存）');
          return;
        }
        count(route, 'ok');
        if (faults.legacyEnvelope) send(res, 200, { success: true, data: { successPkIds: [outcome.id] } });
        else
          ok(res, {
            ids: [outcome.id],
            id_number_map: { [outcome.id]: (parsed as { billno: string }).billno },
          });
        return;
      }
      case 'customer_detail':
      case 'store_detail':
      case 'material_detail': {
        const number = q.get('number') ?? '';
        const record =
          route === 'customer_detail'
            ? state.customerDetail(number)
            : route === 'store_detail'
              ? state.storeDetail(number)
              : state.materialDetail(number);
        if (!record) {
          count(route, 'errcode_1001');
          business(res, 1001, '数据不存在');
          return;
        }
        count(route, 'ok');
        ok(res, record);
        return;
      }
      case 'customer_list':
      case 'store_list':
      case 'material_list': {
        const search = q.get('search') ?? '';
        const rows =
          route === 'customer_list'
            ? [...state.customers.values()]
            : route === 'store_list'
              ? [...state.stores.values()]
              : [...state.materials.values()].map(materialView);
        count(route, 'ok');
        ok(
          res,
          page(
            rows.filter((r) => !search || r.number.includes(search) || r.name.includes(search)),
            q,
          ),
        );
        return;
      }
      case 'sal_order_list': {
        const billNo = q.get('bill_no') ?? q.get('billno') ?? q.get('search');
        const rows = (
          billNo ? [state.orderByBillNo(billNo)].filter((o): o is StoredOrder => !!o) : state.listOrders()
        ).map((o) => ({
          id: o.id,
          billno: o.billno,
          bill_date: o.body.billdate,
          customer_id: o.body.customerid_id,
          audit_status: o.audited ? 'C' : 'A',
          create_time: o.createdAt,
          modify_time: o.modifiedAt,
        }));
        count(route, 'ok');
        ok(res, page(rows, q));
        return;
      }
      case 'sal_order_detail': {
        const id = q.get('id');
        const order = id ? state.order(id) : state.orderByBillNo(q.get('number') ?? q.get('billno') ?? '');
        if (!order) {
          count(route, 'errcode_1001');
          business(res, 1001, '数据不存在');
          return;
        }
        count(route, 'ok');
        ok(res, orderView(order));
        return;
      }
      default:
        send(res, 404, { error: 'unknown route' });
    }
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const route = ROUTES[url.pathname];
    if (req.method === 'GET' && (url.pathname === '/health/live' || url.pathname === '/health/ready')) {
      send(res, 200, { status: 'ok' });
      return;
    }
    const work = url.pathname.startsWith('/__sandbox/')
      ? handleAdmin(req, res, url)
      : route
        ? handleApi(req, res, url, route)
        : Promise.resolve(send(res, 404, { code: 404, description: `no such API: ${url.pathname}` }));
    work.catch((error: unknown) => send(res, 500, { error: (error as Error).message }));
  });
  server.keepAliveTimeout = 30_000;

  const sandbox: XingchenSandbox = {
    state,
    credentials,
    get url() {
      if (!address) throw new Error('sandbox is not listening');
      return address.url;
    },
    get port() {
      if (!address) throw new Error('sandbox is not listening');
      return address.port;
    },
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const bound = (server.address() as AddressInfo).port;
          const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
          address = { port: bound, url: `http://${shownHost}:${bound}` };
          resolve(address);
        });
      });
    },
    close() {
      for (const res of hanging) res.destroy();
      hanging.clear();
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    faults: () => faults,
    setFaults(patch) {
      faults = normalizeFaults(faults, patch);
      quota.setRate(faults.rateLimitPerMinute);
      tokenQuota.setRate(faults.tokenRateLimitPerMinute);
      return faults;
    },
    stats: () => stats,
    resetStats,
    orders: () => state.listOrders(),
  };
  return sandbox;
}
