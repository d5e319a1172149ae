import { contentHash } from '../content-hash';
import { mapTrade } from '../trade-mapper';
import { BILL_NO, asDecimals, orderOf, rawTrade, scenarioRules, sourceOf } from './trade-fixtures';

describe('scenario: a confirmed trade with a single line', () => {
  const result = mapTrade(rawTrade(), scenarioRules());

  it('becomes one normalized sales order with numbers, not ids', () => {
    const order = orderOf(result);
    expect({ ...order, lines: order.lines.map(asDecimals) }).toEqual({
      kind: 'order',
      schemaVersion: 1,
      billNo: BILL_NO,
      billDate: '2022-11-01',
      customerNumber: 'CUST-TM001',
      project: { field: 'custom_field42obgp309axx5_number', value: 'TM001' },
      lines: [
        {
          sourceRecId: '500001',
          materialNumber: 'SKU-001',
          storeNumber: 'WH-SH01',
          qty: '1',
          taxPrice: '59.9',
          isFree: false,
          taxPercent: '13',
          shareAmount: '59.9',
        },
      ],
      source: sourceOf(),
      contentHash: order.contentHash,
    });
  });

  it('writes decimals as strings: the price with price.decimals places, the source amount unchanged', () => {
    const [line] = orderOf(result).lines;
    expect([line.qty, line.taxPrice, line.taxPercent, line.shareAmount]).toEqual([
      '1',
      '59.9000',
      '13',
      '59.9000',
    ]);
  });

  it('hashes the business fields of the order', () => {
    const order = orderOf(result);
    expect(order.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(order.contentHash).toBe(contentHash(order));
  });

  it('has no remark unless the mapping file has a remark.template', () => {
    expect('remark' in orderOf(result)).toBe(false);
  });

  it('survives a JSON round trip unchanged (what the topic carries)', () => {
    const order = orderOf(result);
    expect(JSON.parse(JSON.stringify(order))).toEqual(order);
  });
});
