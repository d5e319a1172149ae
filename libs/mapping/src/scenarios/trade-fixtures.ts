/**
 * Raw WDT trades for the mapper's scenario specs: shaped like `wdt.trade.query` answers (strings
 * with four decimals, integer statuses, extra fields the mapper must tolerate). Not exported.
 */
import { type NormalizedOrderLine, type NormalizedSalesOrder, type OrderSource } from '@app/contracts';
import { normalizeDecimal } from '../decimal';
import { parseMappingRules, type MappingRules } from '../mapping-rules';
import { mapTrade, type FilterReason, type InvalidReason, type MapResult } from '../trade-mapper';

export type RawLine = Record<string, unknown>;
export type RawTrade = Record<string, unknown> & { goods_list?: RawLine[] };

export function rawLine(overrides: RawLine = {}): RawLine {
  return {
    rec_id: '500001',
    spec_no: 'SKU-001',
    goods_no: 'SPU-001',
    goods_name: '保温杯',
    spec_name: '500ml 白色',
    spec_code: '',
    barcode: '6900001000000',
    num: '1.0000',
    actual_num: '1.0000',
    price: '59.9000',
    order_price: '59.9000',
    share_price: '59.9000',
    share_amount: '59.9000',
    discount: '0.0000',
    share_post: '0.0000',
    paid: '59.9000',
    gift_type: 0,
    refund_status: 0,
    tax_rate: '0.1300',
    unit_name: '个',
    base_unit_id: 0,
    suite_no: '',
    suite_name: '',
    suite_num: '0.0000',
    suite_amount: '0.0000',
    created: '2022-11-01 10:15:31',
    modified: '2022-11-01 11:00:00',
    ...overrides,
  };
}

export function rawTrade(overrides: RawTrade = {}): RawTrade {
  return {
    trade_id: '100001',
    trade_no: 'JY202211010624',
    platform_id: 1,
    shop_no: 'TM001',
    shop_name: '天猫旗舰店',
    warehouse_no: 'WH-SH01',
    src_tids: '3290001122334455',
    trade_status: 55,
    refund_status: 0,
    trade_time: '2022-11-01 10:15:30',
    pay_time: '2022-11-01 10:16:02',
    created: '2022-11-01 10:15:31',
    modified: '2022-11-01 11:00:00',
    logistics_no: '',
    buyer_nick: '买家小王',
    receiver_name: '王小明',
    receiver_area: '上海 上海市 浦东新区',
    goods_amount: '59.9000',
    post_amount: '0.0000',
    discount: '0.0000',
    receivable: '59.9000',
    paid: '59.9000',
    tax: '0.0000',
    tax_rate: '0.1300',
    version_id: '3',
    goods_list: [rawLine()],
    ...overrides,
  };
}

/** The mapping the scenarios use unless they say otherwise: defaults plus two shops. */
export function scenarioRules(overrides: Record<string, unknown> = {}): MappingRules {
  return parseMappingRules({
    customers: { byShop: { TM001: 'CUST-TM001', JD001: 'CUST-JD001' } },
    ...overrides,
  });
}

/** A line with its decimal fields normalized, so that `toEqual` compares them as decimals. */
export const asDecimals = (line: NormalizedOrderLine): NormalizedOrderLine => ({
  ...line,
  qty: normalizeDecimal(line.qty),
  taxPrice: normalizeDecimal(line.taxPrice),
  taxPercent: normalizeDecimal(line.taxPercent),
  shareAmount: normalizeDecimal(line.shareAmount),
});

/** Expected line values in any decimal spelling, normalized the same way. */
export const expectedLine = (line: NormalizedOrderLine): NormalizedOrderLine => asDecimals(line);

/** The order of a `mapped` result; fails loudly with the actual outcome otherwise. */
export function orderOf(result: MapResult): NormalizedSalesOrder {
  if (result.outcome !== 'mapped') throw new Error(`expected outcome mapped, got ${JSON.stringify(result)}`);
  return result.order;
}

/** The bill number of `rawTrade()`. */
export const BILL_NO = 'JY202211010624';

/** A mapped line as `asDecimals` shows it: the warehouse of `rawTrade()`, not free, 13 %, unless said. */
export const billedLine = (
  sourceRecId: string,
  materialNumber: string,
  line: Pick<NormalizedOrderLine, 'qty' | 'taxPrice' | 'shareAmount'> & Partial<NormalizedOrderLine>,
): NormalizedOrderLine => ({
  sourceRecId,
  materialNumber,
  storeNumber: 'WH-SH01',
  isFree: false,
  taxPercent: '13',
  ...line,
});

/** The `source` of an order or cancellation mapped from `rawTrade(overrides)`. */
export const sourceOf = (overrides: Partial<OrderSource> = {}): OrderSource => ({
  system: 'wdt',
  tradeId: '100001',
  tradeNo: BILL_NO,
  shopNo: 'TM001',
  warehouseNo: 'WH-SH01',
  tradeStatus: 55,
  modified: '2022-11-01T11:00:00+08:00',
  versionId: '3',
  ...overrides,
});

/** The result for `rawTrade()` when it is invalid or filtered for `reason`, with the mapper's `detail`. */
export const invalidResult = (reason: InvalidReason, detail: string): MapResult => ({
  outcome: 'invalid',
  reason,
  detail,
  billNo: BILL_NO,
});
export const filteredResult = (reason: FilterReason, detail: string): MapResult => ({
  outcome: 'filtered',
  reason,
  detail,
  billNo: BILL_NO,
});

/** The order mapped from `rawTrade(overrides)` by `rules` (the scenario rules unless said). */
export const orderFor = (
  overrides: RawTrade = {},
  rules: MappingRules = scenarioRules(),
): NormalizedSalesOrder => orderOf(mapTrade(rawTrade(overrides), rules));
