import { describe, expect, it } from 'vitest';
import { portfolioMetrics, type PortfolioMetrics } from './portfolio-metrics.js';
import { MetricsInputError } from './series.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 2);
const SQRT_252 = Math.sqrt(252);
const f64 = (...v: number[]) => Float64Array.from(v);
const days = (n: number) => Float64Array.from({ length: n }, (_, i) => T0 + i * DAY);
const at = (i: number) => T0 + i * DAY;

const jsonRoundTrip = (m: PortfolioMetrics) => JSON.parse(JSON.stringify(m)) as unknown;

describe('portfolio metrics: edge cases', () => {
  it('an empty series: every figure null', () => {
    const m = portfolioMetrics({ series: { timestamps: f64(), values: f64() } });
    expect(m).toEqual({
      from: null,
      to: null,
      returns: 0,
      riskFreeRate: 0,
      timeWeightedReturn: null,
      annualisedVolatility: null,
      sharpe: null,
      sortino: null,
      maxDrawdown: null,
      benchmark: null,
      valueAtRisk95: null,
      conditionalValueAtRisk95: null,
      bestDay: null,
      worstDay: null,
    });
  });

  it('one point: a range, but nothing that needs a return', () => {
    const benchmark = { timestamps: days(1), values: f64(10) };
    const m = portfolioMetrics({ series: { timestamps: days(1), values: f64(100) }, benchmark });
    expect(m).toMatchObject({ from: at(0), to: at(0), returns: 0, timeWeightedReturn: null, maxDrawdown: null });
    expect(m.benchmark).toEqual({ observations: 0, beta: null, correlation: null });
    expect(m.valueAtRisk95).toBeNull();
    expect(m.bestDay).toBeNull();
    expect(jsonRoundTrip(m)).toEqual(m);
  });

  it('two points: one return, so no standard deviation yet', () => {
    const m = portfolioMetrics({ series: { timestamps: days(2), values: f64(100, 97) } });
    expect(m.returns).toBe(1);
    expect(m.timeWeightedReturn).toBeCloseTo(-0.03, 15);
    expect(m.annualisedVolatility).toBeNull();
    expect(m.sharpe).toBeNull();
    expect(m.sortino).toBeNull();
    expect(m.maxDrawdown).toMatchObject({ peakAt: at(0), troughAt: at(1), recoveredAt: null });
    expect(m.valueAtRisk95).toBeCloseTo(0.03, 15);
  });

  it('a flat series: volatility 0, ratios null (undefined), no drawdown', () => {
    const m = portfolioMetrics({ series: { timestamps: days(5), values: f64(100, 100, 100, 100, 100) } });
    expect(m).toMatchObject({
      returns: 4,
      timeWeightedReturn: 0,
      annualisedVolatility: 0,
      sharpe: null,
      sortino: null,
      maxDrawdown: { depth: 0, peakAt: null, troughAt: null, recoveredAt: null },
      valueAtRisk95: 0,
      conditionalValueAtRisk95: 0,
      bestDay: { at: at(1), return: 0 },
    });
    expect(jsonRoundTrip(m)).toEqual(m);
  });

  it('a flat series with deposits is still flat: flows are not returns', () => {
    const m = portfolioMetrics({
      series: { timestamps: days(4), values: f64(100, 150, 150, 120), flows: f64(0, 50, 0, -30) },
    });
    // 150 / (100 + 50) − 1 = 0, 150 / (150 + 0) − 1 = 0, 120 / (150 − 30) − 1 = 0
    expect(m.timeWeightedReturn).toBe(0);
    expect(m.annualisedVolatility).toBe(0);
  });

  it('gaps: each observation is one period, whatever the calendar says', () => {
    const values = f64(100, 102, 99, 104, 101);
    const consecutive = portfolioMetrics({ series: { timestamps: days(5), values } });
    // Friday, Monday, a missing week, Tuesday, Wednesday
    const gappy = f64(at(0), at(3), at(11), at(12), at(13));
    const withGaps = portfolioMetrics({ series: { timestamps: gappy, values } });
    const { from: _f, to: _t, maxDrawdown: ddA, bestDay: bestA, worstDay: worstA, ...figuresA } = consecutive;
    const { from: _g, to: _u, maxDrawdown: ddB, bestDay: bestB, worstDay: worstB, ...figuresB } = withGaps;
    expect(figuresB).toEqual(figuresA);
    expect(ddB!.depth).toBe(ddA!.depth);
    // the return across the missing week (99 / 102 − 1, the worst) is stamped with the day after it
    expect(worstB).toEqual({ at: at(11), return: worstA!.return });
    expect(bestB).toEqual({ at: at(12), return: bestA!.return }); // 104 / 99 − 1
  });

  it('an all-loss series', () => {
    // 100 → 95 → 85.5 → 81.225: −5 %, −10 %, −5 %
    const m = portfolioMetrics({ series: { timestamps: days(4), values: f64(100, 95, 85.5, 81.225) } });
    expect(m.timeWeightedReturn).toBeCloseTo(-0.18775, 14); // 0.95 × 0.9 × 0.95 − 1
    // mean −0.2 / 3; deviations 0.05/3, −0.1/3, 0.05/3; Σ² = 0.015 / 9; sample variance 0.015 / 18
    const sd = Math.sqrt(0.015 / 18);
    expect(m.annualisedVolatility).toBeCloseTo(sd * SQRT_252, 13);
    expect(m.sharpe).toBeCloseTo((-0.2 / 3 / sd) * SQRT_252, 12);
    // every day is downside: √((0.0025 + 0.01 + 0.0025) / 3) = √0.005
    expect(m.sortino).toBeCloseTo((-0.2 / 3 / Math.sqrt(0.005)) * SQRT_252, 12);
    expect(m.maxDrawdown!.depth).toBeCloseTo(0.18775, 14);
    expect(m.maxDrawdown).toMatchObject({ peakAt: at(0), troughAt: at(3), recoveredAt: null });
    expect(m.valueAtRisk95).toBeCloseTo(0.1, 15); // 3 returns: k = 1, the worst
    expect(m.conditionalValueAtRisk95).toBeCloseTo(0.1, 15);
    expect(m.bestDay!.at).toBe(at(1)); // −5 % on days 1 and 3: the earliest
    expect(m.worstDay!.at).toBe(at(2));
  });

  it('a total loss: −100 %, and nothing after it counts', () => {
    const m = portfolioMetrics({ series: { timestamps: days(4), values: f64(100, 50, 0, 0) } });
    expect(m.timeWeightedReturn).toBe(-1);
    expect(m.maxDrawdown!.depth).toBe(1);
    expect(m.returns).toBe(2);
  });

  it('passes the risk-free rate through and rejects bad input with MetricsInputError', () => {
    const series = { timestamps: days(3), values: f64(1, 2, 3) };
    expect(portfolioMetrics({ series, riskFreeRate: 0.04 }).riskFreeRate).toBe(0.04);
    expect(() => portfolioMetrics({ series, riskFreeRate: NaN })).toThrow(MetricsInputError);
    expect(() => portfolioMetrics({ series, benchmark: { timestamps: days(3), values: f64(1, 0, 1) } })).toThrow(
      MetricsInputError,
    );
    expect(() => portfolioMetrics({ series: { timestamps: f64(2, 1), values: f64(1, 1) } })).toThrow(
      /strictly increasing/,
    );
  });
});

// A second, deliberately naive implementation written from docs/metrics.md: plain arrays, an O(n²)
// drawdown search, Array#sort with a comparator, a Map for alignment. It shares no code with the
// functions under test.
interface Plain {
  ts: number[];
  v: number[];
  f: number[];
}
function reference(p: Plain, bench: { ts: number[]; v: number[] }, rf: number) {
  const r: number[] = [];
  const rts: number[] = [];
  const index = [1];
  for (let t = 1; t < p.v.length; t++) {
    const atWork = p.v[t - 1]! + p.f[t]!; // a flow arrives at the start of its day
    if (atWork > 0) {
      const x = p.v[t]! / atWork - 1;
      r.push(x);
      rts.push(p.ts[t]!);
      index.push(index[t - 1]! * (1 + x));
    } else index.push(index[t - 1]!);
  }
  const n = r.length;
  const avg = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
  const m = avg(r);
  const sd = Math.sqrt(r.reduce((s, x) => s + (x - m) ** 2, 0) / (n - 1));
  const dd = Math.sqrt(r.reduce((s, x) => s + Math.min(0, x - rf / 252) ** 2, 0) / n);

  let depth = 0;
  let peakAt = -1;
  let troughAt = -1;
  for (let j = 0; j < index.length; j++) {
    for (let i = 0; i < j; i++) {
      const fall = 1 - index[j]! / index[i]!;
      if (fall > depth) [depth, peakAt, troughAt] = [fall, i, j];
    }
  }
  let recoveredAt: number | null = null;
  for (let j = troughAt + 1; j < index.length; j++) {
    if (index[j]! >= index[peakAt]!) {
      recoveredAt = p.ts[j]!;
      break;
    }
  }

  const sorted = [...r].sort((a, b) => a - b);
  const q = sorted[Math.ceil((n * 5) / 100) - 1]!;
  const tail = sorted.filter((x) => x <= q);

  const benchAt = new Map(bench.ts.map((t, i) => [t, bench.v[i]!]));
  const common = p.ts.map((t, i) => [t, index[i]!] as const).filter(([t]) => benchAt.has(t));
  const pr: number[] = [];
  const br: number[] = [];
  for (let i = 1; i < common.length; i++) {
    pr.push(common[i]![1] / common[i - 1]![1] - 1);
    br.push(benchAt.get(common[i]![0])! / benchAt.get(common[i - 1]![0])! - 1);
  }
  const mp = avg(pr);
  const mb = avg(br);
  const cov = pr.reduce((s, x, i) => s + (x - mp) * (br[i]! - mb), 0) / (pr.length - 1);
  const varP = pr.reduce((s, x) => s + (x - mp) ** 2, 0) / (pr.length - 1);
  const varB = br.reduce((s, x) => s + (x - mb) ** 2, 0) / (br.length - 1);

  const best = r.indexOf(Math.max(...r));
  const worst = r.indexOf(Math.min(...r));
  return {
    returns: n,
    twr: r.reduce((g, x) => g * (1 + x), 1) - 1,
    vol: sd * Math.sqrt(252),
    sharpe: ((m - rf / 252) / sd) * Math.sqrt(252),
    sortino: ((m - rf / 252) / dd) * Math.sqrt(252),
    drawdown: { depth, peakAt: p.ts[peakAt], troughAt: p.ts[troughAt], recoveredAt },
    beta: cov / varB,
    correlation: cov / Math.sqrt(varP * varB),
    pairs: pr.length,
    var95: -q,
    cvar95: -avg(tail),
    best: { at: rts[best], return: r[best] },
    worst: { at: rts[worst], return: r[worst] },
  };
}

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

describe('portfolio metrics against an independent implementation', () => {
  it.each([1, 2, 3])('a year of weekdays with flows and gaps (seed %i)', (seed) => {
    const rand = random(seed);
    const p: Plain = { ts: [], v: [], f: [] };
    const bench = { ts: [] as number[], v: [] as number[] };
    let level = 1000;
    let value = 50_000;
    for (let d = 0; d < 380; d++) {
      const ts = at(d);
      const weekday = new Date(ts).getUTCDay() % 6 !== 0;
      if (!weekday) continue;
      const market = (rand() - 0.48) * 0.04;
      level *= 1 + market;
      if (rand() > 0.05) {
        // the benchmark misses about 5 % of days
        bench.ts.push(ts);
        bench.v.push(level);
      }
      if (rand() < 0.03) continue; // so does the portfolio, on other days
      const flow = rand() < 0.05 ? Math.round((rand() - 0.4) * 10_000) : 0;
      value = (value + flow) * (1 + 1.3 * market + (rand() - 0.5) * 0.01); // the flow is at work all day
      p.ts.push(ts);
      p.v.push(value);
      p.f.push(p.ts.length === 1 ? 0 : flow);
    }
    const rf = 0.035;
    const expected = reference(p, bench, rf);
    const m = portfolioMetrics({
      series: { timestamps: Float64Array.from(p.ts), values: Float64Array.from(p.v), flows: Float64Array.from(p.f) },
      benchmark: { timestamps: Float64Array.from(bench.ts), values: Float64Array.from(bench.v) },
      riskFreeRate: rf,
    });

    expect(m.returns).toBe(expected.returns);
    expect(m.timeWeightedReturn).toBeCloseTo(expected.twr, 10);
    expect(m.annualisedVolatility).toBeCloseTo(expected.vol, 10);
    expect(m.sharpe).toBeCloseTo(expected.sharpe, 9);
    expect(m.sortino).toBeCloseTo(expected.sortino, 9);
    expect(m.maxDrawdown!.depth).toBeCloseTo(expected.drawdown.depth, 12);
    expect(m.maxDrawdown).toMatchObject({
      peakAt: expected.drawdown.peakAt,
      troughAt: expected.drawdown.troughAt,
      recoveredAt: expected.drawdown.recoveredAt,
    });
    expect(m.benchmark!.observations).toBe(expected.pairs);
    expect(m.benchmark!.beta).toBeCloseTo(expected.beta, 10);
    expect(m.benchmark!.correlation).toBeCloseTo(expected.correlation, 10);
    expect(m.valueAtRisk95).toBeCloseTo(expected.var95, 15);
    expect(m.conditionalValueAtRisk95).toBeCloseTo(expected.cvar95, 14);
    expect(m.bestDay).toEqual(expected.best);
    expect(m.worstDay).toEqual(expected.worst);
    expect(jsonRoundTrip(m)).toEqual(m);
  });
});
