import { mapTrade } from '../trade-mapper';
import { invalidResult, rawLine, rawTrade, scenarioRules } from './trade-fixtures';

describe('scenario: malformed values in an otherwise complete trade', () => {
  it('an impossible date is invalid (bad_datetime)', () => {
    expect(mapTrade(rawTrade({ trade_time: '2023-02-29 10:00:00' }), scenarioRules())).toEqual(
      invalidResult(
        'bad_datetime',
        'trade_time must be a real WDT time yyyy-MM-dd HH:mm:ss (Beijing) (got "2023-02-29 10:00:00")',
      ),
    );
  });

  it('a tax rate given in percent instead of a fraction is invalid (bad_tax_rate)', () => {
    expect(mapTrade(rawTrade({ goods_list: [rawLine({ tax_rate: '13.0000' })] }), scenarioRules())).toEqual(
      invalidResult(
        'bad_tax_rate',
        'goods_list[0] (rec_id 500001, spec_no SKU-001) tax_rate "13.0000" is not a fraction from 0 to 1 (e.g. "0.1300")',
      ),
    );
    expect(mapTrade(rawTrade({ tax_rate: '-0.1300' }), scenarioRules())).toMatchObject({
      outcome: 'invalid',
      reason: 'bad_tax_rate',
    });
  });

  it('an empty warehouse_no with no stores mapping is invalid (unmapped_warehouse)', () => {
    expect(mapTrade(rawTrade({ warehouse_no: '' }), scenarioRules())).toEqual(
      invalidResult('unmapped_warehouse', 'warehouse_no is empty and stores.byWarehouse has no entry for it'),
    );
  });

  it('a trade_status that is not an integer is a schema violation; a numeric string is a status', () => {
    expect(mapTrade(rawTrade({ trade_status: 'confirmed' }), scenarioRules())).toMatchObject({
      outcome: 'invalid',
      reason: 'schema_violation',
      detail: 'trade_status must be an integer (a JSON number or a numeric string) (got "confirmed")',
    });
    expect(mapTrade(rawTrade({ trade_status: '55' }), scenarioRules())).toMatchObject({ outcome: 'mapped' });
  });
});
