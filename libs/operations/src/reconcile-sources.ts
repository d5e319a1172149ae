import { type Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { deadLetterTopic, formatWdtTime, Headers, tryParseWdtTime, wdtTradeNoOf } from '@app/contracts';
import { headerText } from '@app/kafka';
import { mapTrade, type MappingRules } from '@app/mapping';
import { LedgerQueries, type LedgerRow } from '@app/persistence';
import { rangesForTimes, readRanges } from '@app/replay';
import { backoffDelay, sleep } from '@app/runtime';
import {
  reconcile,
  type DeadLetterHop,
  type DeadLetterView,
  type LedgerView,
  type MasterDataIds,
  type ReconciliationReport,
  type XingchenOrderView,
} from '@app/reconciliation';
import { type WdtClient } from '@app/wdt-client';
import { type XingchenClient } from '@app/xingchen-client';

const MAX_WINDOW_MS = 3600 * 1000;

/** The WDT side of a reconciliation: every trade as WDT sent it, and where it was read. */
export interface WdtTradeRead {
  trades: unknown[];
  /** `<window start> page <n> #<index>`, same order as `trades`: names a trade without trade_no. */
  positions: string[];
}

/**
 * Every trade modified in [fromMs, toMs] through the WDT API (hour windows, every page), latest
 * version each, read through the same tolerant parser as the pipeline: a trade the parser refuses
 * is still returned (by trade_no, or by its position when even that is missing), never dropped.
 */
export async function fetchWdtTrades(wdt: WdtClient, fromMs: number, toMs: number): Promise<WdtTradeRead> {
  const latest = new Map<string, { raw: unknown; modifiedMs: number; position: string }>();
  const keep = (key: string, raw: unknown, modified: string | null, position: string) => {
    const modifiedMs = (modified === null ? undefined : tryParseWdtTime(modified)) ?? -1;
    const known = latest.get(key);
    if (!known || known.modifiedMs <= modifiedMs) latest.set(key, { raw, modifiedMs, position });
  };
  for (let start = fromMs; start <= toMs; start += MAX_WINDOW_MS) {
    const end = Math.min(toMs, start + MAX_WINDOW_MS - 1000);
    const { pages } = await retrying(() =>
      wdt.queryAllTrades({ startTime: formatWdtTime(start), endTime: formatWdtTime(end), pageSize: 100 }),
    );
    for (const page of pages) {
      const where = (index: number) => `${formatWdtTime(start)} page ${page.pageNo} #${index}`;
      page.trades.forEach((trade, index) =>
        keep(trade.trade_no, page.sent[index] ?? trade, trade.modified, where(index)),
      );
      for (const bad of page.invalid)
        keep(bad.tradeNo ?? where(bad.position), bad.raw, bad.modified, where(bad.position));
    }
  }
  const entries = [...latest.values()];
  return { trades: entries.map((e) => e.raw), positions: entries.map((e) => e.position) };
}

/** The DLQ topics of a pipeline: raw (extractor and transformer), raw replay (transformer), normalized (loader). */
export interface DeadLetterTopics {
  raw: string;
  replay: string;
  normalized: string;
}

/**
 * Every dead letter of the pipeline's three DLQs, attributed to a trade (the record's key, which
 * every hop sets to trade_no / bill no) and a hop (`dlq-hop` when the extractor set it; otherwise
 * the transformer for the raw DLQs and the loader for the normalized DLQ).
 */
export async function fetchDeadLetters(kafka: Kafka, topics: DeadLetterTopics): Promise<DeadLetterView[]> {
  const letters: DeadLetterView[] = [];
  const admin = kafka.admin();
  await admin.connect();
  let existing: Set<string>;
  try {
    existing = new Set(await admin.listTopics());
  } finally {
    await admin.disconnect();
  }
  const sources: Array<[string, DeadLetterHop]> = [
    [deadLetterTopic(topics.raw), 'transformer'],
    [deadLetterTopic(topics.replay), 'transformer'],
    [deadLetterTopic(topics.normalized), 'loader'],
  ];
  for (const [topic, defaultHop] of sources) {
    if (!existing.has(topic)) continue;
    const ranges = await rangesForTimes(kafka, topic);
    await readRanges(kafka, topic, ranges, `erpsync.reconcile.${randomUUID()}`, async ({ message }) => {
      const header = (name: string): string | undefined => headerText(message.headers, name);
      const hop = header(Headers.dlqHop);
      const key = message.key?.toString();
      letters.push({
        tradeNo: key && key !== '' ? key : `?${header(Headers.dlqSourcePosition) ?? message.offset}`,
        hop: hop === 'extractor' || hop === 'transformer' || hop === 'loader' ? hop : defaultHop,
        reason: header(Headers.dlqErrorDetail) ?? header(Headers.dlqErrorReason) ?? 'unknown',
        message: header(Headers.dlqErrorMessage) ?? '',
        sourceModified: header(Headers.sourceModified),
        failedAt: header(Headers.dlqFailedAt),
      });
      return Promise.resolve();
    });
  }
  return letters;
}

/** A ledger row in the terms of the reconciliation. */
export const ledgerViewOf = (row: LedgerRow): LedgerView => ({
  billNo: row.billNo,
  status: row.status,
  sourceModified: row.sourceModified.toISOString(),
  contentHash: row.contentHash ?? undefined,
  xingchenId: row.xingchenId ?? undefined,
  lastErrorCode: row.lastErrorCode ?? undefined,
  lastErrorMessage: row.lastErrorMessage ?? undefined,
});

/** The ledger rows of these bill numbers. */
export async function fetchLedger(databaseUrl: string, billNos: string[]): Promise<LedgerView[]> {
  const rows = await LedgerQueries.using(databaseUrl, (queries) => queries.rows(billNos));
  return rows.map(ledgerViewOf);
}

/** The Xingchen orders of these bill numbers (all of them, so duplicates show) with their saved lines. */
export async function fetchXingchenOrders(
  xingchen: XingchenClient,
  billNos: Set<string>,
): Promise<XingchenOrderView[]> {
  const summaries = [];
  for (let page = 1; ; page++) {
    const list = await retrying(() => xingchen.listSalesOrders(page, 100));
    summaries.push(...list.rows.filter((row) => billNos.has(row.billNo)));
    if (page >= list.totalPages) break;
  }
  const orders: XingchenOrderView[] = [];
  for (const summary of summaries) {
    const detail = await retrying(() => xingchen.getSalesOrder(summary.id));
    if (detail) orders.push({ ...detail, id: summary.id, billNo: summary.billNo });
  }
  return orders;
}

/** Number → id through the Xingchen look-ups, each number asked once. */
export async function resolveMasterData(
  xingchen: XingchenClient,
  numbers: { customers: Set<string>; materials: Set<string>; stores: Set<string> },
): Promise<MasterDataIds> {
  const customers = new Map<string, string>();
  const materials = new Map<string, { id: string; baseUnitId: string }>();
  const stores = new Map<string, string>();
  for (const number of numbers.customers) {
    const found = await retrying(() => xingchen.findCustomer(number));
    if (found) customers.set(number, found.id);
  }
  for (const number of numbers.materials) {
    const found = await retrying(() => xingchen.findMaterial(number));
    if (found) materials.set(number, { id: found.id, baseUnitId: found.baseUnitId });
  }
  for (const number of numbers.stores) {
    const found = await retrying(() => xingchen.findStore(number));
    if (found) stores.set(number, found.id);
  }
  return {
    customerId: (n) => customers.get(n),
    materialId: (n) => materials.get(n)?.id,
    baseUnitId: (n) => materials.get(n)?.baseUnitId,
    storeId: (n) => stores.get(n),
  };
}

/** The period's reconciliation through the real (or sandbox) APIs and the ledger. */
export async function reconcileThroughApis(input: {
  wdt: WdtClient;
  xingchen: XingchenClient;
  databaseUrl: string;
  rules: MappingRules;
  fromMs: number;
  toMs: number;
  /** The broker and the pipeline's topics: the DLQs of every hop are read from them. */
  kafka?: Kafka;
  topics?: DeadLetterTopics;
}): Promise<ReconciliationReport> {
  const { trades, positions } = await fetchWdtTrades(input.wdt, input.fromMs, input.toMs);
  const billNos = trades.map((trade, index) => wdtTradeNoOf(trade) ?? positions[index]);
  const [ledger, xingchenOrders, masterData, deadLetters] = await Promise.all([
    fetchLedger(input.databaseUrl, billNos),
    fetchXingchenOrders(input.xingchen, new Set(billNos)),
    resolveMasterData(input.xingchen, masterDataNumbers(trades, input.rules)),
    input.kafka && input.topics ? fetchDeadLetters(input.kafka, input.topics) : Promise.resolve([]),
  ]);
  return reconcile({
    trades,
    positions,
    deadLetters,
    ledger,
    xingchenOrders,
    masterData,
    rules: input.rules,
    period: { from: formatWdtTime(input.fromMs), to: formatWdtTime(input.toMs) },
  });
}

/** The customer, material and store numbers the mapped orders of these trades refer to. */
export function masterDataNumbers(
  trades: unknown[],
  rules: MappingRules,
): { customers: Set<string>; materials: Set<string>; stores: Set<string> } {
  const numbers = { customers: new Set<string>(), materials: new Set<string>(), stores: new Set<string>() };
  for (const trade of trades) {
    const result = mapTrade(trade, rules);
    if (result.outcome !== 'mapped') continue;
    numbers.customers.add(result.order.customerNumber);
    for (const line of result.order.lines) {
      numbers.materials.add(line.materialNumber);
      numbers.stores.add(line.storeNumber);
    }
  }
  return numbers;
}

/** Retriable API errors (quota, 5xx) are waited out a few times: a reconciliation should not die of a 429. */
async function retrying<T>(call: () => Promise<T>, attempts = 6): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const retriable = (error as { retriable?: boolean }).retriable === true;
      if (!retriable || attempt >= attempts) throw error;
      // 1 s doubling (attempt 1 waits 1 s), never more than 30 s even when asked to
      const backoff = backoffDelay(attempt, { initialMs: 1000, maxMs: Infinity, jitter: 'none' });
      const wait = Math.max((error as { retryAfterMs?: number }).retryAfterMs ?? 0, backoff);
      await sleep(Math.min(wait, 30000));
    }
  }
}
