// Money is exact here: every amount a trader sees is a whole number of cents computed with integer
// arithmetic, never a float sum that drifts. Prices carry at most PRICE_DECIMALS places and
// quantities at most QUANTITY_DECIMALS (the stream contract and the schema enforce both), so both
// scale to integers exactly; their product is rounded once, half away from zero, to cents.
// See docs/money.md for the rules and why totals are sums of rounded rows.

export const PRICE_DECIMALS = 6;
export const QUANTITY_DECIMALS = 8;
const PRICE_SCALE = 10 ** PRICE_DECIMALS;
const QUANTITY_SCALE = 10 ** QUANTITY_DECIMALS;
const CENTS_PER_UNIT = 100;

/** An integer number of cents. */
export type Cents = number;

/** `x` with at most `decimals` places as an exact integer of 10^-decimals units. */
function scaled(x: number, scale: number): number {
  return Math.round(x * scale);
}

/** n / d rounded half away from zero, for integers with d > 0. */
function divideRounded(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r = n % d;
  if (2n * (r < 0n ? -r : r) >= d) return n < 0n ? q - 1n : q + 1n;
  return q;
}

/** Market value in cents of `quantity` units at `price`. */
export function valueCents(quantity: number, price: number): Cents {
  const product = BigInt(scaled(quantity, QUANTITY_SCALE)) * BigInt(scaled(price, PRICE_SCALE));
  return Number(divideRounded(product, BigInt((QUANTITY_SCALE * PRICE_SCALE) / CENTS_PER_UNIT)));
}

/** An amount (at most 4 decimal places, as stored for cost bases) in cents. */
export function amountToCents(amount: number): Cents {
  return Number(divideRounded(BigInt(scaled(amount, 10_000)), 100n));
}

/** Cents as the decimal amount put on the wire: 12345 → 123.45 (prints exactly, shortest form). */
export function centsToAmount(cents: Cents): number {
  return cents / CENTS_PER_UNIT;
}
