import { mapTrade } from '../trade-mapper';
import { asDecimals, billedLine, orderOf, rawLine, rawTrade, scenarioRules } from './trade-fixtures';

describe('scenario: gift lines (赠品)', () => {
  const trade = rawTrade({
    goods_list: [
      rawLine({ rec_id: '8001', spec_no: 'SKU-003', num: '1.0000', share_amount: '129.0000', gift_type: 0 }),
      rawLine({ rec_id: '8002', spec_no: 'SKU-006', num: '1.0000', share_amount: '0.0000', gift_type: 1 }),
      rawLine({ rec_id: '8003', spec_no: 'SKU-011', num: '2.0000', share_amount: '0.0000', gift_type: 2 }),
      rawLine({ rec_id: '8004', spec_no: 'SKU-019', num: '1.0000', share_amount: '0.0000', gift_type: 7 }),
    ],
  });

  it('keeps gift lines as free lines (is_free = gift_type ≠ 0) at price 0', () => {
    const order = orderOf(mapTrade(trade, scenarioRules()));
    expect(order.lines.map(asDecimals)).toEqual([
      billedLine('8001', 'SKU-003', { qty: '1', taxPrice: '129', shareAmount: '129' }),
      billedLine('8002', 'SKU-006', { qty: '1', taxPrice: '0', isFree: true, shareAmount: '0' }),
      billedLine('8003', 'SKU-011', { qty: '2', taxPrice: '0', isFree: true, shareAmount: '0' }),
      billedLine('8004', 'SKU-019', { qty: '1', taxPrice: '0', isFree: true, shareAmount: '0' }),
    ]);
  });

  it('a trade of gifts only is still an order', () => {
    const giftsOnly = rawTrade({ goods_list: [rawLine({ share_amount: '0.0000', gift_type: 2 })] });
    const order = orderOf(mapTrade(giftsOnly, scenarioRules()));
    expect(order.lines.map((line) => [line.isFree, line.taxPrice])).toEqual([[true, '0.0000']]);
  });
});
