import { Decimal } from 'decimal.js';
import { mapTrade } from '../trade-mapper';
import { orderOf, rawLine, rawTrade, scenarioRules } from './trade-fixtures';

const priceOf = (num: string, shareAmount: string, decimals?: number): Decimal => {
  const rules = scenarioRules(decimals === undefined ? {} : { price: { decimals } });
  const order = orderOf(
    mapTrade(rawTrade({ goods_list: [rawLine({ num, share_amount: shareAmount })] }), rules),
  );
  return new Decimal(order.lines[0].taxPrice);
};

describe('scenario: "2.0000" quantities and prices that do not divide evenly', () => {
  it('reads "2.0000" as the quantity 2', () => {
    const order = orderOf(
      mapTrade(
        rawTrade({ goods_list: [rawLine({ num: '2.0000', share_amount: '119.8000' })] }),
        scenarioRules(),
      ),
    );
    expect(new Decimal(order.lines[0].qty).equals(2)).toBe(true);
    expect(new Decimal(order.lines[0].taxPrice).equals('59.9')).toBe(true);
  });

  it.each([
    ['3.0000', '100.0000', '33.3333'],
    ['3.0000', '200.0000', '66.6667'],
    ['7.0000', '10.0000', '1.4286'],
    ['1.5000', '10.0000', '6.6667'],
    ['2.0000', '0.0001', '0.0001'], // 0.00005 → half-up → 0.0001 (half-even would give 0)
    ['2.0000', '0.0003', '0.0002'], // 0.00015 → 0.0002
    ['6.0000', '0.0003', '0.0001'], // 0.00005 exactly
    ['3.0000', '0.0001', '0'], // 0.0000333…
  ])('num %s, share_amount %s → taxprice %s (half-up to 4 places)', (num, share, expected) => {
    expect(priceOf(num, share).equals(expected)).toBe(true);
    expect(priceOf(num, share).decimalPlaces()).toBeLessThanOrEqual(4);
  });

  it('rounds half-up to price.decimals: 0.0500 / 2 = 0.025 → 0.03 with 2 decimals', () => {
    expect(priceOf('2.0000', '0.0500', 2).equals('0.03')).toBe(true);
    expect(priceOf('2.0000', '0.0500', 2).toFixed()).toBe('0.03');
  });

  it('is exact where binary floating point is not: 0.3 / 3 = 0.1, 1.1 × 3 / 3 = 1.1', () => {
    expect(priceOf('3.0000', '0.3000').equals('0.1')).toBe(true);
    expect(priceOf('3.0000', '3.3000').equals('1.1')).toBe(true);
  });

  it('keeps large amounts exact (no 2^53 limit)', () => {
    expect(priceOf('3.0000', '123456789012345678.0000').equals('41152263004115226')).toBe(true);
  });

  it('"2.0000" and "2" give the same content hash', () => {
    const a = orderOf(
      mapTrade(
        rawTrade({ goods_list: [rawLine({ num: '2.0000', share_amount: '119.8000' })] }),
        scenarioRules(),
      ),
    );
    const b = orderOf(
      mapTrade(rawTrade({ goods_list: [rawLine({ num: '2', share_amount: '119.8' })] }), scenarioRules()),
    );
    expect(a.contentHash).toBe(b.contentHash);
  });
});
