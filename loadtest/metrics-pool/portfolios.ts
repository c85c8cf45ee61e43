// Deterministic portfolios for the metrics benchmark: a year of weekday closes per portfolio, a
// benchmark index that drives them, and the odd deposit or withdrawal.
import type { MetricsRequest } from '../../workers/src/metrics/index.js';

const DAY_MS = 86_400_000;
const START = Date.UTC(2025, 0, 2);
const RISK_FREE_RATE = 0.04;

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Weekdays from 2025-01-02: weekends are gaps, as in real closes. */
function tradingDays(count: number): Float64Array {
  const days = new Float64Array(count);
  for (let i = 0, t = START; i < count; t += DAY_MS) {
    const weekday = new Date(t).getUTCDay();
    if (weekday !== 0 && weekday !== 6) days[i++] = t;
  }
  return days;
}

export interface Universe {
  timestamps: Float64Array;
  benchmark: Float64Array;
  portfolios: { values: Float64Array; flows: Float64Array }[];
}

export function generate(portfolios: number, days: number, seed = 20_250_102): Universe {
  const rand = random(seed);
  const timestamps = tradingDays(days);
  const benchmark = new Float64Array(days);
  const market = new Float64Array(days);
  let level = 5_000;
  for (let i = 0; i < days; i++) {
    market[i] = i === 0 ? 0 : (rand() - 0.49) * 0.025;
    level *= 1 + market[i]!;
    benchmark[i] = level;
  }
  const list = Array.from({ length: portfolios }, () => {
    const beta = 0.5 + rand();
    const values = new Float64Array(days);
    const flows = new Float64Array(days);
    let value = 10_000 + rand() * 990_000;
    for (let i = 0; i < days; i++) {
      const flow = i > 0 && rand() < 0.02 ? Math.round((rand() - 0.3) * value * 0.1) : 0;
      value = value * (1 + beta * market[i]! + (rand() - 0.5) * 0.01) + flow;
      values[i] = value;
      flows[i] = flow;
    }
    return { values, flows };
  });
  return { timestamps, benchmark, portfolios: list };
}

/** One request per portfolio, each with buffers of its own (the pool moves them away). */
export function requests(universe: Universe): MetricsRequest[] {
  return universe.portfolios.map(({ values, flows }) => ({
    series: { timestamps: universe.timestamps.slice(), values: values.slice(), flows: flows.slice() },
    benchmark: { timestamps: universe.timestamps.slice(), values: universe.benchmark.slice() },
    riskFreeRate: RISK_FREE_RATE,
  }));
}
