import { describe, expect, it } from 'vitest';
import { timeWeightedReturns as historyTimeWeightedReturns } from '../../../server/src/history/twr.js';
import { timeWeightedReturn } from './risk.js';
import { MetricsInputError, flowAdjustedReturns, growthIndex, validatePortfolioSeries } from './series.js';

const DAY = 86_400_000;
const days = (...n: number[]) => Float64Array.from(n, (d) => Date.UTC(2024, 0, 1) + d * DAY);
const f64 = (...v: number[]) => Float64Array.from(v);

describe('flow-adjusted daily returns', () => {
  it('adds each flow to the money at work at the start of its day', () => {
    const series = { timestamps: days(0, 1, 2, 3), values: f64(100, 110, 160, 144), flows: f64(999, 0, 50, -10) };
    const { timestamps, returns } = flowAdjustedReturns(series);
    // day 1: 110 / (100 + 0) − 1 = 0.10
    // day 2: 160 / (110 + 50) − 1 = 160 / 160 − 1 = 0 (the 50 deposit is not a gain)
    // day 3: 144 / (160 + (−10)) − 1 = 144 / 150 − 1 = −0.04 (the 10 withdrawal is not a loss)
    // day 0's flow (999) is ignored: V_0 is the starting capital.
    expect([...returns]).toEqual([0.1, 0, -0.04].map((x) => expect.closeTo(x, 15)));
    expect([...timestamps]).toEqual([...days(1, 2, 3)]);
  });

  it('gives no return for a day with no money at work (before the first deposit)', () => {
    const series = { timestamps: days(0, 1, 2, 3), values: f64(0, 0, 1000, 1100), flows: f64(0, 0, 1000, 0) };
    const { timestamps, returns } = flowAdjustedReturns(series);
    // day 1: 0 + 0 = 0 at work: no return
    // day 2: the first deposit is at work from the start: 1000 / (0 + 1000) − 1 = 0
    // day 3: 1100 / (1000 + 0) − 1 = 0.1
    expect([...returns]).toEqual([0, 0.1].map((x) => expect.closeTo(x, 15)));
    expect([...timestamps]).toEqual([...days(2, 3)]);
  });

  it('reads a full withdrawal as no return, not a 100 % loss', () => {
    const series = { timestamps: days(0, 1, 2), values: f64(1000, 0, 0), flows: f64(0, -1000, 0) };
    // day 1: 1000 + (−1000) = 0 at work: no return (not 0 / 0 − 1, nor −100 %); day 2: 0 + 0: none
    expect([...flowAdjustedReturns(series).returns]).toEqual([]);
    // withdrawing the day's gain too (1010 out of 1000): −10 at work, still no return
    const more = { timestamps: days(0, 1), values: f64(1000, 0), flows: f64(0, -1010) };
    expect([...flowAdjustedReturns(more).returns]).toEqual([]);
  });

  it('treats flows as none when omitted', () => {
    const { returns } = flowAdjustedReturns({ timestamps: days(0, 1), values: f64(200, 210) });
    expect([...returns]).toEqual([expect.closeTo(0.05, 15)]);
  });

  it('builds the growth index of one unit from the same returns', () => {
    const index = growthIndex({
      timestamps: days(0, 1, 2, 3),
      values: f64(100, 110, 160, 144),
      flows: f64(0, 0, 50, -10),
    });
    // 1, 110 / 100 = 1.1, 1.1 × 160 / (110 + 50) = 1.1, 1.1 × 144 / (160 − 10) = 1.1 × 0.96 = 1.056
    expect([...index]).toEqual([1, 1.1, 1.1, 1.056].map((x) => expect.closeTo(x, 14)));
  });

  it('carries the growth index forward over a day with no money at work', () => {
    const index = growthIndex({
      timestamps: days(0, 1, 2, 3),
      values: f64(0, 0, 1000, 1100),
      flows: f64(0, 0, 1000, 0),
    });
    // day 1: nothing at work, 1 carried; day 2: 1 × 1000 / (0 + 1000) = 1; day 3: 1 × 1100 / 1000 = 1.1
    expect([...index]).toEqual([1, 1, 1, 1.1].map((x) => expect.closeTo(x, 14)));
  });
});

describe('one TWR across the product', () => {
  // The history API (server/src/history/twr.ts) and these metrics share the flow convention, so the
  // same daily values and flows (in cents, as the history takes them) give the same TWR.
  const historyTwr = (values: number[], flows: number[]) => historyTimeWeightedReturns(values, flows).at(-1)!;
  const metricsTwr = (values: number[], flows: number[]) => {
    const series = { timestamps: days(...values.map((_, i) => i)), values: f64(...values), flows: f64(...flows) };
    return timeWeightedReturn(flowAdjustedReturns(series).returns)!;
  };

  it('equals the history module over a deposit and a withdrawal', () => {
    const values = [1_000_000, 1_012_500, 1_530_000, 1_498_000, 1_203_000];
    const flows = [0, 0, 500_000, 0, -300_000];
    // 1_012_500 / 1_000_000 × 1_530_000 / (1_012_500 + 500_000) × 1_498_000 / 1_530_000
    //   × 1_203_000 / (1_498_000 − 300_000) − 1 = 1.0125 × 1.01157… × 0.97908… × 1.00417… − 1 ≈ 0.0069787
    const byHand =
      (1_012_500 / 1_000_000) * (1_530_000 / 1_512_500) * (1_498_000 / 1_530_000) * (1_203_000 / 1_198_000) - 1;
    expect(metricsTwr(values, flows)).toBeCloseTo(byHand, 14);
    expect(Math.abs(metricsTwr(values, flows) - historyTwr(values, flows))).toBeLessThan(1e-12);
  });

  it('equals it across days with nothing at work (skipped here, a 0 return there: the same product)', () => {
    const values = [1_000_000, 0, 0, 505_000, 510_000];
    const flows = [0, -1_000_000, 0, 500_000, 0];
    // days 1 and 2: 0 at work; 505_000 / 500_000 × 510_000 / 505_000 − 1 = 510_000 / 500_000 − 1 = 0.02
    expect(metricsTwr(values, flows)).toBeCloseTo(0.02, 14);
    expect(Math.abs(metricsTwr(values, flows) - historyTwr(values, flows))).toBeLessThan(1e-12);
  });
});

describe('series validation', () => {
  const ok = { timestamps: days(0, 1), values: f64(1, 2) };
  it.each([
    ['lengths differ', { ...ok, values: f64(1) }],
    ['flows length differs', { ...ok, flows: f64(0) }],
    ['timestamps repeat', { ...ok, timestamps: days(1, 1) }],
    ['timestamps go back', { ...ok, timestamps: days(2, 1) }],
    ['a value is NaN', { ...ok, values: f64(1, NaN) }],
    ['a flow is infinite', { ...ok, flows: f64(0, Infinity) }],
  ])('rejects a series where %s', (_, series) => {
    expect(() => validatePortfolioSeries(series)).toThrow(MetricsInputError);
  });
});
