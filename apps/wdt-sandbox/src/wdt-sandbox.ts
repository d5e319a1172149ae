import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, type Socket } from 'node:net';
import { WDT_SANDBOX_DEFAULTS } from '@app/config';
import { tryParseWdtTime } from '@app/contracts';
import { seededRandom, sleep } from '@app/runtime';
import { openapiSign, qimenSign, type WdtParams } from '@app/wdt-client';
import { generateTradeTimelines, type SandboxTrade } from './trade-generator';
import { filedUnder, TradeStore, type TradeFilter } from './trade-store';

export interface SandboxCredentials {
  sid: string;
  appKey: string;
  appSecret: string;
  qimenAppKey: string;
  qimenSecret: string;
  targetAppKey: string;
}

/** Behaviour that tests change at run time (`POST /__sandbox/faults`). */
export interface SandboxFaults {
  /** Delay before every API answer. */
  latencyMs: number;
  /** Share of API calls answered with code 1012 (called too often), on top of the quota. */
  errorRate: number;
  /** Share of API calls answered with HTTP 502. */
  serverErrorRate: number;
  /** Accepted calls per sliding minute; more are answered with 1012. */
  rateLimitPerMinute: number;
  /** Share of trades served truly broken (first line without spec_no, or goods_list not a list); stable per trade version. */
  malformedRate: number;
}

export interface SandboxStats {
  calls: number;
  accepted: number;
  rateLimited: number;
  injectedErrors: number;
  authFailures: number;
  parameterErrors: number;
}

export interface PageServedEvent {
  route: 'qimen' | 'openapi';
  filter: TradeFilter;
  pageNo: number;
  pageSize: number;
  totalCount: number;
  tradeNos: string[];
}

export interface WdtSandboxOptions {
  credentials?: Partial<SandboxCredentials>;
  /** Fixed trades (a fixture) instead of generated ones. */
  trades?: SandboxTrade[];
  /** Generated trades (ignored when `trades` is given). */
  generator?: { seed?: number; count?: number; endMs?: number; historySeconds?: number; settled?: boolean };
  maxSpanSeconds?: number;
  maxSkewSeconds?: number;
  /**
   * Trades filed (modified) longer ago than this are archived: the native route serves them only
   * from `his_trade_query.php`, as WDT does (default 90 days, a decision). Qimen serves everything.
   */
  archiveAfterDays?: number;
  faults?: Partial<SandboxFaults>;
  /** The sandbox's "now" (trade visibility, timestamp skew); tests move it. Default Date.now. */
  clock?: () => number;
  /** Randomness of the injected faults. */
  faultSeed?: number;
  /** Called after a page was computed, before it is answered (tests modify trades "while paging"). */
  onPageServed?: (event: PageServedEvent) => void | Promise<void>;
}

export interface WdtSandbox {
  readonly store: TradeStore;
  readonly credentials: SandboxCredentials;
  /** `http://127.0.0.1:<port>` once listening. */
  readonly url: string;
  readonly port: number;
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  faults(): SandboxFaults;
  setFaults(faults: Partial<SandboxFaults>): SandboxFaults;
  stats(): SandboxStats;
  now(): number;
}

/** Parameter errors: the sandbox's choice of code (WDT's exact code is not public). */
export const SANDBOX_PARAMETER_ERROR_CODE = 40;

class ApiAnswer {
  constructor(
    readonly body: Record<string, unknown>,
    readonly status = 200,
  ) {}
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 10 * 1024 * 1024) {
        reject(new Error('body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

const send = (response: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
};

/** Deterministic [0, 1) from a string (which trades are served malformed). */
const unitHash = (text: string): number =>
  createHash('md5').update(text).digest().readUInt32BE(0) / 4294967296;

/**
 * A trade the tolerant contract refuses (a number where a decimal belongs is no longer malformed:
 * WDT sends those): its first line loses `spec_no`, or `goods_list` is not a list.
 */
function malformed(trade: SandboxTrade): SandboxTrade {
  const copy = structuredClone(trade);
  const lines = copy.goods_list;
  if (Array.isArray(lines) && lines.length > 0) {
    delete (lines[0] as Record<string, unknown>).spec_no;
  } else {
    copy.goods_list = 'not a list';
  }
  return copy;
}

/**
 * A faithful local stand-in for WDT's order query: `POST /router/qm` (Qimen) and
 * `POST /openapi2/trade_query.php` (native), with the contract's signatures, timestamp skew, window,
 * paging, filters, look-up mode and call quota; plus `/__sandbox/*` to inspect and steer it.
 */
export function createWdtSandbox(options: WdtSandboxOptions = {}): WdtSandbox {
  const credentials: SandboxCredentials = { ...WDT_SANDBOX_DEFAULTS, ...options.credentials };
  const clock = options.clock ?? Date.now;
  const maxSpanSeconds = options.maxSpanSeconds ?? 3600;
  const maxSkewMs = (options.maxSkewSeconds ?? 300) * 1000;
  const faultRandom = seededRandom(options.faultSeed ?? 7);
  let faults: SandboxFaults = {
    latencyMs: 0,
    errorRate: 0,
    serverErrorRate: 0,
    rateLimitPerMinute: 60,
    malformedRate: 0,
    ...options.faults,
  };
  const stats: SandboxStats = {
    calls: 0,
    accepted: 0,
    rateLimited: 0,
    injectedErrors: 0,
    authFailures: 0,
    parameterErrors: 0,
  };
  const accepted: number[] = [];

  const store = new TradeStore();
  if (options.trades) store.upsert(options.trades);
  else {
    const g = options.generator ?? {};
    const timelines = generateTradeTimelines({
      seed: g.seed ?? 42,
      count: g.count ?? 2000,
      endMs: g.endMs ?? clock(),
      historySeconds: g.historySeconds ?? 86400,
      settled: g.settled ?? false,
    });
    for (const timeline of timelines) store.setTimeline(timeline);
  }

  /** Sliding one-minute quota over accepted calls (real time, whatever the sandbox clock says). */
  function quotaExceeded(): boolean {
    const now = performance.now();
    while (accepted.length > 0 && accepted[0] <= now - 60_000) accepted.shift();
    if (accepted.length >= faults.rateLimitPerMinute) return true;
    accepted.push(now);
    return false;
  }

  function authenticate(route: 'qimen' | 'openapi', params: WdtParams): ApiAnswer | undefined {
    const gateway = (code: string, message: string, subCode: string, subMessage: string) =>
      new ApiAnswer({
        response: { flag: 'failure', code, message, sub_code: subCode, sub_message: subMessage },
      });
    const native = (message: string) => new ApiAnswer({ code: 100, message });
    const now = clock();
    if (route === 'qimen') {
      if (params.method !== 'wdt.trade.query')
        return gateway(
          'isv.invalid-method',
          'Invalid method',
          'isv.invalid-method',
          `unknown method ${params.method ?? ''}`,
        );
      if (params.app_key !== credentials.qimenAppKey)
        return gateway(
          'isv.appkey-not-exists',
          'Invalid app key',
          'isv.appkey-not-exists',
          'app_key not exists',
        );
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
      if (at === undefined || Math.abs(at - now) > maxSkewMs)
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
    if (params.appkey !== credentials.appKey) return native('appkey not exists');
    const seconds =
      params.timestamp && /^\d+$/.test(params.timestamp) ? Number(params.timestamp) * 1000 : undefined;
    if (seconds === undefined || Math.abs(seconds - now) > maxSkewMs) return native('timestamp expired');
    if (!params.sign || params.sign.toLowerCase() !== openapiSign(params, credentials.appSecret))
      return native('sign error');
    if (params.sid !== credentials.sid) return native('sid not exists');
    return undefined;
  }

  /** Validates the business parameters into a filter and paging, or answers the parameter error. */
  function parseQuery(params: WdtParams): { filter: TradeFilter; pageNo: number; pageSize: number } | string {
    const intParam = (name: string, min: number, max: number, fallback: number): number | string => {
      const raw = params[name];
      if (raw === undefined || raw === '') return fallback;
      if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max)
        return `${name} must be an integer ${min}–${max}, got "${raw}"`;
      return Number(raw);
    };
    const pageSize = intParam('page_size', 1, 100, 40);
    if (typeof pageSize === 'string') return pageSize;
    const pageNo = intParam('page_no', 0, 1_000_000, 0);
    if (typeof pageNo === 'string') return pageNo;
    const text = (name: string) =>
      params[name] === undefined || params[name] === '' ? undefined : params[name];
    const filter: TradeFilter = {
      tradeNo: text('trade_no'),
      srcTid: text('src_tid'),
      logisticsNo: text('logistics_no'),
    };
    if (filter.tradeNo === undefined && filter.srcTid === undefined && filter.logisticsNo === undefined) {
      const start = text('start_time');
      const end = text('end_time');
      if (start === undefined || end === undefined)
        return 'start_time and end_time are required (or trade_no, src_tid, logistics_no)';
      const startMs = tryParseWdtTime(start);
      const endMs = tryParseWdtTime(end);
      if (startMs === undefined) return `start_time must be yyyy-MM-dd HH:mm:ss, got "${start}"`;
      if (endMs === undefined) return `end_time must be yyyy-MM-dd HH:mm:ss, got "${end}"`;
      if (endMs < startMs) return 'end_time must not be earlier than start_time';
      if ((endMs - startMs) / 1000 > maxSpanSeconds)
        return `the time span must not exceed ${maxSpanSeconds} seconds`;
      const status = intParam('status', 0, 1000, -1);
      if (typeof status === 'string') return status;
      const hasLogisticsNo = intParam('has_logistics_no', 0, 2, 0);
      if (typeof hasLogisticsNo === 'string') return hasLogisticsNo;
      Object.assign(filter, {
        startTime: start,
        endTime: end,
        status: status === -1 ? undefined : status,
        shopNo: text('shop_no'),
        warehouseNo: text('warehouse_no'),
        hasLogisticsNo: hasLogisticsNo as 0 | 1 | 2,
      });
    }
    return { filter, pageNo, pageSize };
  }

  const archiveAfterMs = (options.archiveAfterDays ?? 90) * 86_400_000;

  async function api(
    route: 'qimen' | 'openapi',
    params: WdtParams,
    archive: 'live' | 'archive' | 'all' = 'all',
  ): Promise<ApiAnswer> {
    const wrap = (body: Record<string, unknown>) =>
      new ApiAnswer(route === 'qimen' ? { response: body } : body);
    stats.calls++;
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    const denied = authenticate(route, params);
    if (denied) {
      stats.authFailures++;
      return denied;
    }
    if (faults.serverErrorRate > 0 && faultRandom() < faults.serverErrorRate) {
      stats.injectedErrors++;
      return new ApiAnswer({ error: 'bad gateway' }, 502);
    }
    if (faults.errorRate > 0 && faultRandom() < faults.errorRate) {
      stats.injectedErrors++;
      stats.rateLimited++;
      return wrap({ code: 1012, message: '调用太频繁，请稍后再试' });
    }
    if (quotaExceeded()) {
      stats.rateLimited++;
      return wrap({
        code: 1012,
        message: `调用太频繁 (more than ${faults.rateLimitPerMinute} calls per minute)`,
      });
    }
    stats.accepted++;
    const parsed = parseQuery(params);
    if (typeof parsed === 'string') {
      stats.parameterErrors++;
      return wrap({ code: SANDBOX_PARAMETER_ERROR_CODE, message: parsed });
    }
    const horizon = clock() - archiveAfterMs;
    const matching = store
      .query(parsed.filter, clock())
      .filter((trade) =>
        archive === 'all' ? true : (archive === 'archive') === tryParseWdtTime(filedUnder(trade))! < horizon,
      );
    const page = matching.slice(parsed.pageNo * parsed.pageSize, (parsed.pageNo + 1) * parsed.pageSize);
    const trades =
      faults.malformedRate > 0
        ? page.map((trade) =>
            unitHash(`${trade.trade_no}|${trade.modified}`) < faults.malformedRate ? malformed(trade) : trade,
          )
        : page;
    await options.onPageServed?.({
      route,
      filter: parsed.filter,
      pageNo: parsed.pageNo,
      pageSize: parsed.pageSize,
      totalCount: matching.length,
      tradeNos: page.map((trade) => trade.trade_no),
    });
    return wrap({ code: 0, message: '', total_count: matching.length, trades });
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://sandbox');
    const path = url.pathname;
    if (path === '/health' || path === '/health/live' || path === '/health/ready')
      return send(response, 200, { status: 'ok' });
    if (
      path === '/router/qm' ||
      path === '/openapi2/trade_query.php' ||
      path === '/openapi2/his_trade_query.php'
    ) {
      if (request.method !== 'POST') return send(response, 405, { error: 'POST only' });
      const body = await readBody(request);
      const params: WdtParams = {
        ...Object.fromEntries(url.searchParams),
        ...Object.fromEntries(new URLSearchParams(body)),
      };
      const answer =
        path === '/router/qm'
          ? await api('qimen', params)
          : await api('openapi', params, path === '/openapi2/trade_query.php' ? 'live' : 'archive');
      return send(response, answer.status, answer.body);
    }
    if (path === '/__sandbox/trades') {
      if (request.method === 'GET') {
        const trades = store.visible(clock());
        return send(response, 200, { total_count: trades.length, trades });
      }
      if (request.method === 'POST') {
        const parsed = JSON.parse(await readBody(request)) as { trades?: unknown };
        if (!Array.isArray(parsed.trades))
          return send(response, 400, { error: 'expected {"trades": [...]}' });
        const problems = parsed.trades.flatMap((trade, index) => {
          const t = trade as Partial<SandboxTrade> | null;
          if (typeof t?.trade_no !== 'string' || t.trade_no === '')
            return [`trades[${index}].trade_no is required`];
          if (filedUnder(t as SandboxTrade) === '')
            return [
              `trades[${index}].modified (or, for a broken trade without one, created) must be yyyy-MM-dd HH:mm:ss`,
            ];
          return [];
        });
        if (problems.length > 0) return send(response, 400, { error: problems.join('; ') });
        store.upsert(parsed.trades as SandboxTrade[]);
        return send(response, 200, { upserted: parsed.trades.length, total: store.size });
      }
    }
    if (path === '/__sandbox/faults') {
      if (request.method === 'POST') {
        const parsed = JSON.parse((await readBody(request)) || '{}') as Record<string, unknown>;
        const problem = applyFaults(parsed);
        if (problem) return send(response, 400, { error: problem });
      }
      return send(response, 200, faults);
    }
    if (path === '/__sandbox/stats')
      return send(response, 200, { ...stats, now: clock(), trades: store.size });
    return send(response, 404, { error: `no route ${request.method ?? ''} ${path}` });
  }

  function applyFaults(input: Record<string, unknown>): string | undefined {
    const next = { ...faults };
    for (const key of [
      'latencyMs',
      'errorRate',
      'serverErrorRate',
      'rateLimitPerMinute',
      'malformedRate',
    ] as const) {
      const value = input[key];
      if (value === undefined) continue;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
        return `${key} must be a number ≥ 0`;
      if (key.endsWith('Rate') && value > 1) return `${key} must be between 0 and 1`;
      next[key] = value;
    }
    if (next.rateLimitPerMinute < 1) return 'rateLimitPerMinute must be ≥ 1';
    faults = next;
    return undefined;
  }

  let server: Server | undefined;
  let port = 0;
  const sockets = new Set<Socket>();

  return {
    store,
    credentials,
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    async listen(listenPort = 0, host = '127.0.0.1') {
      server = createServer((request, response) => {
        handle(request, response).catch((error: unknown) => {
          if (!response.headersSent)
            send(response, 400, { error: error instanceof Error ? error.message : String(error) });
          else response.destroy();
        });
      });
      server.keepAliveTimeout = 65_000;
      server.on('connection', (socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(listenPort, host, () => resolve());
      });
      port = (server.address() as AddressInfo).port;
      return this.url;
    },
    async close() {
      if (!server) return;
      const closing = new Promise<void>((resolve) => server!.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closing;
      server = undefined;
    },
    faults: () => ({ ...faults }),
    setFaults(partial) {
      const problem = applyFaults(partial);
      if (problem) throw new RangeError(problem);
      return { ...faults };
    },
    stats: () => ({ ...stats }),
    now: () => clock(),
  };
}

/** Parses a fixture file's content: `{"trades": [...]}` in the response shape. */
export function parseFixture(text: string): SandboxTrade[] {
  const parsed = JSON.parse(text) as { trades?: unknown };
  if (!Array.isArray(parsed.trades)) throw new Error('a WDT sandbox fixture is {"trades": [...]}');
  for (const [index, trade] of parsed.trades.entries()) {
    const t = trade as Partial<SandboxTrade> | null;
    if (typeof t?.trade_no !== 'string' || filedUnder(t as SandboxTrade) === '') {
      throw new Error(
        `fixture trades[${index}] needs trade_no and modified (a broken trade without modified: created)`,
      );
    }
  }
  return parsed.trades as SandboxTrade[];
}
