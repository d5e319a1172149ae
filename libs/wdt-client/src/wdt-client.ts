import {
  formatWdtTime,
  parseWdtTrade,
  wdtModifiedOf,
  wdtTradeNoOf,
  type ApiOutcome,
  type WdtTrade,
} from '@app/contracts';
import { type Metrics } from '@app/observability';
import { CallRateLimiter, type RateLimiter } from '@app/runtime';
import { mapWdtFailure, type WdtFailure } from './wdt-errors';
import { openapiSign, qimenSign, type WdtParams } from './wdt-signer';
import {
  type InvalidTrade,
  type TradePage,
  type TradeQuery,
  type WdtClientOptions,
  type WdtRoute,
} from './wdt-client.types';

export const WDT_TRADE_QUERY_METHOD = 'wdt.trade.query';
export const WDT_ROUTE_PATHS: Record<WdtRoute, string> = {
  qimen: '/router/qm',
  openapi: '/openapi2/trade_query.php',
};
/** The native route's archive of old orders (official doc page of `trade_query.php`). */
export const WDT_ARCHIVE_PATH = '/openapi2/his_trade_query.php';

type WdtMetrics = Pick<Metrics, 'wdtRequests' | 'wdtDuration'>;

class WdtCallFailed extends Error {
  constructor(readonly failure: WdtFailure) {
    super(failure.kind);
  }
}

const asString = (value: unknown): string | null => (typeof value === 'string' ? value : null);
/** A JSON scalar as text; objects and arrays give ''. */
const scalar = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Business parameters on the wire: snake_case, strings, blanks left out. */
export function tradeQueryParams(query: TradeQuery): WdtParams {
  const entries: Array<[string, string | number | undefined]> = [
    ['start_time', query.startTime],
    ['end_time', query.endTime],
    ['status', query.status],
    ['shop_no', query.shopNo],
    ['warehouse_no', query.warehouseNo],
    ['trade_no', query.tradeNo],
    ['src_tid', query.srcTid],
    ['logistics_no', query.logisticsNo],
    ['goodstax', query.goodstax],
    ['has_logistics_no', query.hasLogisticsNo],
    ['src', query.src],
    ['page_no', query.pageNo ?? 0],
    ['page_size', query.pageSize ?? 40],
  ];
  const params: WdtParams = {};
  for (const [key, value] of entries) if (value !== undefined && value !== '') params[key] = String(value);
  return params;
}

/**
 * The WDT order query (`wdt.trade.query` over Qimen, or `trade_query.php` natively): signs, rate
 * limits, times out, parses both envelopes, validates each trade and maps failures onto the error
 * roots (see wdt-errors.ts). Knows nothing of Kafka or the database.
 */
export class WdtClient {
  readonly limiter: RateLimiter;
  private readonly timeoutMs: number;
  private readonly backoffMs: number;
  private readonly now: () => number;
  private readonly fetchImpl: typeof fetch;
  private serverOffsetMs: number | undefined;

  constructor(
    private readonly options: WdtClientOptions,
    private readonly metrics?: WdtMetrics,
    limiter?: RateLimiter,
  ) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.backoffMs = options.rateLimitBackoffMs ?? 30_000;
    this.now = options.now ?? Date.now;
    this.fetchImpl = options.fetch ?? fetch;
    this.limiter = limiter ?? new CallRateLimiter({ callsPerMinute: options.rateLimitPerMinute ?? 60 });
  }

  /**
   * WDT's clock minus ours, from the `Date` header of its last answer (whole seconds, so WDT's time
   * is never overestimated); undefined before the first answer. WDT stamps `modified` with its own
   * clock: a caller that plans windows up to "now" must not run ahead of it.
   */
  get serverClockOffsetMs(): number | undefined {
    return this.serverOffsetMs;
  }

  get route(): WdtRoute {
    return this.options.route;
  }

  /** One page of trades. Throws RetriableError / NonRetriableError / FatalError. */
  async queryTrades(query: TradeQuery): Promise<TradePage> {
    await this.limiter.acquire();
    const started = performance.now();
    let outcome: ApiOutcome = 'success';
    try {
      const body = await this.call(tradeQueryParams(query), query.archive === true);
      const page = this.parsePage(body, query);
      this.limiter.onSuccess();
      return page;
    } catch (error) {
      if (!(error instanceof WdtCallFailed)) throw error;
      const mapped = mapWdtFailure(error.failure, {
        route: this.options.route,
        rateLimitBackoffMs: this.backoffMs,
      });
      outcome = mapped.outcome;
      if (outcome === 'rate_limited') this.limiter.onThrottled();
      throw mapped.error;
    } finally {
      const labels = { method: WDT_TRADE_QUERY_METHOD, outcome };
      this.metrics?.wdtRequests.inc(labels);
      this.metrics?.wdtDuration.observe(labels, (performance.now() - started) / 1000);
    }
  }

  /** Every page of a query in order, with a flag when `total_count` changed between pages. */
  async queryAllTrades(query: TradeQuery): Promise<{ pages: TradePage[]; totalCountChanged: boolean }> {
    const first = await this.queryTrades({ ...query, pageNo: 0 });
    const pages = [first];
    const pageCount = Math.ceil(first.totalCount / first.pageSize);
    let totalCountChanged = false;
    for (let pageNo = 1; pageNo < pageCount; pageNo++) {
      const page = await this.queryTrades({ ...query, pageNo });
      if (page.totalCount !== first.totalCount) totalCountChanged = true;
      pages.push(page);
    }
    return { pages, totalCountChanged };
  }

  /** The signed request parameters for a route (exposed for the independent signer check and tests). */
  signedParams(business: WdtParams): WdtParams {
    const o = this.options;
    if (o.route === 'qimen') {
      const params: WdtParams = {
        ...business,
        method: WDT_TRADE_QUERY_METHOD,
        app_key: o.qimenAppKey,
        target_app_key: o.targetAppKey,
        sid: o.sid,
        timestamp: formatWdtTime(this.now()),
        format: 'json',
        v: '2.0',
        sign_method: 'md5',
      };
      params.sign = qimenSign(params, o.qimenSecret);
      return params;
    }
    const params: WdtParams = {
      ...business,
      sid: o.sid,
      appkey: o.appKey,
      timestamp: String(Math.floor(this.now() / 1000)),
    };
    params.sign = openapiSign(params, o.appSecret);
    return params;
  }

  private async call(business: WdtParams, archive: boolean): Promise<unknown> {
    const params = new URLSearchParams(this.signedParams(business));
    const base = this.options.baseUrl.replace(/\/+$/, '');
    const qimen = this.options.route === 'qimen';
    const path = archive && !qimen ? WDT_ARCHIVE_PATH : WDT_ROUTE_PATHS[this.options.route];
    const url = qimen ? `${base}${path}?${params.toString()}` : `${base}${path}`;
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded;charset=utf-8',
          accept: 'application/json',
        },
        body: qimen ? '' : params.toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
      const date = Date.parse(response.headers.get('date') ?? '');
      if (!Number.isNaN(date)) this.serverOffsetMs = date - this.now();
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new WdtCallFailed({ kind: 'timeout', timeoutMs: this.timeoutMs });
      }
      throw new WdtCallFailed({ kind: 'network', cause: error });
    }
    if (!response.ok) throw new WdtCallFailed({ kind: 'http', status: response.status });
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new WdtCallFailed({ kind: 'malformed', detail: `not JSON (${text.length} characters)` });
    }
  }

  private parsePage(json: unknown, query: TradeQuery): TradePage {
    if (!isObject(json))
      throw new WdtCallFailed({ kind: 'malformed', detail: 'the body is not a JSON object' });
    // a TOP-style gateway answer (Qimen rides on TOP): {"error_response": {code, msg, sub_code, sub_msg}}
    if (isObject(json.error_response) && !isObject(json.response)) {
      const top = json.error_response;
      throw new WdtCallFailed({
        kind: 'top',
        code: scalar(top.code),
        subCode: asString(top.sub_code) ?? undefined,
        message: scalar(top.sub_msg ?? top.sub_message ?? top.msg ?? top.message),
      });
    }
    const body = isObject(json.response) ? json.response : json;
    if (body.flag === 'failure') {
      throw new WdtCallFailed({
        kind: 'vendor',
        gateway: true,
        code: scalar(body.code),
        subCode: asString(body.sub_code) ?? undefined,
        message: scalar(body.sub_message ?? body.sub_msg ?? body.message ?? body.msg),
      });
    }
    const code = body.code ?? body.errorcode;
    if (code === undefined || code === null) {
      throw new WdtCallFailed({ kind: 'malformed', detail: 'neither code nor errorcode in the answer' });
    }
    if (scalar(code) !== '0') {
      throw new WdtCallFailed({
        kind: 'vendor',
        gateway: false,
        code: scalar(code),
        message: scalar(body.message),
      });
    }
    const totalCount = Number(body.total_count);
    if (body.total_count === undefined || !Number.isInteger(totalCount) || totalCount < 0) {
      throw new WdtCallFailed({ kind: 'malformed', detail: 'total_count missing or not a count' });
    }
    const rawTrades = body.trades ?? [];
    if (!Array.isArray(rawTrades))
      throw new WdtCallFailed({ kind: 'malformed', detail: 'trades is not an array' });
    const trades: WdtTrade[] = [];
    const sent: unknown[] = [];
    const invalid: InvalidTrade[] = [];
    rawTrades.forEach((raw: unknown, position) => {
      const parsed = parseWdtTrade(raw);
      if (parsed.ok) {
        trades.push(parsed.trade);
        sent.push(raw);
      } else {
        invalid.push({
          tradeNo: wdtTradeNoOf(raw) ?? null,
          modified: wdtModifiedOf(raw) ?? null,
          position,
          reason: parsed.error.message,
          problemReason: parsed.error.reason,
          raw,
        });
      }
    });
    return {
      pageNo: query.pageNo ?? 0,
      pageSize: query.pageSize ?? 40,
      totalCount,
      trades,
      sent,
      invalid,
    };
  }
}

/** Undefined when the trade passes the tolerant `parseWdtTrade` contract, else every problem in one line. */
export function validateTrade(raw: unknown): string | undefined {
  const parsed = parseWdtTrade(raw);
  return parsed.ok ? undefined : parsed.error.message;
}
