import { describe, expect, it } from 'vitest';
import { maxDrawdown } from './drawdown.js';
import { growthIndex } from './series.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 2, 1);
const days = (n: number) => Float64Array.from({ length: n }, (_, i) => T0 + i * DAY);
const f64 = (...v: number[]) => Float64Array.from(v);
const at = (i: number) => T0 + i * DAY;

function drawdownOf(values: Float64Array, flows?: Float64Array) {
  const series = { timestamps: days(values.length), values, ...(flows ? { flows } : {}) };
  return maxDrawdown(series.timestamps, growthIndex(series));
}

describe('maximum drawdown', () => {
  it('finds the deepest fall, its peak, trough and recovery', () => {
    // 100 → 120 (peak, day 1) → 90 (trough, day 2): 1 − 90/120 = 0.25; back to 120 on day 4
    const dd = drawdownOf(f64(100, 120, 90, 100, 120, 130))!;
    expect(dd.depth).toBeCloseTo(0.25, 12);
    expect(dd).toMatchObject({ peakAt: at(1), troughAt: at(2), recoveredAt: at(4) });
  });

  it('keeps the deeper of two falls, and null recovery when it never came back', () => {
    // fall 1: 100 → 80 (20 %), recovered at day 3 (110); fall 2: 110 → 66 (40 %), never back
    const dd = drawdownOf(f64(100, 80, 100, 110, 66, 100))!;
    expect(dd.depth).toBeCloseTo(0.4, 12);
    expect(dd).toMatchObject({ peakAt: at(3), troughAt: at(4), recoveredAt: null });
  });

  it('dates the peak at the last day on the high before the fall', () => {
    const dd = drawdownOf(f64(100, 100, 100, 50))!;
    expect(dd).toMatchObject({ depth: 0.5, peakAt: at(2), troughAt: at(3), recoveredAt: null });
  });

  it('is not fooled by a withdrawal', () => {
    // 1000 → 500 after withdrawing 500: 500 / (1000 − 500) − 1 = 0; then 450 / (500 + 0) − 1 = −10 %
    const dd = drawdownOf(f64(1000, 500, 450), f64(0, -500, 0))!;
    expect(dd.depth).toBeCloseTo(0.1, 12);
    expect(dd).toMatchObject({ peakAt: at(1), troughAt: at(2) });
  });

  it('is 0 with no dates for a flat or rising series', () => {
    const none = { depth: 0, peakAt: null, troughAt: null, recoveredAt: null };
    expect(drawdownOf(f64(100, 100, 100))).toEqual(none);
    expect(drawdownOf(f64(100, 101, 102))).toEqual(none);
  });

  it('counts returning to an earlier level through rounding as recovered', () => {
    // the chained index is 1.33 on day 1 but 1.3299999999999998 on day 3
    const dd = drawdownOf(f64(100, 133, 97.3, 133))!;
    expect(dd.recoveredAt).toBe(at(3));
  });

  it('is null for fewer than two observations', () => {
    expect(drawdownOf(f64(100))).toBeNull();
    expect(drawdownOf(f64())).toBeNull();
  });
});
