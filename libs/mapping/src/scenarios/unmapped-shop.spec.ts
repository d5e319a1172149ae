import { mapTrade } from '../trade-mapper';
import { orderOf, rawTrade, scenarioRules } from './trade-fixtures';

describe('scenario: a shop the mapping file does not know', () => {
  it('is invalid (unmapped_shop) when there is no customers.default', () => {
    expect(mapTrade(rawTrade({ shop_no: 'KS001' }), scenarioRules())).toEqual({
      outcome: 'invalid',
      reason: 'unmapped_shop',
      detail:
        'shop_no "KS001" is not in customers.byShop of the mapping file and there is no customers.default',
      billNo: 'JY202211010624',
    });
  });

  it('goes to customers.default when there is one; the project still names the shop', () => {
    const rules = scenarioRules({
      customers: { byShop: { TM001: 'CUST-TM001' }, default: 'CUST-RETAIL' },
    });
    const order = orderOf(mapTrade(rawTrade({ shop_no: 'KS001' }), rules));
    expect(order.customerNumber).toBe('CUST-RETAIL');
    expect(order.project).toEqual({ field: 'custom_field42obgp309axx5_number', value: 'KS001' });
    expect(orderOf(mapTrade(rawTrade({ shop_no: 'TM001' }), rules)).customerNumber).toBe('CUST-TM001');
  });

  it('a shop named like an Object property is not found by accident', () => {
    expect(mapTrade(rawTrade({ shop_no: 'constructor' }), scenarioRules())).toMatchObject({
      outcome: 'invalid',
      reason: 'unmapped_shop',
    });
  });
});
