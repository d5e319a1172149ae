import { mapTrade } from '../trade-mapper';
import { orderOf, rawLine, rawTrade, scenarioRules } from './trade-fixtures';

/**
 * WDT's published samples of its sibling products send statuses, flags, ids, counts, money and tax
 * rates as JSON numbers, and "" where nothing is set (shared/docs/wdt-api.md "Field types vary").
 */
const numericTrade = (lines: Array<Record<string, unknown>>, changes: Record<string, unknown> = {}) =>
  rawTrade({
    trade_id: 100001,
    trade_status: 55,
    refund_status: 0,
    version_id: 1,
    trade_type: 1,
    platform_id: 1,
    goods_amount: 102.1,
    receivable: 102.1,
    tax_rate: '',
    goods_list: lines,
    ...changes,
  });

const numericLine = (changes: Record<string, unknown> = {}) =>
  rawLine({
    rec_id: 500001,
    num: 3,
    actual_num: 3,
    price: 34.0333,
    share_amount: 102.1,
    gift_type: 0,
    refund_status: 0,
    tax_rate: 0.13,
    base_unit_id: 0,
    ...changes,
  });

describe("scenario: a trade with the mixed types of WDT's real answers", () => {
  it('maps JSON numbers exactly like their string spelling (no binary floating point)', () => {
    const order = orderOf(mapTrade(numericTrade([numericLine()]), scenarioRules()));
    expect(order.lines).toEqual([
      {
        sourceRecId: '500001',
        materialNumber: 'SKU-001',
        storeNumber: 'WH-SH01',
        qty: '3',
        taxPrice: '34.0333',
        isFree: false,
        taxPercent: '13',
        shareAmount: '102.1',
      },
    ]);
    expect(order.source).toMatchObject({ tradeId: '100001', tradeStatus: 55, versionId: '1' });
    const strings = orderOf(
      mapTrade(
        rawTrade({
          version_id: '1',
          goods_list: [rawLine({ num: '3.0000', share_amount: '102.1000', tax_rate: '0.1300' })],
        }),
        scenarioRules(),
      ),
    );
    expect(order.contentHash).toBe(strings.contentHash);
  });

  it('an empty line tax rate falls back to the trade rate, then to tax.defaultPercent', () => {
    const tradeRate = orderOf(
      mapTrade(numericTrade([numericLine({ tax_rate: '' })], { tax_rate: 0.09 }), scenarioRules()),
    );
    expect(tradeRate.lines[0].taxPercent).toBe('9');
    const fallback = orderOf(
      mapTrade(
        numericTrade([numericLine({ tax_rate: '' }), numericLine({ rec_id: 2, tax_rate: null })]),
        scenarioRules({ tax: { defaultPercent: 6 } }),
      ),
    );
    expect(fallback.lines.map((line) => line.taxPercent)).toEqual(['6', '6']);
  });

  it('a numeric gift flag and refund status are read as codes', () => {
    const order = orderOf(
      mapTrade(
        numericTrade([numericLine(), numericLine({ rec_id: 2, gift_type: 2, share_amount: 0 })]),
        scenarioRules(),
      ),
    );
    expect(order.lines.map((line) => [line.isFree, line.taxPrice])).toEqual([
      [false, '34.0333'],
      [true, '0.0000'],
    ]);
    const refunded = mapTrade(numericTrade([numericLine({ refund_status: 5 })]), scenarioRules());
    expect(refunded).toMatchObject({ outcome: 'filtered', reason: 'no_billable_lines' });
  });

  it('still dead-letters a negative quantity sent as a number', () => {
    expect(mapTrade(numericTrade([numericLine({ num: -2 })]), scenarioRules())).toMatchObject({
      outcome: 'invalid',
      reason: 'negative_quantity',
      detail: 'goods_list[0] (rec_id 500001, spec_no SKU-001) has a negative quantity num "-2"',
    });
  });
});
