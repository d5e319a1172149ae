import { mapTrade } from '../trade-mapper';
import { filteredResult, rawLine, rawTrade, scenarioRules } from './trade-fixtures';

describe('scenario: every line refunded', () => {
  it('is filtered as no_billable_lines, not an order without lines', () => {
    const trade = rawTrade({
      trade_status: 110,
      goods_list: [
        rawLine({ rec_id: '1', refund_status: 5 }),
        rawLine({ rec_id: '2', spec_no: 'SKU-002', refund_status: 5 }),
      ],
    });
    expect(mapTrade(trade, scenarioRules())).toEqual(
      filteredResult(
        'no_billable_lines',
        'none of the 2 goods_list line(s) is billable (refunded or quantity 0)',
      ),
    );
  });

  it('an empty goods_list is filtered the same way', () => {
    expect(mapTrade(rawTrade({ goods_list: [] }), scenarioRules())).toEqual(
      filteredResult(
        'no_billable_lines',
        'none of the 0 goods_list line(s) is billable (refunded or quantity 0)',
      ),
    );
  });
});
