import { createHash } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { sleep } from '@app/runtime';
import { readBody } from '@app/sandbox-catalog';
import { tryParseWdtTime } from '@app/contracts';
import { type WdtParams } from '@app/wdt-client';
import { authenticate } from './gateway-auth';
import { ApiAnswer, SANDBOX_PARAMETER_ERROR_CODE, type WdtSandboxContext } from './sandbox-types';
import { type SandboxTrade } from './trade-generator';
import { filedUnder, type TradeFilter } from './trade-store';
import { MAX_BODY_BYTES, sendWdt } from './wdt-http';

/** The API routes: Qimen's router and the native live / archive trade queries. */
export const QUERY_PATHS = new Set([
  '/router/qm',
  '/openapi2/trade_query.php',
  '/openapi2/his_trade_query.php',
]);

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

/** Sliding one-minute quota over accepted calls (real time, whatever the sandbox clock says). */
export class MinuteQuota {
  private readonly accepted: number[] = [];

  exceeded(perMinute: number): boolean {
    const now = performance.now();
    while (this.accepted.length > 0 && this.accepted[0] <= now - 60_000) this.accepted.shift();
    if (this.accepted.length >= perMinute) return true;
    this.accepted.push(now);
    return false;
  }
}

/** `POST` to one of QUERY_PATHS: the parameters from the query string and the form body. */
export async function handleTradeQuery(
  ctx: WdtSandboxContext,
  quota: MinuteQuota,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
): Promise<void> {
  if (request.method !== 'POST') return sendWdt(response, 405, { error: 'POST only' });
  const body = await readBody(request, MAX_BODY_BYTES);
  const params: WdtParams = {
    ...Object.fromEntries(url.searchParams),
    ...Object.fromEntries(new URLSearchParams(body)),
  };
  const path = url.pathname;
  const answer =
    path === '/router/qm'
      ? await answerQuery(ctx, quota, 'qimen', params)
      : await answerQuery(
          ctx,
          quota,
          'openapi',
          params,
          path === '/openapi2/trade_query.php' ? 'live' : 'archive',
        );
  return sendWdt(response, answer.status, answer.body);
}

/** Latency, authentication, injected faults and the quota, then the page of matching trades. */
async function answerQuery(
  ctx: WdtSandboxContext,
  quota: MinuteQuota,
  route: 'qimen' | 'openapi',
  params: WdtParams,
  archive: 'live' | 'archive' | 'all' = 'all',
): Promise<ApiAnswer> {
  const { stats } = ctx;
  const wrap = (body: Record<string, unknown>) =>
    new ApiAnswer(route === 'qimen' ? { response: body } : body);
  stats.calls++;
  if (ctx.faults.latencyMs > 0) await sleep(ctx.faults.latencyMs);
  const denied = authenticate(ctx, route, params);
  if (denied) {
    stats.authFailures++;
    return denied;
  }
  if (ctx.faults.serverErrorRate > 0 && ctx.faultRandom() < ctx.faults.serverErrorRate) {
    stats.injectedErrors++;
    return new ApiAnswer({ error: 'bad gateway' }, 502);
  }
  if (ctx.faults.errorRate > 0 && ctx.faultRandom() < ctx.faults.errorRate) {
    stats.injectedErrors++;
    stats.rateLimited++;
    return wrap({ code: 1012, message: '调用太频繁，请稍后再试' });
  }
  if (quota.exceeded(ctx.faults.rateLimitPerMinute)) {
    stats.rateLimited++;
    return wrap({
      code: 1012,
      message: `调用太频繁 (more than ${ctx.faults.rateLimitPerMinute} calls per minute)`,
    });
  }
  stats.accepted++;
  const parsed = parseQuery(params, ctx.maxSpanSeconds);
  if (typeof parsed === 'string') {
    stats.parameterErrors++;
    return wrap({ code: SANDBOX_PARAMETER_ERROR_CODE, message: parsed });
  }
  return wrap(await servePage(ctx, route, parsed, archive));
}

/** The page of trades matching a parsed query (malformed ones as the faults ask); tells onPageServed. */
async function servePage(
  ctx: WdtSandboxContext,
  route: 'qimen' | 'openapi',
  parsed: { filter: TradeFilter; pageNo: number; pageSize: number },
  archive: 'live' | 'archive' | 'all',
): Promise<Record<string, unknown>> {
  const horizon = ctx.clock() - ctx.archiveAfterMs;
  const matching = ctx.store
    .query(parsed.filter, ctx.clock())
    .filter((trade) =>
      archive === 'all' ? true : (archive === 'archive') === tryParseWdtTime(filedUnder(trade))! < horizon,
    );
  const page = matching.slice(parsed.pageNo * parsed.pageSize, (parsed.pageNo + 1) * parsed.pageSize);
  const { malformedRate } = ctx.faults;
  const trades =
    malformedRate > 0
      ? page.map((trade) =>
          unitHash(`${trade.trade_no}|${trade.modified}`) < malformedRate ? malformed(trade) : trade,
        )
      : page;
  await ctx.options.onPageServed?.({
    route,
    filter: parsed.filter,
    pageNo: parsed.pageNo,
    pageSize: parsed.pageSize,
    totalCount: matching.length,
    tradeNos: page.map((trade) => trade.trade_no),
  });
  return { code: 0, message: '', total_count: matching.length, trades };
}

type IntParam = (name: string, min: number, max: number, fallback: number) => number | string;

/** Validates the business parameters into a filter and paging, or answers the parameter error. */
export function parseQuery(
  params: WdtParams,
  maxSpanSeconds: number,
): { filter: TradeFilter; pageNo: number; pageSize: number } | string {
  const intParam: IntParam = (name, min, max, fallback) => {
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
    const problem = windowFilter(filter, text, intParam, maxSpanSeconds);
    if (problem) return problem;
  }
  return { filter, pageNo, pageSize };
}

/** A time-window query: start and end, the span, status, shop, warehouse, logistics flag. */
function windowFilter(
  filter: TradeFilter,
  text: (name: string) => string | undefined,
  intParam: IntParam,
  maxSpanSeconds: number,
): string | undefined {
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
  return undefined;
}
