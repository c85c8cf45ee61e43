import { describe, expect, it } from 'vitest';
import { bestAndWorstDay } from './extremes.js';

const f64 = (...v: number[]) => Float64Array.from(v);

describe('best and worst day', () => {
  it('names the day of the highest and the lowest return', () => {
    const result = bestAndWorstDay({ timestamps: f64(10, 20, 30, 40), returns: f64(0.01, 0.05, -0.03, 0.02) });
    expect(result).toEqual({ best: { at: 20, return: 0.05 }, worst: { at: 30, return: -0.03 } });
  });

  it('takes the earliest day on a tie, and the same day for both when there is one return', () => {
    expect(bestAndWorstDay({ timestamps: f64(1, 2, 3), returns: f64(-0.1, -0.2, -0.2) })).toEqual({
      best: { at: 1, return: -0.1 },
      worst: { at: 2, return: -0.2 },
    });
    expect(bestAndWorstDay({ timestamps: f64(5), returns: f64(0.01) })).toEqual({
      best: { at: 5, return: 0.01 },
      worst: { at: 5, return: 0.01 },
    });
  });

  it('is null without returns', () => {
    expect(bestAndWorstDay({ timestamps: f64(), returns: f64() })).toBeNull();
  });
});
