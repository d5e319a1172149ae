import { mapTrade } from '../trade-mapper';
import { orderOf, rawTrade, scenarioRules } from './trade-fixtures';

describe('scenario: a trade not confirmed yet', () => {
  it.each([10, 30, 35, 50, 53])('status %i is filtered (it will come again when modified)', (status) => {
    expect(mapTrade(rawTrade({ trade_status: status }), scenarioRules())).toEqual({
      outcome: 'filtered',
      reason: 'status_not_eligible',
      detail: `trade_status ${status} is not one of the eligible statuses 55, 95, 100, 105, 110, 113`,
      billNo: 'JY202211010624',
    });
  });

  it.each([55, 95, 100, 105, 110, 113])('status %i is eligible by default', (status) => {
    expect(orderOf(mapTrade(rawTrade({ trade_status: status }), scenarioRules())).source.tradeStatus).toBe(
      status,
    );
  });

  it('an unmapped shop does not matter for a trade that is filtered anyway', () => {
    expect(mapTrade(rawTrade({ trade_status: 30, shop_no: 'XX999' }), scenarioRules()).outcome).toBe(
      'filtered',
    );
  });

  it('statuses.eligible narrows the policy: a tenant that syncs shipped trades only', () => {
    const rules = scenarioRules({ statuses: { eligible: [95, 100, 110] } });
    expect(mapTrade(rawTrade({ trade_status: 55 }), rules)).toMatchObject({
      outcome: 'filtered',
      reason: 'status_not_eligible',
    });
    expect(mapTrade(rawTrade({ trade_status: 95 }), rules).outcome).toBe('mapped');
  });
});
