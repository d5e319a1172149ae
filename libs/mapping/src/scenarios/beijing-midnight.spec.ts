import { mapTrade } from '../trade-mapper';
import { orderFor, orderOf, rawTrade, scenarioRules } from './trade-fixtures';

describe('scenario: a trade at 23:59:59 Beijing time (jest runs with TZ=UTC)', () => {
  it('has that Beijing date as bill date', () => {
    const order = orderFor({ trade_time: '2023-12-31 23:59:59', modified: '2023-12-31 23:59:59' });
    expect(order.billDate).toBe('2023-12-31');
    expect(order.source.modified).toBe('2023-12-31T23:59:59+08:00');
    expect(new Date(order.source.modified).toISOString()).toBe('2023-12-31T15:59:59.000Z');
  });

  it('a trade at 00:00:00 Beijing time belongs to the new Beijing day, not the UTC one (16:00 the day before)', () => {
    const order = orderFor({ trade_time: '2024-01-01 00:00:00', modified: '2024-01-01 00:00:05' });
    expect(order.billDate).toBe('2024-01-01');
    expect(new Date(order.source.modified).toISOString()).toBe('2023-12-31T16:00:05.000Z');
  });

  it('billDate.source picks pay_time or created, each read as Beijing time', () => {
    const trade = rawTrade({
      created: '2024-02-28 23:59:59',
      trade_time: '2024-02-29 00:00:01',
      pay_time: '2024-03-01 00:00:00',
    });
    expect(orderOf(mapTrade(trade, scenarioRules())).billDate).toBe('2024-02-29');
    expect(orderOf(mapTrade(trade, scenarioRules({ billDate: { source: 'pay_time' } }))).billDate).toBe(
      '2024-03-01',
    );
    expect(orderOf(mapTrade(trade, scenarioRules({ billDate: { source: 'created' } }))).billDate).toBe(
      '2024-02-28',
    );
  });

  it('falls back to trade_time when billDate.source is pay_time and the trade has none', () => {
    const trade = rawTrade({ trade_time: '2024-05-31 23:59:59' });
    delete trade.pay_time;
    expect(orderOf(mapTrade(trade, scenarioRules({ billDate: { source: 'pay_time' } }))).billDate).toBe(
      '2024-05-31',
    );
  });
});
