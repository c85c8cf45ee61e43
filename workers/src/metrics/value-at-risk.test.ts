import { describe, expect, it } from 'vitest';
import { historicalValueAtRisk } from './value-at-risk.js';

const f64 = (...v: number[]) => Float64Array.from(v);

describe('historical 1-day VaR and CVaR at 95 %', () => {
  it('uses the k-th worst return, k = ⌈n / 20⌉: a year of 252 days gives the 13th worst', () => {
    // returns −0.020, −0.019, … , 0.231 in a scrambled order; the 13th worst is −0.020 + 12 × 0.001
    const sorted = Array.from({ length: 252 }, (_, i) => (i - 20) / 1000);
    const scrambled = sorted.map((_, i) => sorted[(i * 101) % 252]!); // 101 is prime to 252: a permutation
    const result = historicalValueAtRisk(Float64Array.from(scrambled))!;
    expect(result.valueAtRisk).toBeCloseTo(0.008, 15);
    // mean of −0.020 … −0.008 (13 values) = −0.014
    expect(result.conditionalValueAtRisk).toBeCloseTo(0.014, 15);
  });

  it('is the single worst day up to 20 returns, the second worst from 21', () => {
    const twenty = Float64Array.from({ length: 20 }, (_, i) => (i === 7 ? -0.04 : i === 3 ? -0.03 : 0.01));
    expect(historicalValueAtRisk(twenty)).toEqual({ valueAtRisk: 0.04, conditionalValueAtRisk: 0.04 });
    const twentyOne = Float64Array.from([...twenty, 0.02]);
    // q = −0.03; the tail is −0.04 and −0.03: CVaR = 0.035
    const result = historicalValueAtRisk(twentyOne)!;
    expect(result.valueAtRisk).toBe(0.03);
    expect(result.conditionalValueAtRisk).toBeCloseTo(0.035, 15);
  });

  it('counts every return tied with the quantile in the tail', () => {
    // 40 returns: k = 2, q = −0.03; at or below it: −0.05, −0.03, −0.03 → CVaR = 0.11 / 3
    const returns = Float64Array.from({ length: 40 }, (_, i) => [-0.03, -0.05, -0.03][i] ?? 0.01);
    const result = historicalValueAtRisk(returns)!;
    expect(result.valueAtRisk).toBe(0.03);
    expect(result.conditionalValueAtRisk).toBeCloseTo(0.11 / 3, 15);
  });

  it('reports a gain at the quantile as a negative loss, not 0', () => {
    expect(historicalValueAtRisk(f64(0.02, 0.01))).toEqual({ valueAtRisk: -0.01, conditionalValueAtRisk: -0.01 });
  });

  it('is 0 (not −0) for a flat series and null without returns', () => {
    const flat = historicalValueAtRisk(f64(0, 0, 0))!;
    expect(Object.is(flat.valueAtRisk, 0) && Object.is(flat.conditionalValueAtRisk, 0)).toBe(true);
    expect(historicalValueAtRisk(f64())).toBeNull();
  });

  it('leaves its input in order', () => {
    const returns = f64(0.01, -0.02, 0.03);
    historicalValueAtRisk(returns);
    expect([...returns]).toEqual([0.01, -0.02, 0.03]);
  });
});
