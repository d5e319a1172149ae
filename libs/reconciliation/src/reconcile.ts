import { type NormalizedSalesOrder, wdtTradeNoOf, wdtTradeStatusOf } from '@app/contracts';
import { CANCELLED_STATUS, decimalEquals, mapTrade, type MappingRules } from '@app/mapping';
import {
  type DeadLetteredEntry,
  type DeadLetterView,
  type FieldDifference,
  type LedgerView,
  type MasterDataIds,
  type ReconciliationReport,
  type ReportEntry,
  type XingchenOrderView,
} from './reconciliation.types';

export interface ReconcileInput {
  /** The latest version of every WDT trade of the period (the source of truth), as WDT sent it. */
  trades: unknown[];
  /**
   * Where each trade was read (same order as `trades`, e.g. `2024-01-01 10:00:00 page 0 #3`): the
   * name of a trade that has no trade_no. Default `#<index>`.
   */
  positions?: Array<string | undefined>;
  /** Dead letters of every hop (the three DLQs, the loader's rejected/failed ledger rows are added). */
  deadLetters?: DeadLetterView[];
  ledger: LedgerView[];
  xingchenOrders: XingchenOrderView[];
  masterData: MasterDataIds;
  rules: MappingRules;
  period?: { from?: string; to?: string };
  /** Project custom field name on the saved order (the mapping's `project.field`). */
}

const sameDecimal = (a: string | undefined, b: string | undefined): boolean =>
  a !== undefined && b !== undefined && /^-?\d+(\.\d+)?$/.test(a) && /^-?\d+(\.\d+)?$/.test(b)
    ? decimalEquals(a, b)
    : a === b;

/** Field-level differences (neutral field names) between what the mapping rules say and what Xingchen holds. */
export function diffOrder(
  expected: NormalizedSalesOrder,
  actual: XingchenOrderView,
  ids: MasterDataIds,
): FieldDifference[] {
  const differences: FieldDifference[] = [];
  const compare = (field: string, want: string | undefined, have: string | undefined, decimal = false) => {
    if (decimal ? !sameDecimal(want, have) : want !== have)
      differences.push({ field, expected: want, actual: have });
  };
  compare('billDate', expected.billDate, actual.billDate);
  compare(
    'customerId',
    ids.customerId(expected.customerNumber) ?? `number:${expected.customerNumber}`,
    actual.customerId,
  );
  if (expected.project)
    compare(
      `customFields.${expected.project.field}`,
      expected.project.value,
      actual.customFields?.[expected.project.field],
    );
  if (expected.remark !== undefined) compare('remark', expected.remark, actual.remark);
  const lines = actual.lines ?? [];
  if (lines.length !== expected.lines.length) {
    differences.push({
      field: 'lines.length',
      expected: String(expected.lines.length),
      actual: String(lines.length),
    });
    return differences;
  }
  expected.lines.forEach((line, index) => {
    const have = lines[index];
    const at = `lines[${index}]`;
    compare(
      `${at}.materialId`,
      ids.materialId(line.materialNumber) ?? `number:${line.materialNumber}`,
      have.materialId,
    );
    compare(`${at}.storeId`, ids.storeId(line.storeNumber) ?? `number:${line.storeNumber}`, have.storeId);
    compare(
      `${at}.unitId`,
      ids.baseUnitId(line.materialNumber) ?? `base unit of ${line.materialNumber}`,
      have.unitId,
    );
    compare(`${at}.qty`, line.qty, have.qty, true);
    compare(`${at}.taxPrice`, line.taxPrice, have.taxPrice, true);
    compare(`${at}.taxPercent`, line.taxPercent, have.taxPercent, true);
    compare(`${at}.isFree`, String(line.isFree), have.isFree === undefined ? undefined : String(have.isFree));
  });
  return differences;
}

/** What one trade is compared with: its Xingchen orders, its ledger row, the dead letters of the period. */
interface Reconciliation {
  readonly input: ReconcileInput;
  readonly report: ReconciliationReport;
  readonly ordersByBill: ReadonlyMap<string, XingchenOrderView[]>;
  readonly ledgerByBill: ReadonlyMap<string, LedgerView>;
  readonly deadLetters: ReadonlyMap<string, DeadLetterView>;
}

/** One trade of the period: its mapping result, bill number, Xingchen orders and ledger row. */
interface TradeFacts {
  readonly billNo: string;
  readonly orders: XingchenOrderView[];
  readonly ledger: LedgerView | undefined;
  /** Owed to Xingchen: eligible, cancelled (the cancellation must be recorded) or of unknown status. */
  readonly owed: boolean;
}

/** A ledger row's status with its last error code: `rejected (1001)`. */
const statusWithCode = (row: LedgerView): string =>
  `${row.status}${row.lastErrorCode ? ` (${row.lastErrorCode})` : ''}`;

const idsOf = (orders: XingchenOrderView[]): string[] => orders.map((o) => o.id);

/**
 * Compares the three ledgers of a period: WDT (truth), the erpsync ledger, and Xingchen. Pure: the
 * callers fetch the data (through the APIs for `reconcile`, from the sandboxes for the fault checker).
 */
export function reconcile(input: ReconcileInput): ReconciliationReport {
  const ordersByBill = new Map<string, XingchenOrderView[]>();
  for (const order of input.xingchenOrders) {
    const list = ordersByBill.get(order.billNo) ?? [];
    list.push(order);
    ordersByBill.set(order.billNo, list);
  }
  const run: Reconciliation = {
    input,
    report: emptyReport(input),
    ordersByBill,
    ledgerByBill: new Map(input.ledger.map((row) => [row.billNo, row])),
    deadLetters: latestDeadLetters(input.deadLetters ?? [], input.ledger),
  };
  for (const [index, trade] of input.trades.entries()) reconcileTrade(run, trade, index);
  addCancelledBeforeCreate(run.report, input.ledger);
  return finish(run.report);
}

function emptyReport(input: ReconcileInput): ReconciliationReport {
  return {
    period: input.period,
    generatedAt: new Date().toISOString(),
    counts: {
      wdtTrades: input.trades.length,
      byStatus: {},
      expectedOrders: 0,
      xingchenOrders: input.xingchenOrders.length,
      ledgerRows: input.ledger.length,
      inSync: 0,
      missing: 0,
      duplicated: 0,
      stale: 0,
      mismatched: 0,
      rejected: 0,
      cancelledInSource: 0,
      auditedInXingchen: 0,
      invalid: 0,
      filtered: 0,
      deadLettered: 0,
    },
    missing: [],
    duplicated: [],
    stale: [],
    mismatched: [],
    rejected: [],
    cancelledInSource: [],
    auditedInXingchen: [],
    invalid: [],
    dead_lettered: [],
    clean: false,
  };
}

/** An owed trade lost to a dead letter is reported as dead_lettered (with its hop), not as missing. */
function lostTo(run: Reconciliation, billNo: string, sinceModified?: string): DeadLetteredEntry | undefined {
  const letter = run.deadLetters.get(billNo);
  if (!letter) return undefined;
  // a dead letter of an older version does not explain why the latest one is not in Xingchen
  if (
    sinceModified !== undefined &&
    letter.sourceModified !== undefined &&
    Date.parse(letter.sourceModified) < Date.parse(sinceModified)
  )
    return undefined;
  return { tradeNo: billNo, hop: letter.hop, reason: letter.reason, message: letter.message };
}

function reconcileTrade(run: Reconciliation, trade: unknown, index: number): void {
  const { input, report } = run;
  // the same tolerant reading as the pipeline's: "55" and 55 are one status, a number is a trade_no
  const statusCode = wdtTradeStatusOf(trade);
  const status = statusCode === undefined ? 'unknown' : String(statusCode);
  report.counts.byStatus[status] = (report.counts.byStatus[status] ?? 0) + 1;
  const owed =
    statusCode === undefined ||
    statusCode === CANCELLED_STATUS ||
    input.rules.statuses.eligible.includes(statusCode);
  const result = mapTrade(trade, input.rules);
  const billNo =
    result.outcome === 'mapped'
      ? result.order.billNo
      : result.outcome === 'cancelled'
        ? result.cancellation.billNo
        : (result.billNo ?? wdtTradeNoOf(trade) ?? input.positions?.[index] ?? `#${index}`);
  const facts: TradeFacts = {
    billNo,
    orders: run.ordersByBill.get(billNo) ?? [],
    ledger: run.ledgerByBill.get(billNo),
    owed,
  };
  const { orders, ledger } = facts;
  if (orders.length > 1)
    report.duplicated.push({ billNo, reason: 'more than one Xingchen order', xingchenIds: idsOf(orders) });
  if (ledger?.status === 'rejected' || ledger?.status === 'failed')
    report.rejected.push({ billNo, reason: statusWithCode(ledger), detail: ledger.lastErrorMessage });

  switch (result.outcome) {
    case 'cancelled':
      if (orders.length > 0)
        report.cancelledInSource.push({
          billNo,
          reason: 'cancelled in WDT after it was synced',
          xingchenIds: idsOf(orders),
        });
      break;
    case 'filtered':
      report.counts.filtered++;
      if (orders.length > 0 && result.reason === 'no_billable_lines')
        report.stale.push({
          billNo,
          reason: 'every line refunded in WDT, the Xingchen order still has lines',
          xingchenIds: idsOf(orders),
        });
      break;
    case 'invalid':
      reconcileInvalid(run, facts, result.reason, result.detail);
      break;
    case 'mapped':
      reconcileMapped(run, facts, result.order);
      break;
  }
}

function reconcileInvalid(run: Reconciliation, facts: TradeFacts, reason: string, detail: string): void {
  const { report } = run;
  const { billNo } = facts;
  report.counts.invalid++;
  report.invalid.push({ billNo, reason, detail });
  // a trade that is not eligible yet is not owed to Xingchen, mappable or not
  if (!facts.owed) return;
  const lost = lostTo(run, billNo);
  if (lost) report.dead_lettered.push(lost);
  else report.missing.push({ billNo, reason: `not mappable: ${reason}`, detail });
}

function reconcileMapped(run: Reconciliation, facts: TradeFacts, order: NormalizedSalesOrder): void {
  const { report } = run;
  const { billNo, orders, ledger } = facts;
  report.counts.expectedOrders++;
  if (orders.length === 0) {
    const lost = lostTo(run, billNo, order.source.modified);
    if (lost) report.dead_lettered.push(lost);
    else
      report.missing.push({
        billNo,
        reason: ledger ? `ledger says ${statusWithCode(ledger)}` : 'never reached the loader',
        detail: ledger?.lastErrorMessage,
      });
    return;
  }
  const differences = diffOrder(order, orders[0], run.input.masterData);
  if (differences.length === 0) {
    report.counts.inSync++;
    return;
  }
  if (ledger?.status === 'audited_in_xingchen' || orders[0].audited) {
    report.auditedInXingchen.push({
      billNo,
      reason: 'audited in Xingchen: the newer WDT version is not applied (never modified by erpsync)',
      differences,
      xingchenIds: idsOf(orders),
    });
    return;
  }
  const ledgerBehind =
    ledger?.sourceModified !== undefined &&
    Date.parse(ledger.sourceModified) < Date.parse(order.source.modified);
  const lost = lostTo(run, billNo, order.source.modified);
  if (lost && (ledgerBehind || !ledger)) report.dead_lettered.push(lost);
  else if (ledgerBehind || !ledger) {
    report.stale.push({
      billNo,
      reason: `Xingchen holds an older version (ledger at ${ledger?.sourceModified ?? 'nothing'}, WDT at ${order.source.modified})`,
      differences,
    });
  } else {
    report.mismatched.push({ billNo, reason: 'fields differ from the mapping rules', differences });
  }
}

/** Ledger rows cancelled in the source whose Xingchen order no trade of the period reported. */
function addCancelledBeforeCreate(report: ReconciliationReport, ledger: LedgerView[]): void {
  for (const row of ledger) {
    // a trade cancelled before it was ever created has no Xingchen order to speak of
    if (
      row.status === 'cancelled_in_source' &&
      row.xingchenId &&
      !report.cancelledInSource.some((entry) => entry.billNo === row.billNo)
    ) {
      report.cancelledInSource.push({
        billNo: row.billNo,
        reason: 'cancelled in WDT after it was synced',
        xingchenIds: [row.xingchenId],
      });
    }
  }
}

/** Every list sorted by bill number, the counts of the lists, and the verdict. */
function finish(report: ReconciliationReport): ReconciliationReport {
  const byBill = (a: ReportEntry, b: ReportEntry) => a.billNo.localeCompare(b.billNo);
  for (const list of [
    report.missing,
    report.duplicated,
    report.stale,
    report.mismatched,
    report.rejected,
    report.cancelledInSource,
    report.auditedInXingchen,
    report.invalid,
  ])
    list.sort(byBill);
  report.dead_lettered.sort((a, b) => a.tradeNo.localeCompare(b.tradeNo));
  report.counts.deadLettered = report.dead_lettered.length;
  report.counts.missing = report.missing.length;
  report.counts.duplicated = report.duplicated.length;
  report.counts.stale = report.stale.length;
  report.counts.mismatched = report.mismatched.length;
  report.counts.rejected = report.rejected.length;
  report.counts.cancelledInSource = report.cancelledInSource.length;
  report.counts.auditedInXingchen = report.auditedInXingchen.length;
  report.clean =
    report.missing.length +
      report.duplicated.length +
      report.stale.length +
      report.mismatched.length +
      report.dead_lettered.length ===
    0;
  return report;
}

/**
 * The latest dead letter of each trade, from the DLQ records of every hop and the loader's
 * rejected/failed ledger rows (the loader dead-letters exactly those).
 */
function latestDeadLetters(letters: DeadLetterView[], ledger: LedgerView[]): Map<string, DeadLetterView> {
  const latest = new Map<string, DeadLetterView>();
  const rank = (letter: DeadLetterView) => Date.parse(letter.failedAt ?? '') || 0;
  for (const letter of letters) {
    const known = latest.get(letter.tradeNo);
    if (!known || rank(letter) >= rank(known)) latest.set(letter.tradeNo, letter);
  }
  for (const row of ledger) {
    if ((row.status !== 'rejected' && row.status !== 'failed') || latest.has(row.billNo)) continue;
    latest.set(row.billNo, {
      tradeNo: row.billNo,
      hop: 'loader',
      reason: statusWithCode(row),
      message: row.lastErrorMessage ?? '',
      sourceModified: row.sourceModified,
    });
  }
  return latest;
}

/** A short plain-text table of a report, for the terminal. */
export function formatReport(report: ReconciliationReport): string {
  const c = report.counts;
  const rows: Array<[string, number]> = [
    ['WDT trades', c.wdtTrades],
    ['expected orders', c.expectedOrders],
    ['Xingchen orders', c.xingchenOrders],
    ['ledger rows', c.ledgerRows],
    ['in sync', c.inSync],
    ['missing', c.missing],
    ['duplicated', c.duplicated],
    ['stale', c.stale],
    ['mismatched', c.mismatched],
    ['rejected', c.rejected],
    ['cancelled in source', c.cancelledInSource],
    ['audited in Xingchen', c.auditedInXingchen],
    ['dead-lettered', c.deadLettered],
    ['filtered (not eligible)', c.filtered],
  ];
  const lines = rows.map(([name, value]) => `  ${name.padEnd(24)} ${String(value).padStart(7)}`);
  const status = Object.entries(c.byStatus)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([code, n]) => `${code}:${n}`)
    .join(' ');
  const problems = [
    ...report.missing.map((e) => ['missing', e] as const),
    ...report.duplicated.map((e) => ['duplicated', e] as const),
    ...report.stale.map((e) => ['stale', e] as const),
    ...report.mismatched.map((e) => ['mismatched', e] as const),
    ...report.dead_lettered.map((e): readonly ['dead', ReportEntry] => [
      'dead',
      { billNo: e.tradeNo, reason: `dead-lettered by the ${e.hop}: ${e.reason}`, detail: e.message },
    ]),
  ]
    .slice(0, 20)
    .map(
      ([kind, e]) =>
        `  ${kind.padEnd(10)} ${e.billNo}: ${e.reason}${e.detail ? ` — ${e.detail}` : ''}${e.differences ? ` — ${e.differences.map((d) => `${d.field}: ${d.expected} ≠ ${d.actual}`).join(', ')}` : ''}`,
    );
  return [
    `reconciliation ${report.clean ? 'CLEAN' : 'FOUND PROBLEMS'}${report.period ? ` (${report.period.from ?? '…'} → ${report.period.to ?? '…'})` : ''}`,
    ...lines,
    `  WDT trades by status    ${status}`,
    ...(problems.length ? ['', ...problems] : []),
  ].join('\n');
}
