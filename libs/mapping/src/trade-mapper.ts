import {
  NORMALIZED_ORDER_SCHEMA_VERSION,
  NormalizedSalesOrder,
  OrderCancellation,
  SchemaValidationError,
  parseWdtTrade,
  validateContract,
  wdtTimeBeijingDate,
  wdtTimeToIso,
  wdtTradeNoOf,
  type NormalizedOrderLine,
  type OrderSource,
  type ProjectField,
  type WdtTrade,
} from '@app/contracts';
import { normalizedOrderOf } from './content-hash';
import { Dec, divideHalfUp, normalizeDecimal } from './decimal';
import { CANCELLED_STATUS, lookUp, renderTemplate, type MappingRules } from './mapping-rules';

/** Why a trade is not (yet) an order: an expected outcome, counted, not dead-lettered. */
export const FilterReasons = ['status_not_eligible', 'no_billable_lines'] as const;
export type FilterReason = (typeof FilterReasons)[number];

// prettier-ignore
/** Why a raw message can never become an order: the DLQ reason header (a small fixed set). */
export const InvalidReasons = [
  'not_json', 'missing_field', 'schema_violation', 'bad_datetime', 'negative_quantity', 'negative_amount',
  'bad_tax_rate', 'unmapped_shop', 'unmapped_warehouse', 'output_schema_violation',
] as const;
export type InvalidReason = (typeof InvalidReasons)[number];

export type MapResult =
  | { readonly outcome: 'mapped'; readonly order: NormalizedSalesOrder }
  | { readonly outcome: 'cancelled'; readonly cancellation: OrderCancellation }
  | {
      readonly outcome: 'filtered';
      readonly reason: FilterReason;
      readonly detail: string;
      readonly billNo: string;
    }
  | {
      readonly outcome: 'invalid';
      readonly reason: InvalidReason;
      readonly detail: string;
      readonly billNo?: string;
    };

type Invalid = Extract<MapResult, { outcome: 'invalid' }>;

const invalid = (reason: InvalidReason, detail: string, billNo?: string): Invalid =>
  billNo === undefined
    ? { outcome: 'invalid', reason, detail }
    : { outcome: 'invalid', reason, detail, billNo };

/** How WDT spells a time that is not set (re-exported: it lives with the parser in contracts). */
export { WDT_UNSET_TIME } from '@app/contracts';

/** WDT `goods_list[].refund_status` 5: the line was refunded. */
export const LINE_REFUNDED = 5;

/**
 * Maps one raw Kafka message value (the JSON text of a WDT trade) by the mapping rules. Never
 * throws for bad input: a message that is not JSON is `invalid` like any other bad trade.
 */
export function mapRawMessage(value: Buffer | string | null | undefined, rules: MappingRules): MapResult {
  const text = Buffer.isBuffer(value) ? value.toString('utf8') : value;
  if (text === null || text === undefined || text.trim() === '') {
    return invalid('not_json', 'the message has no value (expected the JSON of a WDT trade)');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (error) {
    return invalid('not_json', `the message is not JSON (${(error as Error).message}): ${excerpt(text)}`);
  }
  return mapTrade(parsed, rules);
}

/** Maps one parsed WDT trade (`wdt.trade.query` → `trades[]` element) by the mapping rules. */
export function mapTrade(raw: unknown, rules: MappingRules): MapResult {
  // the one tolerant parser (libs/contracts): numbers → decimal strings, unset markers → absent
  const parsed = parseWdtTrade(raw);
  if (!parsed.ok) return invalid(parsed.error.reason, parsed.error.message, wdtTradeNoOf(raw));
  const trade = parsed.trade;
  const billNo = trade.trade_no;
  const times = tradeTimes(trade);

  const numberProblem = checkNumbers(trade);
  if (numberProblem) return { ...numberProblem, billNo };

  const source = sourceOf(trade, times);
  if (trade.trade_status === CANCELLED_STATUS) {
    const cancellation: OrderCancellation = {
      kind: 'cancellation',
      schemaVersion: NORMALIZED_ORDER_SCHEMA_VERSION,
      billNo,
      source,
    };
    const problem = checkOutput(OrderCancellation, cancellation, billNo);
    return problem ?? { outcome: 'cancelled', cancellation };
  }

  if (!rules.statuses.eligible.includes(trade.trade_status)) {
    return {
      outcome: 'filtered',
      reason: 'status_not_eligible',
      detail: `trade_status ${trade.trade_status} is not one of the eligible statuses ${rules.statuses.eligible.join(', ')}`,
      billNo,
    };
  }

  const numbers = masterNumbers(rules, trade);
  if ('outcome' in numbers) return numbers;
  const lines = billableLines(rules, trade, numbers.storeNumber);
  if (lines.length === 0) {
    return {
      outcome: 'filtered',
      reason: 'no_billable_lines',
      detail: `none of the ${trade.goods_list.length} goods_list line(s) is billable (refunded or quantity 0)`,
      billNo,
    };
  }
  return orderOf(rules, trade, { times, source, customerNumber: numbers.customerNumber, lines });
}

type TimeField = 'trade_time' | 'modified' | 'created' | 'pay_time';
type TradeTimes = Partial<Record<TimeField, { iso: string; beijingDate: string }>>;

/** Every time is a real WDT time here (the parser checked it); unset optional ones are absent. */
function tradeTimes(trade: WdtTrade): TradeTimes {
  const times: TradeTimes = {};
  for (const field of ['trade_time', 'modified', 'created', 'pay_time'] as const) {
    const value = trade[field];
    if (value !== undefined)
      times[field] = { iso: wdtTimeToIso(value), beijingDate: wdtTimeBeijingDate(value) };
  }
  return times;
}

function sourceOf(trade: WdtTrade, times: TradeTimes): OrderSource {
  return {
    system: 'wdt',
    tradeId: trade.trade_id,
    tradeNo: trade.trade_no,
    shopNo: trade.shop_no,
    warehouseNo: trade.warehouse_no,
    tradeStatus: trade.trade_status,
    modified: times.modified!.iso,
    ...(trade.version_id ? { versionId: trade.version_id } : {}),
  };
}

/** The Xingchen customer of the shop and the store of the warehouse, by the mapping file. */
function masterNumbers(
  rules: MappingRules,
  trade: WdtTrade,
): Invalid | { customerNumber: string; storeNumber: string } {
  const billNo = trade.trade_no;
  const customerNumber = lookUp(rules.customers.byShop, trade.shop_no) ?? rules.customers.default;
  if (customerNumber === undefined) {
    return invalid(
      'unmapped_shop',
      `shop_no "${trade.shop_no}" is not in customers.byShop of the mapping file and there is no customers.default`,
      billNo,
    );
  }
  const storeNumber = lookUp(rules.stores.byWarehouse, trade.warehouse_no) ?? trade.warehouse_no;
  if (storeNumber.trim() === '') {
    return invalid(
      'unmapped_warehouse',
      'warehouse_no is empty and stores.byWarehouse has no entry for it',
      billNo,
    );
  }
  return { customerNumber, storeNumber };
}

/** The lines that are billed: not refunded, quantity above 0. */
function billableLines(rules: MappingRules, trade: WdtTrade, storeNumber: string): NormalizedOrderLine[] {
  const tradeRate = trade.tax_rate;
  return trade.goods_list
    .filter((line) => line.refund_status !== LINE_REFUNDED && new Dec(line.num).greaterThan(0))
    .map((line) => {
      const rate = line.tax_rate ?? tradeRate;
      return {
        sourceRecId: line.rec_id,
        materialNumber: lookUp(rules.materials.bySpecNo, line.spec_no) ?? line.spec_no,
        storeNumber,
        qty: normalizeDecimal(line.num),
        taxPrice: divideHalfUp(line.share_amount, line.num, rules.price.decimals),
        isFree: line.gift_type !== 0,
        taxPercent:
          rate === undefined ? rules.tax.defaultPercent : normalizeDecimal(new Dec(rate).times(100)),
        shareAmount: line.share_amount,
      };
    });
}

/** The normalized order: bill date, customer, project, remark and lines, hashed, checked against its schema. */
function orderOf(
  rules: MappingRules,
  trade: WdtTrade,
  parts: { times: TradeTimes; source: OrderSource; customerNumber: string; lines: NormalizedOrderLine[] },
): MapResult {
  const billNo = trade.trade_no;
  const billDateTime = parts.times[rules.billDate.source] ?? parts.times.trade_time!;
  const project = projectOf(rules, trade);
  const remark =
    rules.remark.template === undefined ? undefined : renderTemplate(rules.remark.template, trade).trim();
  const business = {
    billDate: billDateTime.beijingDate,
    customerNumber: parts.customerNumber,
    ...(project ? { project } : {}),
    ...(remark ? { remark } : {}),
    lines: parts.lines,
  };
  const order = normalizedOrderOf(billNo, business, parts.source);
  return checkOutput(NormalizedSalesOrder, order, billNo) ?? { outcome: 'mapped', order };
}

function projectOf(rules: MappingRules, trade: WdtTrade): ProjectField | undefined {
  switch (rules.project.source) {
    case 'shop_no':
      return { field: rules.project.field, value: trade.shop_no };
    case 'fixed':
      return { field: rules.project.field, value: rules.project.value! };
    case 'none':
      return undefined;
  }
}

/** Negative quantities or amounts and tax rates outside 0–1 are impossible data, not a filter. */
function checkNumbers(trade: WdtTrade): Invalid | undefined {
  if (trade.tax_rate !== undefined && !isFraction(trade.tax_rate)) {
    return invalid(
      'bad_tax_rate',
      `trade tax_rate "${trade.tax_rate}" is not a fraction from 0 to 1 (e.g. "0.1300")`,
    );
  }
  for (const [index, line] of trade.goods_list.entries()) {
    const where = `goods_list[${index}] (rec_id ${line.rec_id}, spec_no ${line.spec_no})`;
    if (new Dec(line.num).lessThan(0)) {
      return invalid('negative_quantity', `${where} has a negative quantity num "${line.num}"`);
    }
    if (new Dec(line.share_amount).lessThan(0)) {
      return invalid('negative_amount', `${where} has a negative share_amount "${line.share_amount}"`);
    }
    if (line.tax_rate !== undefined && !isFraction(line.tax_rate)) {
      return invalid(
        'bad_tax_rate',
        `${where} tax_rate "${line.tax_rate}" is not a fraction from 0 to 1 (e.g. "0.1300")`,
      );
    }
  }
  return undefined;
}

const isFraction = (value: string): boolean => {
  const rate = new Dec(value);
  return rate.greaterThanOrEqualTo(0) && rate.lessThanOrEqualTo(1);
};

function checkOutput<T extends object>(cls: new () => T, plain: T, billNo: string): Invalid | undefined {
  try {
    validateContract(cls, plain);
    return undefined;
  } catch (error) {
    if (!(error instanceof SchemaValidationError)) throw error;
    return invalid(
      'output_schema_violation',
      `the mapped message breaks its schema: ${error.problems.join('; ')}`,
      billNo,
    );
  }
}

const excerpt = (text: string, max = 60): string => (text.length > max ? `${text.slice(0, max)}…` : text);
