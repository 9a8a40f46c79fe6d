/**
 * Amounts of money in currency units (0.004 = four tenths of a cent), exact to millionths: sums are kept in integer
 * millionths so that a thousand messages add up without floating-point drift. No dependencies, so workflow code can
 * add up what a conversation cost without bundling the price table's schema (billing/price-table.ts).
 */

/** Millionths in one currency unit. */
export const MICROS = 1_000_000;

/** Integer millionths of `units` currency units. */
export function toMicros(units: number): number {
  return Math.round(units * MICROS);
}

/** Currency units from a sum of millionths. */
export function fromMicros(micros: number): number {
  return micros / MICROS;
}

/** `a + b` in currency units, exact to millionths (floating-point sums drift: 0.1 + 0.2). */
export function addAmounts(a: number | undefined | null, b: number): number {
  return (toMicros(a ?? 0) + toMicros(b)) / MICROS;
}
