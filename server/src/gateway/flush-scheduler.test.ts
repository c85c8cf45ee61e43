import { describe, expect, it } from 'vitest';
import { FlushScheduler } from './flush-scheduler.js';
import { FakeClock } from '../../test/fake-clock.js';

const INTERVAL = 100;

/** A scheduler whose flushes record the time they ran at. */
function scheduler(intervalMs = INTERVAL) {
  const clock = new FakeClock();
  clock.advanceTo(1_000);
  const flushedAt: number[] = [];
  const s = new FlushScheduler(intervalMs, () => flushedAt.push(clock.now()), clock);
  return { clock, s, flushedAt };
}

describe('FlushScheduler', () => {
  it('flushes the first request at once', () => {
    const { s, flushedAt, clock } = scheduler();
    s.request();
    expect(flushedAt).toEqual([1_000]);
    expect(clock.pending).toBe(0);
  });

  it('merges the requests that arrive within the interval into one flush at its end', () => {
    const { s, flushedAt, clock } = scheduler();
    s.request(); // flushes at 1000
    for (const t of [1_010, 1_020, 1_050, 1_099]) {
      clock.advanceTo(t);
      s.request();
    }
    expect(flushedAt).toEqual([1_000]);
    clock.advanceTo(1_099);
    expect(flushedAt).toEqual([1_000]);
    clock.advanceTo(1_100);
    expect(flushedAt).toEqual([1_000, 1_100]);
    clock.advanceTo(5_000);
    expect(flushedAt).toEqual([1_000, 1_100]); // nothing left to flush
  });

  it('keeps flushing at most once per interval while requests keep coming', () => {
    const { s, flushedAt, clock } = scheduler();
    for (let t = 1_000; t <= 1_400; t += 10) {
      clock.advanceTo(t);
      s.request();
    }
    clock.advanceTo(2_000);
    // The request at 1400 comes just after the flush at 1400, so it waits for 1500.
    expect(flushedAt).toEqual([1_000, 1_100, 1_200, 1_300, 1_400, 1_500]);
  });

  it('flushes at once again after a quiet spell of at least the interval', () => {
    const { s, flushedAt, clock } = scheduler();
    s.request();
    clock.advanceTo(1_100);
    s.request();
    expect(flushedAt).toEqual([1_000, 1_100]);
  });

  it('counts the requests merged into a flush that was already waiting', () => {
    const { s, clock } = scheduler();
    s.request(); // flushes at once
    clock.advanceTo(1_010);
    s.request(); // schedules the flush at 1100
    s.request();
    s.request();
    expect(s.conflated).toBe(2);
    clock.advanceTo(1_100);
    s.request(); // the interval since the flush at 1100 has not passed: schedules one at 1200
    expect(s.conflated).toBe(2);
  });

  it('cancels a waiting flush on stop()', () => {
    const { s, flushedAt, clock } = scheduler();
    s.request();
    clock.advanceTo(1_010);
    s.request();
    s.stop();
    expect(clock.pending).toBe(0);
    clock.advanceTo(10_000);
    expect(flushedAt).toEqual([1_000]);
  });

  it('flushes every request at once with an interval of 0', () => {
    const { s, flushedAt, clock } = scheduler(0);
    s.request();
    s.request();
    clock.advanceTo(1_001);
    s.request();
    expect(flushedAt).toEqual([1_000, 1_000, 1_001]);
    expect(s.conflated).toBe(0);
    expect(clock.pending).toBe(0);
  });
});
