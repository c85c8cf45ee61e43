import { describe, expect, it } from 'vitest';
import { MetricsInputError, flowAdjustedReturns, growthIndex, validatePortfolioSeries } from './series.js';

const DAY = 86_400_000;
const days = (...n: number[]) => Float64Array.from(n, (d) => Date.UTC(2024, 0, 1) + d * DAY);
const f64 = (...v: number[]) => Float64Array.from(v);

describe('flow-adjusted daily returns', () => {
  it('takes each flow out of the day it lands on, never out of the previous value', () => {
    const series = { timestamps: days(0, 1, 2, 3), values: f64(100, 110, 160, 144), flows: f64(999, 0, 50, -10) };
    const { timestamps, returns } = flowAdjustedReturns(series);
    // day 1: (110 − 0) / 100 − 1 = 0.10
    // day 2: (160 − 50) / 110 − 1 = 0 (the 50 deposit is not a gain)
    // day 3: (144 − (−10)) / 160 − 1 = 154 / 160 − 1 = −0.0375 (the 10 withdrawal is not a loss)
    // day 0's flow (999) is ignored: V_0 is the starting capital.
    expect([...returns]).toEqual([0.1, 0, 154 / 160 - 1].map((x) => expect.closeTo(x, 15)));
    expect([...timestamps]).toEqual([...days(1, 2, 3)]);
  });

  it('gives no return for a day that starts from nothing (before the first deposit)', () => {
    const series = { timestamps: days(0, 1, 2), values: f64(0, 1000, 1100), flows: f64(0, 1000, 0) };
    const { timestamps, returns } = flowAdjustedReturns(series);
    expect([...returns]).toEqual([expect.closeTo(0.1, 15)]); // 1100 / 1000 − 1
    expect([...timestamps]).toEqual([...days(2)]);
  });

  it('reads a full withdrawal as a 0 % day, not a 100 % loss', () => {
    const series = { timestamps: days(0, 1, 2), values: f64(1000, 0, 0), flows: f64(0, -1000, 0) };
    // day 1: (0 + 1000) / 1000 − 1 = 0; day 2 starts from 0: no return
    expect([...flowAdjustedReturns(series).returns]).toEqual([0]);
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
    // 1, 1.1, 1.1 × 1, 1.1 × 0.9625 = 1.05875
    expect([...index]).toEqual([1, 1.1, 1.1, 1.05875].map((x) => expect.closeTo(x, 14)));
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
