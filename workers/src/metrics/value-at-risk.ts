// Historical 1-day Value at Risk and Conditional VaR (expected shortfall) at 95 %.

/** 5 % tail: the k-th worst of n returns, k = ⌈n / 20⌉, kept integer so 0.05 × n cannot round up. */
const TAIL_DIVISOR = 20;

export interface ValueAtRisk {
  /** −q, where q is the lower empirical 5 % quantile of daily returns (no interpolation). */
  valueAtRisk: number;
  /** −mean of the returns at or below q. */
  conditionalValueAtRisk: number;
}

/**
 * Both as positive loss fractions (0.02 = a 2 % daily loss). When even the 5 % quantile is a gain
 * they are negative: they are not clamped at 0. Null without a single return.
 */
export function historicalValueAtRisk(returns: Float64Array): ValueAtRisk | null {
  const n = returns.length;
  if (n === 0) return null;
  const sorted = Float64Array.from(returns).sort();
  const q = sorted[Math.ceil(n / TAIL_DIVISOR) - 1]!;
  let sum = 0;
  let count = 0;
  // Ties with q are in the tail too, so the tail can be longer than k.
  for (let i = 0; i < n && sorted[i]! <= q; i++) {
    sum += sorted[i]!;
    count++;
  }
  // 0 − x rather than −x: a flat series reports 0, not −0.
  return { valueAtRisk: 0 - q, conditionalValueAtRisk: 0 - sum / count };
}
