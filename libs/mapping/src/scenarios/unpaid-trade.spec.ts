import { mapTrade } from '../trade-mapper';
import { orderOf, rawTrade, scenarioRules } from './trade-fixtures';

describe('scenario: a trade WDT has not seen paid (pay_time "0000-00-00 00:00:00")', () => {
  it('is filtered while not confirmed, not rejected for its zero pay_time', () => {
    const result = mapTrade(rawTrade({ trade_status: 10, pay_time: '0000-00-00 00:00:00' }), scenarioRules());
    expect(result).toMatchObject({ outcome: 'filtered', reason: 'status_not_eligible' });
  });

  it('maps once confirmed, and a bill date from pay_time falls back to trade_time', () => {
    const rules = scenarioRules({ billDate: { source: 'pay_time' } });
    const order = orderOf(
      mapTrade(
        rawTrade({ trade_status: 55, trade_time: '2024-05-31 23:30:00', pay_time: '0000-00-00 00:00:00' }),
        rules,
      ),
    );
    expect(order.billDate).toBe('2024-05-31');
  });

  it('still rejects a zero time where WDT always sets one', () => {
    const result = mapTrade(rawTrade({ modified: '0000-00-00 00:00:00' }), scenarioRules());
    // the zero time means "not set", and modified is required
    expect(result).toMatchObject({
      outcome: 'invalid',
      reason: 'missing_field',
      detail: 'required field missing: modified',
    });
  });
});
