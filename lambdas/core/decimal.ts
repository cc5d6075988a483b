/**
 * Means that classify exactly at band edges. Sensors report PM2.5 to 0.1 ug/m3, so a sum of
 * readings is a whole number of tenths; kept in binary floating point it is not (16.8 + 16.6 +
 * 2.6 is 36.00000000000001), and a mean of exactly 12.0, 35.0 or 55.0 would be classified one
 * band worse. The seed's SQL on SQLite gets it right; so must every figure here.
 */

/**
 * The sum as a whole number of tenths, when it is one up to the rounding its additions can have
 * (each addition errs by at most half an ulp of the running total); null when the readings had
 * more decimals, whose sums are then used as they are.
 */
export function tenthsOfSum(sum: number, count: number): number | null {
  const tenths = sum * 10;
  const whole = Math.round(tenths);
  const tolerance = (count + 2) * Math.max(1, Math.abs(tenths)) * Number.EPSILON;
  return Math.abs(tenths - whole) <= tolerance ? whole : null;
}

/**
 * sum / count with the sum taken back to its exact tenths when it has them: the quotient of two
 * exact integers, rounded once, lands on a band edge exactly when the decimal mean does.
 */
export function decimalMean(sum: number, count: number): number {
  const tenths = tenthsOfSum(sum, count);
  return tenths === null ? sum / count : tenths / count / 10;
}

/** An exact positive ratio, in tenths of ug/m3: num / den. */
export interface ExactTenths {
  readonly num: bigint;
  readonly den: bigint;
}

/** A mean of whole tenths over a count, exactly; null when the sum is not whole tenths. */
export function exactMean(sum: number, count: number): ExactTenths | null {
  const tenths = tenthsOfSum(sum, count);
  return tenths === null || count <= 0 ? null : { num: BigInt(tenths), den: BigInt(count) };
}

const gcd = (a: bigint, b: bigint): bigint => {
  let [x, y] = [a < 0n ? -a : a, b];
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
};

/**
 * The mean of exact means (a day's mean of its hourly means), exactly: their sum over a common
 * denominator, reduced at each step so that 24 hours stay small.
 */
export function meanOfExact(means: readonly ExactTenths[]): ExactTenths | null {
  if (means.length === 0) return null;
  let total: ExactTenths = { num: 0n, den: 1n };
  for (const mean of means) {
    const num = total.num * mean.den + mean.num * total.den;
    const den = total.den * mean.den;
    const divisor = gcd(num, den);
    total = { num: num / divisor, den: den / divisor };
  }
  return { num: total.num, den: total.den * BigInt(means.length) };
}

/** -1, 0 or 1 as the exact value is below, at or above `tenths` tenths of ug/m3. */
export function compareExact(value: ExactTenths, tenths: number): -1 | 0 | 1 {
  const scaled = BigInt(tenths) * value.den;
  if (value.num < scaled) return -1;
  return value.num > scaled ? 1 : 0;
}

/** The exact value truncated to 0.1 ug/m3, in whole tenths (values are never negative). */
export const truncatedTenths = (value: ExactTenths): number => Number(value.num / value.den);

/** The nearest double, in ug/m3. */
export const exactToNumber = (value: ExactTenths): number => Number(value.num) / Number(value.den) / 10;
