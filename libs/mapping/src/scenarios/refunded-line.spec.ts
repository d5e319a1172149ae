import { mapTrade } from '../trade-mapper';
import { orderOf, rawLine, rawTrade, scenarioRules } from './trade-fixtures';

describe('scenario: a refunded line is left out', () => {
  const trade = rawTrade({
    goods_list: [
      rawLine({
        rec_id: '6001',
        spec_no: 'SKU-007',
        num: '1.0000',
        share_amount: '79.0000',
        refund_status: 0,
      }),
      rawLine({
        rec_id: '6002',
        spec_no: 'SKU-008',
        num: '1.0000',
        share_amount: '79.0000',
        refund_status: 5,
      }),
      rawLine({
        rec_id: '6003',
        spec_no: 'SKU-009',
        num: '1.0000',
        share_amount: '158.0000',
        refund_status: 2,
      }),
      rawLine({
        rec_id: '6004',
        spec_no: 'SKU-010',
        num: '0.0000',
        share_amount: '0.0000',
        refund_status: 0,
      }),
      rawLine({
        rec_id: '6005',
        spec_no: 'SKU-012',
        num: '1.0000',
        share_amount: '99.0000',
        refund_status: 6,
      }),
    ],
  });

  it('drops refund_status 5 (refunded) and quantity 0, keeps requested / closed refunds', () => {
    const order = orderOf(mapTrade(trade, scenarioRules()));
    expect(order.lines.map((line) => line.sourceRecId)).toEqual(['6001', '6003', '6005']);
    expect(order.lines.map((line) => line.materialNumber)).toEqual(['SKU-007', 'SKU-009', 'SKU-012']);
  });

  it('the hash changes when a line gets refunded (Xingchen must be modified)', () => {
    const before = orderOf(
      mapTrade(
        rawTrade({ goods_list: (trade.goods_list ?? []).map((line) => ({ ...line, refund_status: 0 })) }),
        scenarioRules(),
      ),
    );
    const after = orderOf(mapTrade(trade, scenarioRules()));
    expect(before.lines).toHaveLength(4);
    expect(after.contentHash).not.toBe(before.contentHash);
  });
});
