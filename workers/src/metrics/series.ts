// The inputs every metric starts from, their validation, and the flow-adjusted daily returns.
// Conventions are written up in docs/metrics.md; the code and that page must agree.

/** A portfolio's daily observations over the chosen range (the caller picks the range). */
export interface PortfolioSeries {
  /** Day stamps, ms since the epoch, strictly increasing. A missing day is simply not there. */
  timestamps: Float64Array;
  /** Value at the end of each day, after that day's flows (which arrived at its start). */
  values: Float64Array;
  /** Net external cash flow on each day: deposits positive, withdrawals negative. Omitted = none. */
  flows?: Float64Array;
}

/** A benchmark's daily levels (an index or a price): no flows, always positive. */
export interface BenchmarkSeries {
  timestamps: Float64Array;
  values: Float64Array;
}

/** One return per observation with money at work (V_{t−1} + F_t > 0), stamped with the day it ends on. */
export interface DailyReturns {
  timestamps: Float64Array;
  returns: Float64Array;
}

/**
 * Bad input: mismatched lengths, non-finite numbers, timestamps out of order. The pool turns the
 * worker's copy of this error back into this class, so a caller can answer 400 rather than 500.
 */
export class MetricsInputError extends Error {
  override readonly name = 'MetricsInputError';
}

export function validatePortfolioSeries(series: PortfolioSeries): void {
  const { timestamps, values, flows } = series;
  if (values.length !== timestamps.length) throw new MetricsInputError('values and timestamps differ in length');
  if (flows && flows.length !== timestamps.length) throw new MetricsInputError('flows and timestamps differ in length');
  validateTimestamps(timestamps, 'portfolio');
  requireFinite(values, 'portfolio values');
  if (flows) requireFinite(flows, 'portfolio flows');
}

export function validateBenchmarkSeries(series: BenchmarkSeries): void {
  const { timestamps, values } = series;
  if (values.length !== timestamps.length)
    throw new MetricsInputError('benchmark values and timestamps differ in length');
  validateTimestamps(timestamps, 'benchmark');
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v) || v <= 0) throw new MetricsInputError(`benchmark value at index ${i} is not positive`);
  }
}

function validateTimestamps(timestamps: Float64Array, what: string): void {
  for (let i = 0; i < timestamps.length; i++) {
    const t = timestamps[i]!;
    if (!Number.isFinite(t)) throw new MetricsInputError(`${what} timestamp at index ${i} is not finite`);
    if (i > 0 && t <= timestamps[i - 1]!) {
      throw new MetricsInputError(`${what} timestamps are not strictly increasing at index ${i}`);
    }
  }
}

function requireFinite(a: Float64Array, what: string): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]!)) throw new MetricsInputError(`${what} at index ${i} is not finite`);
  }
}

/**
 * r_t = V_t / (V_{t−1} + F_t) − 1: a flow arrives at the start of its day, so the money at work on
 * day t is V_{t−1} + F_t (the convention of server/src/history/twr.ts and docs/history.md, so the
 * product has one TWR). Day 0's flow is ignored (V_0 is the starting capital). A day with no money at
 * work (V_{t−1} + F_t ≤ 0: an empty portfolio before its first deposit, or a full withdrawal) has no
 * return: it is skipped, not counted as 0 (for the TWR the two give the same product, but a skipped
 * day is not an observation for volatility, VaR and the other figures).
 */
export function flowAdjustedReturns(series: PortfolioSeries): DailyReturns {
  const { timestamps, values, flows } = series;
  const returns = new Float64Array(Math.max(0, values.length - 1));
  const stamps = new Float64Array(returns.length);
  let n = 0;
  for (let t = 1; t < values.length; t++) {
    const start = values[t - 1]! + (flows ? flows[t]! : 0);
    if (!(start > 0)) continue;
    returns[n] = values[t]! / start - 1;
    stamps[n] = timestamps[t]!;
    n++;
  }
  return { timestamps: stamps.subarray(0, n), returns: returns.subarray(0, n) };
}

/**
 * The flow-adjusted growth of one unit invested at the first observation, at every observation:
 * I_0 = 1, I_t = I_{t−1} × V_t / (V_{t−1} + F_t) = I_{t−1} × (1 + r_t), carried forward unchanged on a
 * day without a return (V_{t−1} + F_t ≤ 0).
 */
export function growthIndex(series: PortfolioSeries): Float64Array {
  const { values, flows } = series;
  const index = new Float64Array(values.length);
  if (values.length === 0) return index;
  index[0] = 1;
  for (let t = 1; t < values.length; t++) {
    const start = values[t - 1]! + (flows ? flows[t]! : 0);
    index[t] = start > 0 ? (index[t - 1]! * values[t]!) / start : index[t - 1]!;
  }
  return index;
}
