import { describe, expect, it } from 'vitest';
import { annualisedVolatility, downsideDeviation, sharpeRatio, sortinoRatio, timeWeightedReturn } from './risk.js';

const f64 = (...v: number[]) => Float64Array.from(v);
const SQRT_252 = Math.sqrt(252);

// Returns 1 %, −2 %, 3 %, 0 %: mean 0.005; deviations 0.005, −0.025, 0.025, −0.005;
// squared 0.000025 + 0.000625 + 0.000625 + 0.000025 = 0.0013; sample variance 0.0013 / 3.
const R = f64(0.01, -0.02, 0.03, 0);
const SAMPLE_SD = Math.sqrt(0.0013 / 3); // 0.020816659994661
// A 2.52 % annual risk-free rate is 0.0001 a day.
const RF = 0.0252;

describe('time-weighted return', () => {
  it('chains the daily returns', () => {
    // 1.01 × 0.98 × 1.03 × 1 − 1 = 1.019494 − 1
    expect(timeWeightedReturn(R)).toBeCloseTo(0.019494, 14);
  });
  it('is null without a return, 0 for a flat series', () => {
    expect(timeWeightedReturn(f64())).toBeNull();
    expect(timeWeightedReturn(f64(0, 0))).toBe(0);
  });
});

describe('annualised volatility', () => {
  it('is the sample standard deviation times √252', () => {
    expect(annualisedVolatility(R)).toBeCloseTo(SAMPLE_SD * SQRT_252, 14); // 0.330454...
    expect(annualisedVolatility(R)).toBeCloseTo(0.330454232837, 11);
  });
  it('needs two returns', () => {
    expect(annualisedVolatility(f64(0.01))).toBeNull();
  });
  it('is 0 for a flat series and for the rounding noise of a constant return', () => {
    expect(annualisedVolatility(f64(0, 0, 0))).toBe(0);
    // 101 / 100 − 1 and 102.01 / 101 − 1 differ in the last bits only
    expect(annualisedVolatility(f64(101 / 100 - 1, 102.01 / 101 - 1, 103.0301 / 102.01 - 1))).toBe(0);
  });
});

describe('Sharpe ratio', () => {
  it('is the mean excess daily return over the sample deviation, annualised', () => {
    // (0.005 − 0.0001) / 0.0208166599946613 × √252 = 3.7366747866...
    expect(sharpeRatio(R, RF)).toBeCloseTo((0.0049 / SAMPLE_SD) * SQRT_252, 12);
    expect(sharpeRatio(R, 0)).toBeCloseTo((0.005 / SAMPLE_SD) * SQRT_252, 12);
  });
  it('is null when the deviation is 0 (undefined, not infinite) or with one return', () => {
    expect(sharpeRatio(f64(0, 0, 0), 0.04)).toBeNull();
    expect(sharpeRatio(f64(0.01), 0)).toBeNull();
  });
});

describe('Sortino ratio', () => {
  it('divides by the downside deviation over all days', () => {
    // shortfalls below 0.0001: 0, −0.0201, 0, −0.0001; squares 0.00040401 + 0.00000001 = 0.00040402;
    // over all 4 days: 0.000101005; root 0.0100501243...
    const dd = Math.sqrt(0.00040402 / 4);
    expect(downsideDeviation(R, RF)).toBeCloseTo(dd, 15);
    expect(sortinoRatio(R, RF)).toBeCloseTo((0.0049 / dd) * SQRT_252, 12);
  });
  it('is null when no day falls short of the target', () => {
    expect(sortinoRatio(f64(0.01, 0.02), 0)).toBeNull();
    expect(sortinoRatio(f64(0, 0, 0), 0)).toBeNull();
  });
  it('on a flat series with a positive risk-free rate, every day falls short by rf/252: −√252', () => {
    // mean excess −rf/252, downside deviation rf/252
    expect(sortinoRatio(f64(0, 0, 0), RF)).toBeCloseTo(-SQRT_252, 12);
  });
});
