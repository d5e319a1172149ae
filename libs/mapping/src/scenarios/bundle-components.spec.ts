import { mapTrade } from '../trade-mapper';
import { asDecimals, billedLine, orderOf, rawLine, rawTrade, scenarioRules } from './trade-fixtures';

describe('scenario: a bundle (组合装) split into its components', () => {
  // One 电动牙刷套装 bundle (2 × SUITE-01 for 446.0000) arrives as its component lines.
  const suite = {
    suite_no: 'SUITE-01',
    suite_name: '电动牙刷套装',
    suite_num: '2.0000',
    suite_amount: '446.0000',
  };
  const trade = rawTrade({
    goods_list: [
      rawLine({ rec_id: '7001', spec_no: 'SKU-013', num: '2.0000', share_amount: '358.0000', ...suite }),
      rawLine({ rec_id: '7002', spec_no: 'SKU-014', num: '2.0000', share_amount: '88.0000', ...suite }),
    ],
  });

  it('maps each component like any line; the bundle itself is not a material', () => {
    const order = orderOf(mapTrade(trade, scenarioRules()));
    expect(order.lines.map(asDecimals)).toEqual([
      billedLine('7001', 'SKU-013', { qty: '2', taxPrice: '179', shareAmount: '358' }),
      billedLine('7002', 'SKU-014', { qty: '2', taxPrice: '44', shareAmount: '88' }),
    ]);
    expect(order.lines.map((line) => line.materialNumber)).not.toContain('SUITE-01');
  });
});
