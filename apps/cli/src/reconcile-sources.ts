import { type WdtTrade, formatWdtTime } from '@app/contracts';
import { mapTrade, type MappingRules } from '@app/mapping';
import {
  reconcile,
  type LedgerView,
  type MasterDataIds,
  type ReconciliationReport,
  type XingchenOrderView,
} from '@app/reconciliation';
import { type WdtClient } from '@app/wdt-client';
import { type XingchenClient } from '@app/xingchen-client';
import { Client } from 'pg';

const MAX_WINDOW_MS = 3600 * 1000;

/** Every trade modified in [fromMs, toMs] through the WDT API (hour windows, every page), latest version each. */
export async function fetchWdtTrades(wdt: WdtClient, fromMs: number, toMs: number): Promise<WdtTrade[]> {
  const latest = new Map<string, WdtTrade>();
  for (let start = fromMs; start <= toMs; start += MAX_WINDOW_MS) {
    const end = Math.min(toMs, start + MAX_WINDOW_MS - 1000);
    const { pages } = await retrying(() =>
      wdt.queryAllTrades({ startTime: formatWdtTime(start), endTime: formatWdtTime(end), pageSize: 100 }),
    );
    for (const trade of pages.flatMap((page) => page.trades)) {
      const known = latest.get(trade.trade_no);
      if (!known || known.modified <= trade.modified) latest.set(trade.trade_no, trade);
    }
  }
  return [...latest.values()];
}

/** The ledger rows of these bill numbers. */
export async function fetchLedger(databaseUrl: string, billNos: string[]): Promise<LedgerView[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const result = await client.query<{
      bill_no: string;
      status: string;
      source_modified: Date | null;
      content_hash: string | null;
      xingchen_id: string | null;
      last_error_code: string | null;
      last_error_message: string | null;
    }>(
      `SELECT bill_no, status, source_modified, content_hash, xingchen_id, last_error_code, last_error_message
         FROM sales_order_ledger WHERE bill_no = ANY($1)`,
      [billNos],
    );
    return result.rows.map((row) => ({
      billNo: row.bill_no,
      status: row.status,
      sourceModified: row.source_modified?.toISOString(),
      contentHash: row.content_hash ?? undefined,
      xingchenId: row.xingchen_id ?? undefined,
      lastErrorCode: row.last_error_code ?? undefined,
      lastErrorMessage: row.last_error_message ?? undefined,
    }));
  } finally {
    await client.end();
  }
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
}): Promise<ReconciliationReport> {
  const trades = await fetchWdtTrades(input.wdt, input.fromMs, input.toMs);
  const billNos = trades.map((trade) => trade.trade_no);
  const [ledger, xingchenOrders, masterData] = await Promise.all([
    fetchLedger(input.databaseUrl, billNos),
    fetchXingchenOrders(input.xingchen, new Set(billNos)),
    resolveMasterData(input.xingchen, masterDataNumbers(trades, input.rules)),
  ]);
  return reconcile({
    trades,
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
      const wait = Math.max((error as { retryAfterMs?: number }).retryAfterMs ?? 0, 500 * 2 ** attempt);
      await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 30000)));
    }
  }
}
