import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './backoff.js';

describe('retryDelayMs', () => {
  it('doubles from the base after each failed attempt', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 500, 60_000))).toEqual([500, 1_000, 2_000, 4_000]);
  });

  it('never waits longer than the cap, however many attempts failed', () => {
    expect(retryDelayMs(10, 500, 60_000)).toBe(60_000);
    expect(retryDelayMs(1_000, 500, 60_000)).toBe(60_000);
  });
});
