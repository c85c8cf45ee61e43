import { describe, expect, it } from 'vitest';
import { alignedReturns, compareWithBenchmark } from './benchmark.js';
import { growthIndex, type PortfolioSeries } from './series.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 5, 3);
const days = (...n: number[]) => Float64Array.from(n, (d) => T0 + d * DAY);
const f64 = (...v: number[]) => Float64Array.from(v);
/** Levels that start at `start` and move by `returns`. */
const levels = (start: number, returns: number[]) => {
  const out = [start];
  for (const r of returns) out.push(out[out.length - 1]! * (1 + r));
  return Float64Array.from(out);
};

function compare(series: PortfolioSeries, benchmark: { timestamps: Float64Array; values: Float64Array }) {
  return compareWithBenchmark(series.timestamps, growthIndex(series), benchmark);
}

describe('beta and correlation', () => {
  // r = 1 %, −2 %, 3 %; b = 2 %, −1 %, 1 %. Both means are 0.02 / 3; in units of 1/300 the deviations
  // are r: 1, −8, 7 and b: 4, −5, 1. Σ dr·db = 4 + 40 + 7 = 51, Σ db² = 16 + 25 + 1 = 42, Σ dr² = 114.
  const portfolio = { timestamps: days(0, 1, 2, 3), values: levels(100, [0.01, -0.02, 0.03]) };
  const benchmark = { timestamps: days(0, 1, 2, 3), values: levels(4000, [0.02, -0.01, 0.01]) };

  it('beta = cov / var(b) = 51 / 42, correlation = 51 / √(114 × 42)', () => {
    const result = compare(portfolio, benchmark);
    expect(result.observations).toBe(3);
    expect(result.beta).toBeCloseTo(51 / 42, 12);
    expect(result.correlation).toBeCloseTo(51 / Math.sqrt(114 * 42), 12); // 0.737043...
  });

  it('is 1 and 1 for a portfolio that holds the benchmark through a deposit and a withdrawal', () => {
    const b = benchmark.values;
    const flows = f64(0, 1000, 0, -500);
    // Holds units of the benchmark; a flow arrives at the start of its day, so it buys or sells units
    // at the previous close, and V_t = units × L_t. Then V_{t−1} + F_t = units × L_{t−1}, and each
    // return is L_t / L_{t−1} − 1, the benchmark's own. (Day 0 has no flow.)
    let units = 1;
    const values = Float64Array.from(b, (level, t) => {
      if (t > 0) units += flows[t]! / b[t - 1]!;
      return units * level;
    });
    const result = compare({ timestamps: benchmark.timestamps, values, flows }, benchmark);
    expect(result.beta).toBeCloseTo(1, 12);
    expect(result.correlation).toBeCloseTo(1, 12);
  });

  it('is null for a flat benchmark (beta, correlation) or a flat portfolio (correlation)', () => {
    const flat = { timestamps: days(0, 1, 2, 3), values: f64(10, 10, 10, 10) };
    expect(compare(portfolio, flat)).toEqual({ observations: 3, beta: null, correlation: null });
    const flatPortfolio = compare(flat, benchmark);
    expect(flatPortfolio.beta).toBe(0);
    expect(flatPortfolio.correlation).toBeNull();
  });

  it('is null with fewer than two paired returns', () => {
    const result = compare(portfolio, { timestamps: days(0, 3), values: f64(1, 2) });
    expect(result).toEqual({ observations: 1, beta: null, correlation: null });
  });
});

describe('alignment by timestamp', () => {
  it('pairs returns between consecutive days present in both series', () => {
    // portfolio has days 0-4; the benchmark lacks day 2 and has days −1 and 5 the portfolio lacks.
    const portfolio = { timestamps: days(0, 1, 2, 3, 4), values: f64(100, 110, 99, 121, 133.1) };
    const benchmark = { timestamps: days(-1, 0, 1, 3, 4, 5), values: f64(7, 50, 55, 44, 66, 1) };
    const { timestamps, r, b } = alignedReturns(portfolio.timestamps, growthIndex(portfolio), benchmark);
    expect([...timestamps]).toEqual([...days(1, 3, 4)]);
    // portfolio: 110/100 − 1, 121/110 − 1 (day 2 folded in), 133.1/121 − 1
    expect([...r]).toEqual([0.1, 0.1, 0.1].map((x) => expect.closeTo(x, 12)));
    // benchmark: 55/50 − 1, 44/55 − 1, 66/44 − 1
    expect([...b]).toEqual([0.1, -0.2, 0.5].map((x) => expect.closeTo(x, 12)));
  });

  it('finds nothing when the series share no day', () => {
    const result = alignedReturns(days(0, 1), f64(1, 1.1), { timestamps: days(2, 3), values: f64(1, 2) });
    expect(result.r.length).toBe(0);
  });
});
