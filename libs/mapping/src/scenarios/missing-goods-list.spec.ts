import { mapTrade } from '../trade-mapper';
import { invalidResult, rawLine, rawTrade, scenarioRules } from './trade-fixtures';

describe('scenario: required fields missing', () => {
  it('a trade without goods_list is invalid, naming the field', () => {
    const trade = rawTrade();
    delete trade.goods_list;
    expect(mapTrade(trade, scenarioRules())).toEqual(
      invalidResult('missing_field', 'required field missing: goods_list'),
    );
  });

  it('names every missing field, nested ones with their line index', () => {
    const line = rawLine();
    delete line.share_amount;
    const trade = rawTrade({ goods_list: [rawLine(), line] });
    delete trade.modified;
    expect(mapTrade(trade, scenarioRules())).toEqual(
      invalidResult('missing_field', 'required fields missing: modified, goods_list.1.share_amount'),
    );
  });

  it('a field of the wrong type is a schema violation showing the value', () => {
    const result = mapTrade(rawTrade({ goods_list: [rawLine({ num: 'two' })] }), scenarioRules());
    expect(result).toEqual(
      invalidResult(
        'schema_violation',
        'goods_list.0.num must be a decimal number (a JSON number or a numeric string) (got "two")',
      ),
    );
  });
});
