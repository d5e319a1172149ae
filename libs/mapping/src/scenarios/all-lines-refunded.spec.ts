import { mapTrade } from '../trade-mapper';
import { rawLine, rawTrade, scenarioRules } from './trade-fixtures';

describe('scenario: every line refunded', () => {
  it('is filtered as no_billable_lines, not an order without lines', () => {
    const trade = rawTrade({
      trade_status: 110,
      goods_list: [
        rawLine({ rec_id: '1', refund_status: 5 }),
        rawLine({ rec_id: '2', spec_no: 'SKU-002', refund_status: 5 }),
      ],
    });
    expect(mapTrade(trade, scenarioRules())).toEqual({
      outcome: 'filtered',
      reason: 'no_billable_lines',
      detail: 'none of the 2 goods_list line(s) is billable (refunded or quantity 0)',
      billNo: 'JY202211010624',
    });
  });

  it('an empty goods_list is filtered the same way', () => {
    expect(mapTrade(rawTrade({ goods_list: [] }), scenarioRules())).toEqual({
      outcome: 'filtered',
      reason: 'no_billable_lines',
      detail: 'none of the 0 goods_list line(s) is billable (refunded or quantity 0)',
      billNo: 'JY202211010624',
    });
  });
});
