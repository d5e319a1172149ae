import { mapTrade } from '../trade-mapper';
import { BILL_NO, rawTrade, scenarioRules, sourceOf } from './trade-fixtures';

describe('scenario: a trade cancelled in WDT (trade_status 5)', () => {
  const expected = {
    outcome: 'cancelled',
    cancellation: {
      kind: 'cancellation',
      schemaVersion: 1,
      billNo: BILL_NO,
      source: sourceOf({ tradeStatus: 5, modified: '2022-11-02T09:30:00+08:00', versionId: '4' }),
    },
  };

  it('becomes a cancellation message, never an order', () => {
    const trade = rawTrade({ trade_status: 5, modified: '2022-11-02 09:30:00', version_id: '4' });
    expect(mapTrade(trade, scenarioRules())).toEqual(expected);
  });

  it('does not need the shop to be mapped (nothing is created)', () => {
    const trade = rawTrade({
      trade_status: 5,
      modified: '2022-11-02 09:30:00',
      version_id: '4',
      shop_no: 'XX999',
    });
    const result = mapTrade(trade, scenarioRules());
    expect(result.outcome).toBe('cancelled');
    expect(result.outcome === 'cancelled' && result.cancellation.source.shopNo).toBe('XX999');
  });

  it('is a cancellation even when every line was refunded', () => {
    const trade = rawTrade({ trade_status: 5, modified: '2022-11-02 09:30:00', version_id: '4' });
    trade.goods_list = trade.goods_list!.map((line) => ({ ...line, refund_status: 5 }));
    expect(mapTrade(trade, scenarioRules())).toEqual(expected);
  });
});
