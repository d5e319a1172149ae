import { Decimal } from 'decimal.js';

/**
 * The mapper's own Decimal constructor: enough significant digits that sums and products of WDT
 * amounts (four decimals, at most a dozen integer digits) are exact, and half-up rounding.
 */
export const Dec = Decimal.clone({
  precision: 60,
  rounding: Decimal.ROUND_HALF_UP,
  toExpNeg: -100,
  toExpPos: 100,
});
export type Dec = InstanceType<typeof Dec>;

/** A decimal string in normal notation without trailing zeros: "2.0000" → "2", "0.1300" → "0.13". */
export const normalizeDecimal = (value: string | Dec): string => new Dec(value).toFixed();

/** True when two decimal strings denote the same number ("2.0000" and "2"). */
export const decimalEquals = (a: string, b: string): boolean => new Dec(a).equals(new Dec(b));

/**
 * `dividend / divisor` rounded half-up (away from zero on a tie) to `places` decimals, computed
 * exactly: the quotient is never rounded twice. Both operands must be non-negative, the divisor > 0.
 * Returns a string with exactly `places` decimals.
 */
export function divideHalfUp(dividend: string | Dec, divisor: string | Dec, places: number): string {
  const a = new Dec(dividend);
  const b = new Dec(divisor);
  if (a.lessThan(0) || !b.greaterThan(0)) {
    throw new RangeError(
      `divideHalfUp needs dividend ≥ 0 and divisor > 0, got ${a.toFixed()} / ${b.toFixed()}`,
    );
  }
  const scaled = a.times(new Dec(10).pow(places));
  const quotient = scaled.divToInt(b);
  const remainder = scaled.minus(quotient.times(b));
  const rounded = remainder.times(2).greaterThanOrEqualTo(b) ? quotient.plus(1) : quotient;
  return rounded.dividedBy(new Dec(10).pow(places)).toFixed(places);
}
