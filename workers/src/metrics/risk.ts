// Volatility and the risk-adjusted ratios. Each needs at least MIN_RETURNS daily returns: a sample
// standard deviation of one day does not exist, and a ratio from one day would mean nothing.
import { TRADING_DAYS, ZERO_DEVIATION, mean, sampleStdev } from './stats.js';

export const MIN_RETURNS = 2;

/** stdev(r) (sample, n − 1) × √252; 0 for a flat series. */
export function annualisedVolatility(returns: Float64Array): number | null {
  if (returns.length < MIN_RETURNS) return null;
  return sampleStdev(returns) * Math.sqrt(TRADING_DAYS);
}

/**
 * (mean(r) − rf/252) / stdev(r) × √252, with `riskFreeRate` annual (0.04 = 4 %). Null when the
 * standard deviation is 0: the ratio is undefined, not infinite.
 */
export function sharpeRatio(returns: Float64Array, riskFreeRate: number): number | null {
  if (returns.length < MIN_RETURNS) return null;
  const stdev = sampleStdev(returns);
  if (stdev === 0) return null;
  return ((mean(returns) - riskFreeRate / TRADING_DAYS) / stdev) * Math.sqrt(TRADING_DAYS);
}

/**
 * Downside deviation against the daily risk-free rate, over all days (days above the target count
 * as 0, and the mean divides by every day): sqrt(Σ min(0, r − rf/252)² / n).
 */
export function downsideDeviation(returns: Float64Array, riskFreeRate: number): number {
  const target = riskFreeRate / TRADING_DAYS;
  let sum = 0;
  for (let i = 0; i < returns.length; i++) {
    const shortfall = Math.min(0, returns[i]! - target);
    sum += shortfall * shortfall;
  }
  const dd = Math.sqrt(sum / returns.length);
  return dd < ZERO_DEVIATION ? 0 : dd;
}

/** (mean(r) − rf/252) / downside deviation × √252; null when no day fell short of the target. */
export function sortinoRatio(returns: Float64Array, riskFreeRate: number): number | null {
  if (returns.length < MIN_RETURNS) return null;
  const dd = downsideDeviation(returns, riskFreeRate);
  if (dd === 0) return null;
  return ((mean(returns) - riskFreeRate / TRADING_DAYS) / dd) * Math.sqrt(TRADING_DAYS);
}

/** Π(1 + r_t) − 1; null without a single return. */
export function timeWeightedReturn(returns: Float64Array): number | null {
  if (returns.length === 0) return null;
  let growth = 1;
  for (let i = 0; i < returns.length; i++) growth *= 1 + returns[i]!;
  return growth - 1;
}
