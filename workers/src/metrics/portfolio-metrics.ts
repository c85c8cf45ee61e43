// Every metric for one portfolio over one range, as a plain JSON-safe object at full precision
// (never NaN or Infinity: an undefined figure is null). The API rounds for display.
import { compareWithBenchmark, type BenchmarkComparison } from './benchmark.js';
import { maxDrawdown, type Drawdown } from './drawdown.js';
import { bestAndWorstDay, type DayReturn } from './extremes.js';
import { annualisedVolatility, sharpeRatio, sortinoRatio, timeWeightedReturn } from './risk.js';
import {
  MetricsInputError,
  flowAdjustedReturns,
  growthIndex,
  validateBenchmarkSeries,
  validatePortfolioSeries,
  type BenchmarkSeries,
  type PortfolioSeries,
} from './series.js';
import { historicalValueAtRisk } from './value-at-risk.js';

export interface MetricsRequest {
  /** The range to measure: the caller slices the history. */
  series: PortfolioSeries;
  benchmark?: BenchmarkSeries;
  /** Annual risk-free rate as a fraction (0.04 = 4 %); default 0. */
  riskFreeRate?: number;
}

export interface PortfolioMetrics {
  /** First and last observation (ms); null for an empty series. */
  from: number | null;
  to: number | null;
  /** Daily returns the figures rest on (observations with a positive previous value, minus one). */
  returns: number;
  riskFreeRate: number;
  timeWeightedReturn: number | null;
  annualisedVolatility: number | null;
  sharpe: number | null;
  sortino: number | null;
  maxDrawdown: Drawdown | null;
  /** Null when no benchmark was given. */
  benchmark: BenchmarkComparison | null;
  /** Historical 1-day, 95 %, as positive loss fractions. */
  valueAtRisk95: number | null;
  conditionalValueAtRisk95: number | null;
  bestDay: DayReturn | null;
  worstDay: DayReturn | null;
}

export function portfolioMetrics(request: MetricsRequest): PortfolioMetrics {
  const { series, benchmark } = request;
  const riskFreeRate = request.riskFreeRate ?? 0;
  if (!Number.isFinite(riskFreeRate)) throw new MetricsInputError('riskFreeRate is not a finite number');
  validatePortfolioSeries(series);
  if (benchmark) validateBenchmarkSeries(benchmark);

  const daily = flowAdjustedReturns(series);
  const index = growthIndex(series);
  const { returns } = daily;
  const n = series.timestamps.length;
  const tail = historicalValueAtRisk(returns);
  const extremes = bestAndWorstDay(daily);
  return {
    from: n > 0 ? series.timestamps[0]! : null,
    to: n > 0 ? series.timestamps[n - 1]! : null,
    returns: returns.length,
    riskFreeRate,
    timeWeightedReturn: timeWeightedReturn(returns),
    annualisedVolatility: annualisedVolatility(returns),
    sharpe: sharpeRatio(returns, riskFreeRate),
    sortino: sortinoRatio(returns, riskFreeRate),
    maxDrawdown: maxDrawdown(series.timestamps, index),
    benchmark: benchmark ? compareWithBenchmark(series.timestamps, index, benchmark) : null,
    valueAtRisk95: tail?.valueAtRisk ?? null,
    conditionalValueAtRisk95: tail?.conditionalValueAtRisk ?? null,
    bestDay: extremes?.best ?? null,
    worstDay: extremes?.worst ?? null,
  };
}
