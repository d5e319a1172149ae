import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { tryParseWdtTime, wdtModifiedOf, wdtTradeStatusOf } from '@app/contracts';

/** A WDT time (Beijing) as ISO-8601, as every time the API answers; unreadable text as it came. */
const wdtTimeIso = (text: string | null | undefined): string | undefined => {
  if (text === null || text === undefined) return undefined;
  const ms = tryParseWdtTime(text);
  return ms === undefined ? text : new Date(ms).toISOString();
};
import { type MappingRules } from '@app/mapping';
import { ledgerViewOf, masterDataNumbers, resolveMasterData } from '@app/operations';
import { OrderQueries, type LedgerStatus, type OrderListRow, type OrderSearch } from '@app/persistence';
import { reconcile, type ReconciliationReport } from '@app/reconciliation';
import { type WdtClient } from '@app/wdt-client';
import { type XingchenClient } from '@app/xingchen-client';
import { type OrderDetail, type OrderReconciliation, type OrderSummary, type Page } from '../console-api';
import { CONSOLE_RULES, CONSOLE_WDT, CONSOLE_XINGCHEN } from '../console.tokens';
import { bodyView } from '../http/masking';

export const LEDGER_STATUSES: readonly LedgerStatus[] = [
  'pending',
  'synced',
  'rejected',
  'failed',
  'cancelled_in_source',
  'audited_in_xingchen',
];

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

export const orderSummary = (row: OrderListRow): OrderSummary => ({
  billNo: row.billNo,
  tradeId: row.tradeId,
  status: row.status,
  xingchenId: row.xingchenId,
  sourceModified: row.sourceModified.toISOString(),
  attempts: row.attempts,
  lastErrorCode: row.lastErrorCode,
  lastErrorMessage: row.lastErrorMessage,
  lastSyncedAt: iso(row.lastSyncedAt),
  updatedAt: row.updatedAt.toISOString(),
});

/** Which list of a one-trade report names the bill: the order's reconciliation state. */
export function orderState(report: ReconciliationReport, billNo: string): OrderReconciliation {
  const lists: Array<[string, keyof ReconciliationReport]> = [
    ['missing', 'missing'],
    ['duplicated', 'duplicated'],
    ['stale', 'stale'],
    ['drifted', 'mismatched'],
    ['rejected', 'rejected'],
    ['cancelled_in_source', 'cancelledInSource'],
    ['audited_in_xingchen', 'auditedInXingchen'],
    ['invalid', 'invalid'],
  ];
  for (const [state, key] of lists) {
    const entry = (
      report[key] as Array<{
        billNo: string;
        reason: string;
        detail?: string;
        differences?: OrderReconciliation['differences'];
        xingchenIds?: string[];
      }>
    ).find((e) => e.billNo === billNo);
    if (entry)
      return {
        state,
        detail: [entry.reason, entry.detail].filter(Boolean).join(': '),
        differences: entry.differences ?? [],
        xingchenIds: entry.xingchenIds ?? [],
      };
  }
  if (report.counts.inSync > 0) return { state: 'in_sync', differences: [], xingchenIds: [] };
  if (report.counts.filtered > 0)
    return { state: 'not_owed', detail: 'filtered by the mapping rules', differences: [], xingchenIds: [] };
  return {
    state: 'unknown',
    detail: 'the reconciliation did not name this bill',
    differences: [],
    xingchenIds: [],
  };
}

/** The orders pages: the ledger searched server-side, one order with its attempts, WDT state and diff. */
@Injectable()
export class OrdersService {
  constructor(
    private readonly queries: OrderQueries,
    @Inject(CONSOLE_WDT) private readonly wdt: WdtClient,
    @Inject(CONSOLE_XINGCHEN) private readonly xingchen: XingchenClient,
    @Inject(CONSOLE_RULES) private readonly rules: MappingRules,
  ) {}

  async search(search: OrderSearch): Promise<Page<OrderSummary>> {
    const { rows, total } = await this.queries.search(search);
    return { rows: rows.map(orderSummary), total, page: search.page, pageSize: search.pageSize };
  }

  async detail(billNo: string, reveal: boolean): Promise<OrderDetail> {
    const row = await this.queries.order(billNo);
    if (!row) throw new NotFoundException(`no order ${billNo} in the ledger`);
    const [attempts, wdt] = await Promise.all([this.queries.attempts(billNo), this.wdtTrade(row.billNo)]);
    return {
      order: {
        ...orderSummary(row),
        contentHash: row.contentHash,
        syncedContentHash: row.syncedContentHash,
        pendingOperation: row.pendingOperation,
        firstSyncedAt: iso(row.firstSyncedAt),
        cancelledAt: iso(row.cancelledAt),
      },
      wdt: wdt.view,
      attempts: attempts.map((a) => ({
        id: a.id,
        attemptedAt: a.attemptedAt.toISOString(),
        operation: a.operation,
        outcome: a.outcome,
        xingchenId: a.xingchenId,
        durationMs: a.durationMs,
        errorCode: a.errorCode,
        errorMessage: a.errorMessage,
        request: bodyView(a.requestBody, reveal),
        response:
          a.responseStatus === null && a.responseBody === null
            ? null
            : { status: a.responseStatus, body: bodyView(a.responseBody, reveal) },
      })),
      reconciliation: await this.reconcileOne(row, wdt.raw, wdt.view.error),
      masked: !reveal,
    };
  }

  /** The trade as WDT has it now: the bill number is WDT's trade_no. */
  private async wdtTrade(tradeNo: string): Promise<{ view: OrderDetail['wdt']; raw?: unknown }> {
    try {
      const { pages } = await this.wdt.queryAllTrades({ tradeNo, pageSize: 10 });
      for (const page of pages) {
        const index = page.trades.findIndex((t) => t.trade_no === tradeNo);
        if (index >= 0) {
          const raw = page.sent[index] ?? page.trades[index];
          const status = wdtTradeStatusOf(raw);
          return {
            view: {
              found: true,
              status: status === undefined ? undefined : String(status),
              modified: wdtTimeIso(wdtModifiedOf(raw)),
            },
            raw,
          };
        }
        const bad = page.invalid.find((t) => t.tradeNo === tradeNo);
        if (bad)
          return {
            view: {
              found: true,
              modified: wdtTimeIso(bad.modified),
              error: 'WDT sent this trade in a shape the parser refuses',
            },
            raw: bad.raw,
          };
      }
      return { view: { found: false } };
    } catch (error) {
      return {
        view: {
          found: false,
          error: `WDT could not be asked: ${error instanceof Error ? error.message : String(error)}`,
        },
      };
    }
  }

  /** The reconciliation of this one trade: WDT's version mapped, the ledger row, what Xingchen holds. */
  private async reconcileOne(
    row: OrderListRow,
    trade: unknown,
    wdtError?: string,
  ): Promise<OrderReconciliation> {
    if (trade === undefined)
      return {
        state: 'unknown',
        detail: wdtError ?? `WDT has no trade ${row.billNo}`,
        differences: [],
        xingchenIds: [],
      };
    try {
      const summary = await this.xingchen.findSalesOrderByBillNo(row.billNo);
      const detail = summary ? await this.xingchen.getSalesOrder(summary.id) : null;
      const masterData = await resolveMasterData(this.xingchen, masterDataNumbers([trade], this.rules));
      const report = reconcile({
        trades: [trade],
        ledger: [ledgerViewOf(row)],
        xingchenOrders: summary && detail ? [{ ...detail, id: summary.id, billNo: summary.billNo }] : [],
        masterData,
        rules: this.rules,
      });
      return orderState(report, row.billNo);
    } catch (error) {
      return {
        state: 'unknown',
        detail: `Xingchen could not be read: ${error instanceof Error ? error.message : String(error)}`,
        differences: [],
        xingchenIds: [],
      };
    }
  }
}
