// The metric functions: pure, no I/O, Float64Array in, plain objects out.
export { allocationDrift, type AllocationDrift, type SymbolDrift, type Weights } from './allocation-drift.js';
export { alignedReturns, compareWithBenchmark, type BenchmarkComparison } from './benchmark.js';
export { maxDrawdown, type Drawdown } from './drawdown.js';
export { bestAndWorstDay, type DayReturn } from './extremes.js';
export { portfolioMetrics, type MetricsRequest, type PortfolioMetrics } from './portfolio-metrics.js';
export {
  annualisedVolatility,
  downsideDeviation,
  sharpeRatio,
  sortinoRatio,
  timeWeightedReturn,
  MIN_RETURNS,
} from './risk.js';
export {
  MetricsInputError,
  flowAdjustedReturns,
  growthIndex,
  type BenchmarkSeries,
  type DailyReturns,
  type PortfolioSeries,
} from './series.js';
export { TRADING_DAYS } from './stats.js';
export { historicalValueAtRisk, type ValueAtRisk } from './value-at-risk.js';
