// Tick storage on the real embedded engine: both insert paths store the same key, so a replay
// through either inserts nothing twice, and the newest price per symbol comes back in one call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { openPglite } from '../db/pglite-database.js';
import type { Tick } from '../streams/tick.js';
import { UNIVERSE } from '../market/universe.js';
import { upsertAssets } from './assets.js';
import { insertTicks, latestPrices } from './ticks.js';

let db: Database;
beforeAll(async () => {
  db = await openPglite(null);
  await migrate(db);
  await upsertAssets(db, UNIVERSE);
});
afterAll(async () => db?.close());

const base = Date.now() - 60_000;
/** Times with awkward milliseconds: a float detour through seconds would not reproduce them. */
const batch = (from: number, n: number, symbol = 'AAPL'): Tick[] =>
  Array.from({ length: n }, (_, i) => {
    const k = from + i;
    return {
      id: `${base + k}-${k % 3}`,
      symbol,
      price: 100 + k / 100,
      size: 100,
      time: base + k * 7 + (k % 1000),
      ...(k % 2 ? { source: 'feed-a' } : {}),
    };
  });

const count = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM ticks'))[0]!.n;

describe('storing ticks', () => {
  it('inserts a new batch by COPY and a replay by either path adds nothing', async () => {
    const ticks = batch(0, 500);
    expect(await insertTicks(db, ticks, 'copy')).toBe(500);
    expect(await insertTicks(db, ticks, 'copy')).toBe(0);
    expect(await insertTicks(db, ticks, 'unnest')).toBe(0);
    expect(await count()).toBe(500);
  });

  it('inserts by unnest and a COPY replay adds nothing; an overlapping batch adds only the new ticks', async () => {
    const ticks = batch(1_000, 300);
    expect(await insertTicks(db, ticks, 'unnest')).toBe(300);
    expect(await insertTicks(db, ticks, 'copy')).toBe(0);
    expect(await insertTicks(db, batch(1_200, 200), 'copy')).toBe(100);
    expect(await count()).toBe(500 + 300 + 100);
  });

  it('keeps every field as the stream carried it', async () => {
    const [tick] = batch(5_000, 1, 'MSFT');
    await insertTicks(db, [{ ...tick!, source: 'feed-b', price: 123456789.123456, size: 0.00000001 }]);
    const rows = await db.query(
      `SELECT symbol, price, size, stream_id AS id, source, (extract(epoch FROM time) * 1000)::float8 AS time
         FROM ticks WHERE symbol = 'MSFT'`,
    );
    expect(rows).toEqual([
      { symbol: 'MSFT', price: 123456789.123456, size: 0.00000001, id: tick!.id, source: 'feed-b', time: tick!.time },
    ]);
  });

  it('returns the newest price of many symbols at once, and nothing for a symbol without ticks', async () => {
    await insertTicks(db, batch(6_000, 3, 'NVDA'));
    const prices = await latestPrices(db, ['AAPL', 'NVDA', 'MSFT', 'IBM'], new Date(base - 3_600_000));
    const newest = (symbol: string) => {
      const all = [...batch(0, 500), ...batch(1_000, 400), ...batch(5_000, 1, 'MSFT'), ...batch(6_000, 3, 'NVDA')];
      return all.filter((t) => t.symbol === symbol).sort((a, b) => b.time - a.time)[0]!;
    };
    expect(prices.get('AAPL')).toEqual({ price: newest('AAPL').price, time: newest('AAPL').time });
    expect(prices.get('NVDA')).toEqual({ price: newest('NVDA').price, time: newest('NVDA').time });
    expect(prices.get('MSFT')?.price).toBe(123456789.123456);
    expect(prices.has('IBM')).toBe(false);
  });
});
