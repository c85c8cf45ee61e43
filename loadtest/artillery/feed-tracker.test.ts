import { describe, expect, it } from 'vitest';
import { describeGap, FeedTracker } from './feed-tracker.js';

const snapshot = (portfolio: number, epoch: string, seq: number) => ({ type: 'snapshot', portfolio, epoch, seq });
const delta = (portfolio: number, epoch: string, seq: number, tickTime = 1_000) => ({
  type: 'delta',
  portfolio,
  epoch,
  seq,
  tickTime,
});

describe('FeedTracker', () => {
  it('accepts a snapshot followed by consecutive deltas and measures each from its tick time', () => {
    const feed = new FeedTracker();
    expect(feed.receive(snapshot(7, 'e1', 40), 900)).toEqual({ kind: 'snapshot', first: true });
    expect(feed.receive(delta(7, 'e1', 41, 1_000), 1_012)).toEqual({ kind: 'delta', latencyMs: 12, gap: undefined });
    expect(feed.receive(delta(7, 'e1', 42, 2_000), 2_003)).toEqual({ kind: 'delta', latencyMs: 3, gap: undefined });
  });

  it('reports a skipped seq once, then follows the sequence from there', () => {
    const feed = new FeedTracker();
    feed.receive(snapshot(1, 'e', 0), 0);
    feed.receive(delta(1, 'e', 1), 0);
    expect(feed.receive(delta(1, 'e', 3), 0)).toMatchObject({
      gap: { reason: 'seq', portfolio: 1, expected: 2, got: 3 },
    });
    expect(feed.receive(delta(1, 'e', 4), 0)).toMatchObject({ gap: undefined });
  });

  it('reports a repeated or older seq as a gap', () => {
    const feed = new FeedTracker();
    feed.receive(snapshot(1, 'e', 5), 0);
    feed.receive(delta(1, 'e', 6), 0);
    expect(feed.receive(delta(1, 'e', 6), 0)).toMatchObject({ gap: { reason: 'seq', expected: 7, got: 6 } });
  });

  it('reports a delta of a new epoch that arrives without a snapshot', () => {
    const feed = new FeedTracker();
    feed.receive(snapshot(2, 'old', 9), 0);
    expect(feed.receive(delta(2, 'new', 10), 0)).toMatchObject({
      gap: { reason: 'new-epoch', expected: 'old', got: 'new' },
    });
  });

  it('reports a delta before any snapshot of its portfolio', () => {
    const feed = new FeedTracker();
    feed.receive(snapshot(1, 'e', 0), 0);
    expect(feed.receive(delta(2, 'e', 1), 0)).toMatchObject({ gap: { reason: 'before-snapshot', portfolio: 2 } });
  });

  it('keeps portfolios apart', () => {
    const feed = new FeedTracker();
    feed.receive(snapshot(1, 'a', 10), 0);
    feed.receive(snapshot(2, 'b', 50), 0);
    expect(feed.receive(delta(2, 'b', 51), 0)).toMatchObject({ gap: undefined });
    expect(feed.receive(delta(1, 'a', 11), 0)).toMatchObject({ gap: undefined });
  });

  it('lets a later snapshot (resubscribe or catch-up) re-anchor the sequence without a gap', () => {
    const feed = new FeedTracker();
    feed.receive(snapshot(1, 'e', 0), 0);
    feed.receive(delta(1, 'e', 1), 0);
    expect(feed.receive(snapshot(1, 'e', 30), 0)).toEqual({ kind: 'snapshot', first: false });
    expect(feed.receive(delta(1, 'e', 31), 0)).toMatchObject({ gap: undefined });
  });

  it('names error frames by code and ignores frames of other types', () => {
    const feed = new FeedTracker();
    expect(feed.receive({ type: 'error', code: 'NOT_FOUND' }, 0)).toEqual({ kind: 'error', code: 'NOT_FOUND' });
    expect(feed.receive({ type: 'hello' }, 0)).toEqual({ kind: 'other' });
    expect(feed.receive({ type: 'pong' }, 0)).toEqual({ kind: 'other' });
  });

  it('lists the followed portfolios that never got a snapshot, even when deltas came', () => {
    const feed = new FeedTracker();
    feed.receive(snapshot(1, 'e', 0), 0);
    feed.receive(delta(3, 'e', 1), 0);
    expect(feed.withoutSnapshot([1, 2, 3])).toEqual([2, 3]);
  });

  it('describes a gap in words', () => {
    expect(describeGap({ reason: 'seq', portfolio: 4, expected: 8, got: 10 })).toBe('portfolio 4: seq 10, expected 8');
  });
});
