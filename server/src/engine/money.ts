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

/**
 * n / d rounded half away from zero, in plain numbers: exact when |n| < 2^53 and d ≤ 2^26, because
 * a quotient that is not a tie is then at least 1/d away from one, far above the float error.
 */
function divideRoundedSmall(n: number, d: number): number {
  // `|| 0`: a small negative quotient rounds to -0, which the exact path never returns.
  return n < 0 ? -Math.round(-n / d) || 0 : Math.round(n / d);
}

const PRICE_UNITS_PER_CENT = PRICE_SCALE / CENTS_PER_UNIT;

/** Market value in cents of `quantity` units at `price`. */
export function valueCents(quantity: number, price: number): Cents {
  const priceUnits = scaled(price, PRICE_SCALE);
  // Whole shares (the common case) need no BigInt while the product stays an exact integer.
  if (Number.isInteger(quantity)) {
    const product = quantity * priceUnits;
    if (Number.isSafeInteger(product)) return divideRoundedSmall(product, PRICE_UNITS_PER_CENT);
  }
  const product = BigInt(scaled(quantity, QUANTITY_SCALE)) * BigInt(priceUnits);
  return Number(divideRounded(product, BigInt((QUANTITY_SCALE * PRICE_SCALE) / CENTS_PER_UNIT)));
}

/** A share of a whole, in basis points (1/100 of a percent), rounded half away from zero. */
export type BasisPoints = number;

/** `part / whole` in basis points; 0 when the whole is 0 (an empty portfolio has no weights). */
export function basisPoints(part: Cents, whole: Cents): BasisPoints {
  if (whole === 0) return 0;
  const n = part * 10_000;
  if (Number.isSafeInteger(n) && Math.abs(whole) <= 2 ** 26) {
    return whole < 0 ? divideRoundedSmall(-n, -whole) : divideRoundedSmall(n, whole);
  }
  const [num, den] = whole < 0 ? [-BigInt(part), -BigInt(whole)] : [BigInt(part), BigInt(whole)];
  return Number(divideRounded(num * 10_000n, den));
}

/** Basis points as the percentage put on the wire: 1234 → 12.34. */
export function basisPointsToPercent(bp: BasisPoints): number {
  return bp / 100;
}

/** An amount (at most 4 decimal places, as stored for cost bases) in cents. */
export function amountToCents(amount: number): Cents {
  return Number(divideRounded(BigInt(scaled(amount, 10_000)), 100n));
}

/** Cents as the decimal amount put on the wire: 12345 → 123.45 (prints exactly, shortest form). */
export function centsToAmount(cents: Cents): number {
  return cents / CENTS_PER_UNIT;
}
