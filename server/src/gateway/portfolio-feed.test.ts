import { describe, expect, it } from 'vitest';
import { PortfolioBook } from '../engine/portfolio-book.js';
import { QuoteBoard } from '../engine/quote-board.js';
import type { Holding } from '../engine/types.js';
import type { Tick } from '../streams/tick.js';
import { FakeClock } from '../../test/fake-clock.js';
import { PortfolioFeed, portfolioTopic } from './portfolio-feed.js';

const CONFLATION_MS = 50;
const LINGER_MS = 1_000;
const RESUME_DELTAS = 3;

// Portfolio 1: AAA 10 × 10.00 and BBB 5 × 20.00, 100.00 each. Portfolio 2: AAA 1 × 10.00.
// Previous closes are the opening prices, so every day change starts at zero.
const HOLDINGS = new Map<number, Holding[]>([
  [
    1,
    [
      { symbol: 'AAA', name: 'A', quantity: 10, costBasis: 100 },
      { symbol: 'BBB', name: 'B', quantity: 5, costBasis: 100 },
    ],
  ],
  [2, [{ symbol: 'AAA', name: 'A', quantity: 1, costBasis: 10 }]],
  [3, [{ symbol: 'NOPRICE', name: 'N', quantity: 1, costBasis: 1 }]],
]);

interface Published {
  topic: string;
  /** The frame exactly as published. */
  raw: string;
  frame: Record<string, unknown>;
}

function setup(loadHoldings?: (id: number) => Promise<Holding[]>) {
  const clock = new FakeClock();
  clock.advance(10_000);
  const quotes = new QuoteBoard();
  for (const [symbol, price] of [
    ['AAA', 10],
    ['BBB', 20],
  ] as const) {
    quotes.set(symbol, price, 1);
    quotes.setPreviousClose(symbol, price);
  }
  const book = new PortfolioBook(quotes);
  const loads: number[] = [];
  const published: Published[] = [];
  const feed = new PortfolioFeed({
    book,
    loadHoldings: (id) => {
      loads.push(id);
      if (loadHoldings) return loadHoldings(id);
      const holdings = HOLDINGS.get(id);
      return holdings ? Promise.resolve(holdings) : Promise.reject(new Error(`no portfolio ${id}`));
    },
    publish: (topic, raw) => published.push({ topic, raw, frame: JSON.parse(raw) as Record<string, unknown> }),
    conflationMs: CONFLATION_MS,
    resumeDeltas: RESUME_DELTAS,
    lingerMs: LINGER_MS,
    clock,
  });
  let exchangeTime = 100;
  const tick = (symbol: string, price: number): Tick => ({
    id: `${exchangeTime}-0`,
    symbol,
    price,
    size: 1,
    time: exchangeTime++,
  });
  /** Where the portfolio's sequence stands, as a client would see it in a snapshot. */
  const sequence = (id: number) => {
    const { epoch, seq } = JSON.parse(feed.snapshot(id)) as { epoch: string; seq: number };
    return { epoch, seq };
  };
  return { clock, book, feed, loads, published, tick, sequence };
}

describe('PortfolioFeed follow', () => {
  it('loads and opens a portfolio once for concurrent followers', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { feed, loads, book } = setup(async (id) => {
      await gate;
      return HOLDINGS.get(id)!;
    });
    const follows = [feed.follow(1), feed.follow(1), feed.follow(1)];
    expect(book.isOpen(1)).toBe(false);
    release();
    await Promise.all(follows);
    expect(loads).toEqual([1]);
    expect(feed.hotPortfolios).toBe(1);
    await feed.follow(1); // already hot: no load
    expect(loads).toEqual([1]);
  });

  it('rejects follow() when the holdings fail to load, and leaves nothing followed', async () => {
    const { feed, loads, clock, book } = setup();
    await expect(Promise.all([feed.follow(9), feed.follow(9)])).rejects.toThrow(/no portfolio 9/);
    expect(loads).toEqual([9]);
    expect(book.isOpen(9)).toBe(false);
    expect(feed.hotPortfolios).toBe(0);
    expect(clock.pending).toBe(0); // no linger timer for a portfolio that never opened
  });

  it('rejects follow() when a holding has no price, and forgets the failed followers', async () => {
    let failing = true;
    const { feed, loads, clock, book } = setup(() => Promise.resolve(HOLDINGS.get(failing ? 3 : 1)!));
    await expect(feed.follow(1)).rejects.toThrow(/NOPRICE/);
    expect(book.isOpen(1)).toBe(false);
    // Had the failed follower been counted, this one leaving would not start the linger.
    failing = false;
    await feed.follow(1);
    expect(loads).toEqual([1, 1]);
    feed.unfollow(1);
    clock.advance(LINGER_MS);
    expect(book.isOpen(1)).toBe(false);
  });
});

describe('PortfolioFeed deltas', () => {
  it('publishes one delta per portfolio per flush, the first at once and later ones conflated', async () => {
    const { feed, clock, published, tick, sequence } = setup();
    await feed.follow(1);
    await feed.follow(2);
    const epoch1 = sequence(1).epoch;
    const epoch2 = sequence(2).epoch;

    feed.onTicks([tick('AAA', 11)]);
    // Portfolio 1: AAA 110.00 of 210.00, 11000 / 21000 = 52.38%; BBB 100.00 → 47.62%; day +10.00, 5%.
    // Portfolio 2: AAA 11.00, still all of it; day +1.00 of 10.00, 10%.
    expect(published.map((p) => [p.topic, p.frame])).toEqual([
      [
        portfolioTopic(1),
        {
          type: 'delta',
          v: 1,
          portfolio: 1,
          epoch: epoch1,
          seq: 1,
          tickTime: 100,
          value: 210,
          pnl: 10,
          dayChange: 10,
          dayChangePct: 5,
          positions: {
            AAA: { price: 11, value: 110, pnl: 10, dayChange: 10, weight: 52.38 },
            BBB: { weight: 47.62 },
          },
        },
      ],
      [
        portfolioTopic(2),
        {
          type: 'delta',
          v: 1,
          portfolio: 2,
          epoch: epoch2,
          seq: 1,
          tickTime: 100,
          value: 11,
          pnl: 1,
          dayChange: 1,
          dayChangePct: 10,
          positions: { AAA: { price: 11, value: 11, pnl: 1, dayChange: 1 } },
        },
      ],
    ]);

    published.length = 0;
    clock.advance(10);
    feed.onTicks([tick('AAA', 12)]);
    clock.advance(10);
    feed.onTicks([tick('AAA', 13)]);
    clock.advance(10);
    feed.onTicks([tick('BBB', 21)]);
    clock.advance(CONFLATION_MS - 31);
    expect(published).toEqual([]);
    clock.advance(1); // the interval since the first flush ends
    // Portfolio 1: AAA 130.00 and BBB 105.00 of 235.00: 55.32% and 44.68%; day +35.00 of 200.00, 17.5%.
    // Portfolio 2: AAA 13.00; day +3.00 of 10.00, 30%.
    expect(published.map((p) => [p.topic, p.frame])).toEqual([
      [
        portfolioTopic(1),
        {
          type: 'delta',
          v: 1,
          portfolio: 1,
          epoch: epoch1,
          seq: 2,
          tickTime: 103,
          value: 235,
          pnl: 35,
          dayChange: 35,
          dayChangePct: 17.5,
          positions: {
            AAA: { price: 13, value: 130, pnl: 30, dayChange: 30, weight: 55.32 },
            BBB: { price: 21, value: 105, pnl: 5, dayChange: 5, weight: 44.68 },
          },
        },
      ],
      [
        portfolioTopic(2),
        {
          type: 'delta',
          v: 1,
          portfolio: 2,
          epoch: epoch2,
          seq: 2,
          tickTime: 102,
          value: 13,
          pnl: 3,
          dayChange: 3,
          dayChangePct: 30,
          positions: { AAA: { price: 13, value: 13, pnl: 3, dayChange: 3 } },
        },
      ],
    ]);
    expect(feed.stats).toEqual({ ticks: 4, deltas: 4, flushes: 2 });
    expect(feed.conflated).toBe(2); // the ticks at +20 and +30 joined the flush the one at +10 scheduled
  });

  it('publishes nothing for ticks of symbols no hot portfolio holds', async () => {
    const { feed, clock, published, tick } = setup();
    await feed.follow(2);
    feed.onTicks([tick('BBB', 25), tick('ZZZ', 1)]);
    clock.advance(10 * CONFLATION_MS);
    expect(published).toEqual([]);
  });

  it('publishes the day-change deltas of a session close', async () => {
    const { feed, clock, published, tick, sequence } = setup();
    await feed.follow(1);
    feed.onTicks([tick('AAA', 11)]); // seq 1: AAA +10.00 on the day
    clock.advance(CONFLATION_MS);
    published.length = 0;
    feed.closeSession();
    // AAA's close becomes 11: its day change and the portfolio's go back to 0. BBB never moved.
    expect(published.map((p) => [p.topic, p.frame])).toEqual([
      [
        portfolioTopic(1),
        {
          type: 'delta',
          v: 1,
          portfolio: 1,
          epoch: sequence(1).epoch,
          seq: 2,
          tickTime: 100,
          dayChange: 0,
          dayChangePct: 0,
          positions: { AAA: { previousClose: 11, dayChange: 0 } },
        },
      ],
    ]);
  });
});

describe('PortfolioFeed replay', () => {
  /** A followed portfolio 1 with deltas 1..5 published, one per flush. */
  async function withFiveDeltas() {
    const s = setup();
    await s.feed.follow(1);
    for (let i = 1; i <= 5; i++) {
      s.feed.onTicks([s.tick('AAA', 10 + i)]);
      s.clock.advance(CONFLATION_MS);
    }
    const frames = s.published.map((p) => p.raw);
    expect(s.published.map((p) => p.frame.seq)).toEqual([1, 2, 3, 4, 5]);
    return { ...s, frames, epoch: s.sequence(1).epoch };
  }

  it('returns exactly the frames a client missed in the same epoch', async () => {
    const { feed, frames, epoch } = await withFiveDeltas();
    expect(feed.replay(1, { epoch, seq: 3 })).toEqual([frames[3], frames[4]]);
    expect(feed.replay(1, { epoch, seq: 2 })).toEqual([frames[2], frames[3], frames[4]]); // all it keeps
    expect(feed.replay(1, { epoch, seq: 5 })).toEqual([]);
  });

  it('returns undefined for another epoch, a seq older than the ring, or a seq not yet reached', async () => {
    const { feed, epoch } = await withFiveDeltas();
    expect(feed.replay(1, { epoch: `${epoch}x`, seq: 4 })).toBeUndefined();
    expect(feed.replay(1, { epoch, seq: 1 })).toBeUndefined();
    expect(feed.replay(1, { epoch, seq: 0 })).toBeUndefined();
    expect(feed.replay(1, { epoch, seq: 6 })).toBeUndefined();
  });

  it('does not replay ticks not yet flushed; they arrive in the next delta', async () => {
    const { feed, epoch, tick } = await withFiveDeltas();
    feed.onTicks([tick('AAA', 20)]); // flushed at once: seq 6
    feed.onTicks([tick('AAA', 21)]); // waits for the interval
    expect(feed.replay(1, { epoch, seq: 5 })).toHaveLength(1);
  });
});

describe('PortfolioFeed linger', () => {
  it('keeps a portfolio hot for lingerMs after its last follower leaves, same epoch and seq', async () => {
    const { feed, clock, tick, loads, sequence, book, published } = setup();
    await feed.follow(1);
    feed.onTicks([tick('AAA', 11)]);
    const before = sequence(1);
    expect(before.seq).toBe(1);

    feed.unfollow(1);
    clock.advance(LINGER_MS - 1);
    expect(book.isOpen(1)).toBe(true);
    // Ticks keep flowing into it while it lingers, so a resume finds them in the ring.
    feed.onTicks([tick('AAA', 12)]);
    expect(published.at(-1)!.frame).toMatchObject({ portfolio: 1, seq: 2 });

    await feed.follow(1);
    expect(loads).toEqual([1]);
    expect(sequence(1)).toEqual({ epoch: before.epoch, seq: 2 });
    expect(feed.replay(1, before)).toEqual([published.at(-1)!.raw]);
    clock.advance(10 * LINGER_MS); // the cancelled linger never closes it
    expect(book.isOpen(1)).toBe(true);
  });

  it('closes a portfolio once lingerMs has passed with no follower, and reopens it under a new epoch', async () => {
    const { feed, clock, tick, loads, sequence, book, published } = setup();
    await feed.follow(1);
    feed.onTicks([tick('AAA', 11)]);
    const first = sequence(1);
    feed.unfollow(1);
    clock.advance(LINGER_MS);
    expect(book.isOpen(1)).toBe(false);
    expect(feed.hotPortfolios).toBe(0);

    published.length = 0;
    feed.onTicks([tick('AAA', 12)]);
    clock.advance(CONFLATION_MS);
    expect(published).toEqual([]);

    await feed.follow(1);
    expect(loads).toEqual([1, 1]);
    const second = sequence(1);
    expect(second.seq).toBe(0);
    expect(second.epoch).not.toBe(first.epoch);
    expect(JSON.parse(feed.snapshot(1))).toMatchObject({ value: 220 }); // AAA at 12 while it was closed
  });

  it('starts the linger only when the last of several followers leaves', async () => {
    const { feed, clock, book } = setup();
    await feed.follow(1);
    await feed.follow(1);
    feed.unfollow(1);
    expect(clock.pending).toBe(0);
    clock.advance(10 * LINGER_MS);
    expect(book.isOpen(1)).toBe(true);
    feed.unfollow(1);
    clock.advance(LINGER_MS);
    expect(book.isOpen(1)).toBe(false);
  });

  it('cancels linger timers on stop()', async () => {
    const { feed, clock, book } = setup();
    await feed.follow(1);
    feed.unfollow(1);
    feed.stop();
    expect(clock.pending).toBe(0);
    clock.advance(10 * LINGER_MS);
    expect(book.isOpen(1)).toBe(true);
  });
});
