// The daily closes held in memory, on the real embedded engine: what they give equals the last raw
// tick of each UTC day computed here from the ticks themselves, a second read of held symbols asks
// the database nothing, they are read again when the 1-day aggregate moves, when they grow old or
// when a range reaches further back, and a whole history from them equals one read through the views.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, Queryable } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { openPglite } from '../db/pglite-database.js';
import { UNIVERSE } from '../market/universe.js';
import { upsertAssets } from '../store/assets.js';
import { materializations, refreshCandles, type Materialization } from '../store/candles.js';
import { createPortfolio } from '../store/portfolios.js';
import { insertTicks } from '../store/ticks.js';
import { recordTransactions } from '../store/transactions.js';
import { createUser } from '../store/users.js';
import type { Tick } from '../streams/tick.js';
import { createLogger } from '../log.js';
import { AggregateWatermarks } from './aggregate-watermarks.js';
import { DailyCloses } from './daily-closes.js';
import { PortfolioHistory } from './portfolio-history.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const today = Math.floor(Date.now() / DAY) * DAY;
const start = today - 60 * DAY;
/** KO trades only from day 30 on, and never on day 40: its runs start late and have a hole. */
const SYMBOLS = ['AAPL', 'MSFT', 'KO'];

let db: Database;
const ticks: Tick[] = [];
let serial = 0;

function tick(symbol: string, time: number, price: number): Tick {
  return { id: `${time}-${serial++}`, symbol, price, size: 1, time };
}

/** Three ticks a day per symbol at odd hours; prices in whole cents from a fixed walk. */
function makeTicks(from: number, to: number, seed: number): Tick[] {
  let state = seed;
  const next = () => (state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
  const out: Tick[] = [];
  for (let day = from; day < to; day += DAY) {
    const n = (day - start) / DAY;
    for (const symbol of SYMBOLS) {
      if (symbol === 'KO' && (n < 30 || n === 40)) continue;
      for (const hour of [14, 17, 19]) {
        out.push(tick(symbol, day + hour * HOUR + Math.floor(next() * 1000), 100 + Math.round(next() * 5000) / 100));
      }
    }
  }
  return out;
}

/** The independent answer: each symbol's last raw tick per UTC day, oldest first. */
function expectedDays(symbol: string): { day: number; close: number }[] {
  const last = new Map<number, Tick>();
  for (const t of ticks) {
    if (t.symbol !== symbol) continue;
    const day = Math.floor(t.time / DAY) * DAY;
    const known = last.get(day);
    if (!known || t.time >= known.time) last.set(day, t);
  }
  return [...last.entries()].sort((a, b) => a[0] - b[0]).map(([day, t]) => ({ day, close: t.price }));
}

function expected(symbol: string, from: number, end: number) {
  const days = expectedDays(symbol);
  const inRange = days.filter((d) => d.day >= from && d.day < end);
  const before = days.filter((d) => d.day <= from - DAY).pop()?.close;
  return { times: inRange.map((d) => d.day), closes: inRange.map((d) => d.close), before };
}

/** Counts the statements a reader sends, to tell a read from memory from one from the database. */
function counting(inner: Queryable): Queryable & { statements: number } {
  const counter = {
    statements: 0,
    query: (text: string, params?: readonly unknown[]) => inner.query(text, params),
    run: <T extends object>(statement: { name: string; text: string }, params?: readonly unknown[]) => {
      counter.statements++;
      return inner.run<T>(statement, params);
    },
  };
  return counter as Queryable & { statements: number };
}

async function daily(): Promise<Materialization> {
  return (await materializations(db))['1d']!;
}

async function store(ticksToAdd: Tick[], materialiseUntil: number) {
  ticks.push(...ticksToAdd);
  await insertTicks(db, ticksToAdd);
  await refreshCandles(db, start - DAY, materialiseUntil);
}

beforeAll(async () => {
  db = await openPglite(null);
  await migrate(db);
  await upsertAssets(db, UNIVERSE);
  // Materialised up to ten days ago; the last ten days are real-time only.
  await store(makeTicks(start, today - 10 * DAY, 1), today - 10 * DAY);
});
afterAll(async () => db?.close());

describe('daily closes held in memory', () => {
  it('gives each day’s last tick below the watermark and the close before the range', async () => {
    const m = await daily();
    expect(m.watermark).toBe(today - 10 * DAY);
    const closes = new DailyCloses(db, { maxAgeMs: 60_000, maxSymbols: 100 });
    // Day-aligned and mid-day starts, one before KO's first day, one inside its hole's reach.
    for (const from of [start + 5 * DAY, start + 12 * DAY + 7 * HOUR, start + 30 * DAY, start + 41 * DAY + HOUR]) {
      const read = await closes.read(m, SYMBOLS, from, today);
      for (const symbol of SYMBOLS) {
        const want = expected(symbol, from, m.watermark);
        const got = read.series.find((s) => s.symbol === symbol);
        expect(got?.times ?? [], `${symbol} from ${new Date(from).toISOString()}`).toEqual(want.times);
        expect(got?.closes ?? []).toEqual(want.closes);
        expect(read.before.get(symbol)).toBe(want.before);
      }
    }
  });

  it('reads held symbols from memory and a range reaching further back from the database again', async () => {
    const m = await daily();
    const reader = counting(db);
    const closes = new DailyCloses(reader, { maxAgeMs: 60_000, maxSymbols: 100 });
    await closes.read(m, SYMBOLS, start + 20 * DAY, today);
    expect(reader.statements).toBe(1);
    await closes.read(m, ['KO', 'AAPL'], start + 25 * DAY, today);
    expect(reader.statements).toBe(1);
    const earlier = await closes.read(m, ['AAPL'], start + 3 * DAY, today);
    expect(reader.statements).toBe(2);
    expect(earlier.series[0]!.times).toEqual(expected('AAPL', start + 3 * DAY, m.watermark).times);
  });

  it('shares one read between requests that arrive together', async () => {
    const m = await daily();
    const reader = counting(db);
    const closes = new DailyCloses(reader, { maxAgeMs: 60_000, maxSymbols: 100 });
    const [a, b] = await Promise.all([
      closes.read(m, SYMBOLS, start + 20 * DAY, today),
      closes.read(m, ['MSFT'], start + 22 * DAY, today),
    ]);
    expect(reader.statements).toBe(1);
    expect(a.series.find((s) => s.symbol === 'MSFT')!.closes).toEqual(
      expected('MSFT', start + 20 * DAY, m.watermark).closes,
    );
    expect(b.series[0]!.closes).toEqual(expected('MSFT', start + 22 * DAY, m.watermark).closes);
  });

  it('keeps at most maxSymbols, and still answers for every symbol asked', async () => {
    const m = await daily();
    const closes = new DailyCloses(db, { maxAgeMs: 60_000, maxSymbols: 2 });
    const read = await closes.read(m, SYMBOLS, start + 31 * DAY, today);
    expect(closes.size).toBe(2);
    expect(read.series.map((s) => s.symbol).sort()).toEqual([...SYMBOLS].sort());
  });

  it('reads again once the watermark moves, once held closes grow old, and after clear()', async () => {
    let now = 1_000_000;
    const reader = counting(db);
    const closes = new DailyCloses(reader, { maxAgeMs: 60_000, maxSymbols: 100, now: () => now });
    const from = start + 20 * DAY;
    const before = await daily();
    await closes.read(before, ['AAPL'], from, today);

    // A late tick rewrites a day below the watermark once refreshed; the watermark stays put.
    const lateDay = start + 25 * DAY;
    await store([tick('AAPL', lateDay + 23 * HOUR, 999.99)], today - 10 * DAY);
    const rewritten = await daily();
    expect(rewritten.watermark).toBe(before.watermark);
    const stale = await closes.read(rewritten, ['AAPL'], from, today);
    expect(reader.statements).toBe(1); // trusted for maxAgeMs, as the history cache trusts its answers
    expect(stale.series[0]!.closes).not.toContain(999.99);
    now += 60_000;
    const fresh = await closes.read(rewritten, ['AAPL'], from, today);
    expect(reader.statements).toBe(2);
    expect(fresh.series[0]!.closes).toEqual(expected('AAPL', from, rewritten.watermark).closes);
    expect(fresh.series[0]!.closes).toContain(999.99);

    // New days materialised: the watermark moves and the closes up to it are read again.
    await store(makeTicks(today - 10 * DAY, today - 5 * DAY, 2), today - 5 * DAY);
    const moved = await daily();
    expect(moved.watermark).toBe(today - 5 * DAY);
    const extended = await closes.read(moved, ['AAPL'], from, today);
    expect(reader.statements).toBe(3);
    expect(extended.series[0]!.times).toEqual(expected('AAPL', from, moved.watermark).times);

    closes.clear();
    await closes.read(moved, ['AAPL'], from, today);
    expect(reader.statements).toBe(4);
  });

  it('refuses a range whose close before starts above the watermark (the caller reads the views)', async () => {
    const m = await daily();
    const closes = new DailyCloses(db, { maxAgeMs: 60_000, maxSymbols: 100 });
    await expect(closes.read(m, ['AAPL'], m.watermark + DAY, today)).rejects.toThrow(/above the 1-day watermark/);
  });
});

describe('a history from held closes', () => {
  it('equals the same history read through the real-time views, range by range', async () => {
    const userId = await createUser(db, { username: 'closes', displayName: 'C', passwordHash: 'x' });
    const portfolio = await createPortfolio(db, userId, 'Daily', []);
    await recordTransactions(db, portfolio, [
      { kind: 'deposit', time: start + HOUR, amount: 50_000 },
      { kind: 'buy', time: start + 2 * HOUR, symbol: 'AAPL', quantity: 100, price: 120 },
      { kind: 'buy', time: start + 31 * DAY, symbol: 'KO', quantity: 40, price: 80 },
      { kind: 'sell', time: start + 45 * DAY, symbol: 'AAPL', quantity: 30, price: 130 },
      { kind: 'withdrawal', time: start + 50 * DAY, amount: 1_000 },
    ]);
    const watermarks = new AggregateWatermarks(db, createLogger('silent'));
    await watermarks.refresh();
    const held = new PortfolioHistory(
      db,
      undefined,
      watermarks,
      new DailyCloses(db, { maxAgeMs: 60_000, maxSymbols: 100 }),
    );
    const views = new PortfolioHistory(db, undefined, watermarks);
    const now = Date.now();
    for (const range of ['YTD', '1Y', 'MAX'] as const) {
      const fromMemory = await held.compute(portfolio, range, 'MSFT', now);
      expect(fromMemory.points.time.length).toBeGreaterThan(0);
      expect(fromMemory).toEqual(await views.compute(portfolio, range, 'MSFT', now, 'views'));
    }
  });
});
