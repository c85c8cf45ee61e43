import { describe, expect, it } from 'vitest';
import { climb, highestHeld, LADDER_P99_LIMIT_MS, stepHeld, type LadderStep } from './ladder.js';

/** A step's figures with a given p99 and fault count (the rest does not decide anything). */
const figures = (rate: number, probeP99Ms: number, faults = 0): Omit<LadderStep, 'held'> => ({
  rate,
  ticksPerSecond: rate,
  deliveredPerSecond: rate * 10,
  probeP99Ms,
  allP99Ms: probeP99Ms,
  faults,
  serverCpuShare: 0.5,
  cpuPerDeliveredUs: 9,
  othersBusy: 0,
});

describe('stepHeld', () => {
  it('holds below the limit with no faults and deltas delivered', () => {
    expect(stepHeld({ probeP99Ms: LADDER_P99_LIMIT_MS - 0.1, faults: 0, deliveredPerSecond: 1 })).toBe(true);
  });

  it('fails at the limit, on any fault, and when nothing was delivered', () => {
    expect(stepHeld({ probeP99Ms: LADDER_P99_LIMIT_MS, faults: 0, deliveredPerSecond: 1 })).toBe(false);
    expect(stepHeld({ probeP99Ms: 1, faults: 1, deliveredPerSecond: 1 })).toBe(false);
    expect(stepHeld({ probeP99Ms: 1, faults: 0, deliveredPerSecond: 0 })).toBe(false);
    // No latency at all (no delta arrived) is not a pass either.
    expect(stepHeld({ probeP99Ms: NaN, faults: 0, deliveredPerSecond: 1 })).toBe(false);
  });
});

describe('climb', () => {
  it('stops at the first step not held and never measures the steps above it', async () => {
    const p99ByRate: Record<number, number> = { 1000: 10, 2000: 30, 3000: 80, 4000: 20 };
    const measured: number[] = [];
    const steps = await climb([1000, 2000, 3000, 4000], async (rate) => {
      measured.push(rate);
      return figures(rate, p99ByRate[rate]!);
    });
    expect(measured).toEqual([1000, 2000, 3000]);
    expect(steps.map((s) => s.held)).toEqual([true, true, false]);
    expect(highestHeld(steps)?.rate).toBe(2000);
  });

  it('a fault fails a step even with low latency', async () => {
    const steps = await climb([1000, 2000], async (rate) => figures(rate, 5, rate === 2000 ? 3 : 0));
    expect(highestHeld(steps)?.rate).toBe(1000);
    expect(steps).toHaveLength(2);
  });

  it('reports nothing held when the first step fails, and every step when none does', async () => {
    const none = await climb([1000, 2000], async (rate) => figures(rate, 60));
    expect(none).toHaveLength(1);
    expect(highestHeld(none)).toBeUndefined();
    const all = await climb([1000, 2000], async (rate) => figures(rate, 5));
    expect(highestHeld(all)?.rate).toBe(2000);
  });
});
