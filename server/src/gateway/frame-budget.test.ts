import { describe, expect, it } from 'vitest';
import { fullBucket, take, type BucketRule } from './frame-budget.js';

const RULE: BucketRule = { capacity: 5, perSecond: 2 };

/** How many of `attempts` frames at `now` the bucket lets through. */
function takeMany(bucket: ReturnType<typeof fullBucket>, now: number, attempts: number): number {
  let allowed = 0;
  for (let i = 0; i < attempts; i++) if (take(bucket, RULE, now)) allowed++;
  return allowed;
}

describe('frame budget', () => {
  it('allows a full bucket of frames at once, then refuses', () => {
    const bucket = fullBucket(RULE, 0);
    expect(takeMany(bucket, 0, 5)).toBe(5);
    expect(take(bucket, RULE, 0)).toBe(false);
  });

  it('refills at perSecond: one frame every half second at 2 per second', () => {
    const bucket = fullBucket(RULE, 0);
    takeMany(bucket, 0, 5);
    expect(take(bucket, RULE, 499)).toBe(false); // 0.998 of a token
    expect(take(bucket, RULE, 500)).toBe(true);
    expect(take(bucket, RULE, 500)).toBe(false);
    expect(takeMany(bucket, 2_000, 10)).toBe(3); // 1.5 s more: 3 tokens
  });

  it('never holds more than its capacity, however long it rests', () => {
    const bucket = fullBucket(RULE, 0);
    takeMany(bucket, 0, 5);
    expect(takeMany(bucket, 3_600_000, 100)).toBe(5);
    const untouched = fullBucket(RULE, 0);
    expect(takeMany(untouched, 60_000, 100)).toBe(5);
  });

  it('keeps the fraction of a token earned between refused frames', () => {
    const bucket = fullBucket(RULE, 0);
    takeMany(bucket, 0, 5);
    // Refused at 250 ms (half a token), then allowed at 500 ms: the half earned earlier still counts.
    expect(take(bucket, RULE, 250)).toBe(false);
    expect(take(bucket, RULE, 500)).toBe(true);
  });
});
