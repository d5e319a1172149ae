import { mapTrade } from '../trade-mapper';
import { orderOf, rawLine, rawTrade, scenarioRules } from './trade-fixtures';
import { normalizeDecimal } from '../decimal';

const percents = (trade: Record<string, unknown>, overrides: Record<string, unknown> = {}): string[] =>
  orderOf(mapTrade(trade, scenarioRules(overrides))).lines.map((line) => normalizeDecimal(line.taxPercent));

const withoutLineRate = (overrides: Record<string, unknown> = {}): Record<string, unknown> => {
  const line = rawLine(overrides);
  delete line.tax_rate;
  return line;
};

describe('scenario: tax rate missing at line and at trade level', () => {
  it('uses the line rate × 100 when the line has one', () => {
    expect(percents(rawTrade({ tax_rate: '0.0600', goods_list: [rawLine({ tax_rate: '0.0900' })] }))).toEqual(
      ['9'],
    );
  });

  it('falls back to the trade rate × 100 when the line has none', () => {
    expect(percents(rawTrade({ tax_rate: '0.0600', goods_list: [withoutLineRate()] }))).toEqual(['6']);
  });

  it('falls back to tax.defaultPercent (13) when neither has one', () => {
    const trade = rawTrade({ goods_list: [withoutLineRate()] });
    delete trade.tax_rate;
    expect(percents(trade)).toEqual(['13']);
  });

  it('uses a configured tax.defaultPercent', () => {
    const trade = rawTrade({
      goods_list: [withoutLineRate({ rec_id: 'a' }), rawLine({ rec_id: 'b', tax_rate: '0.1300' })],
    });
    delete trade.tax_rate;
    expect(percents(trade, { tax: { defaultPercent: 9 } })).toEqual(['9', '13']);
  });

  it('a zero rate is a rate (tax exempt), not a missing one', () => {
    expect(percents(rawTrade({ tax_rate: '0.1300', goods_list: [rawLine({ tax_rate: '0.0000' })] }))).toEqual(
      ['0'],
    );
  });

  it('keeps fractional percents exactly: 0.0550 → 5.5', () => {
    expect(percents(rawTrade({ goods_list: [rawLine({ tax_rate: '0.0550' })] }))).toEqual(['5.5']);
  });
});
