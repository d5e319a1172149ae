import { mapTrade } from '../trade-mapper';
import { invalidResult, rawLine, rawTrade, scenarioRules } from './trade-fixtures';

describe('scenario: a negative quantity', () => {
  it('is invalid (impossible data), not silently left out', () => {
    const trade = rawTrade({
      goods_list: [
        rawLine({ rec_id: '1' }),
        rawLine({ rec_id: '2', spec_no: 'SKU-002', num: '-2.0000', share_amount: '0.0000' }),
      ],
    });
    expect(mapTrade(trade, scenarioRules())).toEqual(
      invalidResult(
        'negative_quantity',
        'goods_list[1] (rec_id 2, spec_no SKU-002) has a negative quantity num "-2.0000"',
      ),
    );
  });

  it('a negative share_amount is invalid too', () => {
    expect(
      mapTrade(rawTrade({ goods_list: [rawLine({ share_amount: '-1.0000' })] }), scenarioRules()),
    ).toEqual(
      invalidResult(
        'negative_amount',
        'goods_list[0] (rec_id 500001, spec_no SKU-001) has a negative share_amount "-1.0000"',
      ),
    );
  });

  it('"-0.0000" is zero: the line is left out like any quantity 0', () => {
    const trade = rawTrade({
      goods_list: [rawLine({ rec_id: '1' }), rawLine({ rec_id: '2', num: '-0.0000' })],
    });
    const result = mapTrade(trade, scenarioRules());
    expect(result.outcome === 'mapped' && result.order.lines.map((line) => line.sourceRecId)).toEqual(['1']);
  });
});
