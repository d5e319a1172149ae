import { decimalEquals, divideHalfUp, normalizeDecimal } from './decimal';

describe('decimal helpers', () => {
  it('normalizes without trailing zeros or exponents', () => {
    expect(
      ['2.0000', '0.1300', '13', '0.0000', '0.00000001', '123456789012345678901234.5'].map((v) =>
        normalizeDecimal(v),
      ),
    ).toEqual(['2', '0.13', '13', '0', '0.00000001', '123456789012345678901234.5']);
  });

  it('compares as decimals', () => {
    expect(decimalEquals('2.0000', '2')).toBe(true);
    expect(decimalEquals('2.0001', '2')).toBe(false);
  });

  it('divides and rounds half-up exactly, with a fixed number of places', () => {
    expect(divideHalfUp('100', '3', 4)).toBe('33.3333');
    expect(divideHalfUp('0.0001', '2', 4)).toBe('0.0001');
    expect(divideHalfUp('0.0001', '2.0001', 4)).toBe('0.0000');
    expect(divideHalfUp('1', '8', 2)).toBe('0.13');
    expect(divideHalfUp('5', '2', 0)).toBe('3');
    expect(divideHalfUp('0', '7', 4)).toBe('0.0000');
  });

  it('refuses a zero or negative divisor and a negative dividend', () => {
    expect(() => divideHalfUp('1', '0', 4)).toThrow(RangeError);
    expect(() => divideHalfUp('-1', '2', 4)).toThrow(RangeError);
  });
});
