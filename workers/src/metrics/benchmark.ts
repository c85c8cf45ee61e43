// Beta and correlation against a benchmark. The two series are first aligned on the timestamps
// present in both; returns are then taken between consecutive common days on both sides, so a day
// missing from one series merges two days of the other instead of pairing mismatched periods.
import type { BenchmarkSeries } from './series.js';
import { MIN_RETURNS } from './risk.js';
import { ZERO_DEVIATION, sampleCovariance, sampleVariance } from './stats.js';

export interface BenchmarkComparison {
  /** Paired daily returns the figures rest on. */
  observations: number;
  /** cov(r, b) / var(b); null with fewer than 2 pairs or a flat benchmark. */
  beta: number | null;
  /** Pearson correlation of r and b; null with fewer than 2 pairs or either side flat. */
  correlation: number | null;
}

/** `portfolioIndex` is the portfolio's growth index at each of `portfolioTimestamps`. */
export function compareWithBenchmark(
  portfolioTimestamps: Float64Array,
  portfolioIndex: Float64Array,
  benchmark: BenchmarkSeries,
): BenchmarkComparison {
  const { r, b } = alignedReturns(portfolioTimestamps, portfolioIndex, benchmark);
  if (r.length < MIN_RETURNS) return { observations: r.length, beta: null, correlation: null };
  const varR = sampleVariance(r);
  const varB = sampleVariance(b);
  const cov = sampleCovariance(r, b);
  const sdR = Math.sqrt(varR);
  const sdB = Math.sqrt(varB);
  return {
    observations: r.length,
    beta: sdB < ZERO_DEVIATION ? null : cov / varB,
    correlation: sdR < ZERO_DEVIATION || sdB < ZERO_DEVIATION ? null : clampUnit(cov / (sdR * sdB)),
  };
}

/** Paired returns between consecutive timestamps present in both series (both sorted ascending). */
export function alignedReturns(
  portfolioTimestamps: Float64Array,
  portfolioIndex: Float64Array,
  benchmark: BenchmarkSeries,
): { timestamps: Float64Array; r: Float64Array; b: Float64Array } {
  const cap = Math.min(portfolioTimestamps.length, benchmark.timestamps.length);
  const stamps = new Float64Array(cap);
  const r = new Float64Array(cap);
  const b = new Float64Array(cap);
  let n = 0;
  let previousP = NaN;
  let previousB = NaN;
  for (let i = 0, j = 0; i < portfolioTimestamps.length && j < benchmark.timestamps.length;) {
    const tp = portfolioTimestamps[i]!;
    const tb = benchmark.timestamps[j]!;
    if (tp < tb) i++;
    else if (tb < tp) j++;
    else {
      const p = portfolioIndex[i]!;
      const q = benchmark.values[j]!;
      // After a 100 % loss the index stays at 0 and has no further returns (as in flowAdjustedReturns).
      if (previousP > 0) {
        r[n] = p / previousP - 1;
        b[n] = q / previousB - 1;
        stamps[n] = tp;
        n++;
      }
      previousP = p;
      previousB = q;
      i++;
      j++;
    }
  }
  return { timestamps: stamps.subarray(0, n), r: r.subarray(0, n), b: b.subarray(0, n) };
}

// Rounding can push a perfect correlation a hair past ±1.
function clampUnit(x: number): number {
  return Math.max(-1, Math.min(1, x));
}
