// The candle aggregates against OHLCV computed here from the raw ticks: 1 minute, 1 hour and 1 day,
// before anything is materialised (real-time aggregation), after the policies ran (the job runner's
// real run_job path) and for older ticks refreshed explicitly; and the runner's order. The closes
// the history reads (materialised table below the watermark, real time above) against the same.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { openPglite } from '../src/db/pglite-database.js';
import { TimescaleJobs, listJobs } from '../src/jobs/timescale-jobs.js';
import { createLogger } from '../src/log.js';
import {
  aggregateWatermarks,
  closesBefore,
  closeSeries,
  materializations,
  RESOLUTION_MS,
  RESOLUTIONS,
  type Resolution,
} from '../src/store/candles.js';
import { insertTicks } from '../src/store/ticks.js';
import type { Tick } from '../src/streams/tick.js';

const SYMBOLS = ['AAA', 'BBB', 'CCC'];
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

let db: Database;
const now = Date.now();

beforeAll(async () => {
  db = await openPglite(null);
  await migrate(db);
  await db.query(
    `INSERT INTO assets (symbol, name, sector, exchange, reference_price, volatility)
     SELECT s, s, 'Industrials', 'NYSE', 100, 0.3 FROM unnest($1::text[]) AS s`,
    [SYMBOLS],
  );
});
afterAll(async () => db?.close());

/** Deterministic ticks for every symbol in [from, to): uneven gaps, inserted out of time order. */
function ticksBetween(from: number, to: number, step: number, seed: number): Tick[] {
  let state = seed;
  const next = () => (state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
  const ticks: Tick[] = [];
  for (const symbol of SYMBOLS) {
    for (let t = from + Math.floor(next() * step); t < to; t += 1 + Math.floor(next() * step)) {
      ticks.push({
        id: `${t}-${symbol}`,
        symbol,
        price: Math.round((50 + next() * 100) * 100) / 100,
        size: 1 + Math.floor(next() * 500),
        time: t,
      });
    }
  }
  return ticks.sort(() => next() - 0.5);
}

interface Candle {
  bucket: number;
  symbol: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  tick_count: number;
}

/** OHLCV per (bucket, symbol), straight from the ticks. */
function expectedCandles(ticks: readonly Tick[], width: number, from: number, to: number): Candle[] {
  const groups = new Map<string, Tick[]>();
  for (const t of ticks) {
    const bucket = Math.floor(t.time / width) * width;
    if (bucket < from || bucket >= to) continue;
    const key = `${bucket}|${t.symbol}`;
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  return [...groups.entries()]
    .map(([key, group]) => {
      const sorted = [...group].sort((a, b) => a.time - b.time);
      return {
        bucket: Number(key.split('|')[0]),
        symbol: key.split('|')[1]!,
        open: sorted[0]!.price,
        high: Math.max(...sorted.map((t) => t.price)),
        low: Math.min(...sorted.map((t) => t.price)),
        close: sorted[sorted.length - 1]!.price,
        volume: sorted.reduce((sum, t) => sum + t.size, 0),
        tick_count: sorted.length,
      };
    })
    .sort((a, b) => a.bucket - b.bucket || a.symbol.localeCompare(b.symbol));
}

async function candles(resolution: Resolution, from: number, to: number): Promise<Candle[]> {
  return db.query<Candle>(
    `SELECT (extract(epoch FROM bucket) * 1000)::float8 AS bucket, symbol, open, high, low, close, volume,
            tick_count::int AS tick_count
       FROM candles_${resolution} WHERE bucket >= $1 AND bucket < $2 ORDER BY bucket, symbol`,
    [new Date(from), new Date(to)],
  );
}

const recentFrom = Math.floor((now - 3 * HOUR) / HOUR) * HOUR;
const recent = ticksBetween(recentFrom, now - MINUTE, 20_000, 7);
const oldFrom = Math.floor((now - 6 * DAY) / DAY) * DAY;
const old = ticksBetween(oldFrom, oldFrom + 2 * DAY, 15 * MINUTE, 11);
const dayStart = Math.floor(now / DAY) * DAY;
const lateTime = recentFrom + 30 * MINUTE + 123;
const late: Tick = { id: `${lateTime}-late`, symbol: 'AAA', price: 999.99, size: 7, time: lateTime };

describe('candles from ticks', () => {
  it('are exact OHLCV of the raw ticks before anything is materialised (real-time aggregation)', async () => {
    await insertTicks(db, recent);
    expect(await aggregateWatermarks(db)).toEqual({});
    for (const resolution of ['1m', '1h'] as const) {
      expect(await candles(resolution, recentFrom, now)).toEqual(
        expectedCandles(recent, RESOLUTION_MS[resolution], recentFrom, now),
      );
    }
    // Today's daily candle: the recent ticks are all today's unless the day just turned.
    expect(await candles('1d', dayStart, now)).toEqual(expectedCandles(recent, DAY, dayStart, now));
  });

  it('stay exact after the policies ran through the job runner, finest level first', async () => {
    const jobs = await listJobs(db);
    const refreshes = jobs.filter((j) => j.procName === 'policy_refresh_continuous_aggregate').map((j) => j.target);
    expect(refreshes).toEqual(['candles_1m', 'candles_1h', 'candles_1d']);
    expect(jobs.findIndex((j) => j.procName === 'policy_retention')).toBeLessThan(
      jobs.findIndex((j) => j.procName === 'policy_compression'),
    );

    const refreshed: string[] = [];
    const runner = new TimescaleJobs(db, createLogger('silent'), {
      maintenanceDelayMs: 3_600_000,
      onRefreshed: (job) => refreshed.push(job.target),
    });
    await runner.start();
    await runner.stop();
    await runner.runDue();
    expect(refreshed).toEqual(['candles_1m', 'candles_1h', 'candles_1d']);
    const watermarks = await aggregateWatermarks(db);
    expect(watermarks['1m']).toBeGreaterThan(recentFrom);

    for (const resolution of ['1m', '1h'] as const) {
      expect(await candles(resolution, recentFrom, now)).toEqual(
        expectedCandles(recent, RESOLUTION_MS[resolution], recentFrom, now),
      );
    }
  });

  it('are exact for older ticks once refreshed, at every level', async () => {
    await insertTicks(db, old);
    const to = oldFrom + 2 * DAY;
    for (const view of ['candles_1m', 'candles_1h', 'candles_1d']) {
      await db.exec(
        `CALL refresh_continuous_aggregate('${view}', '${new Date(oldFrom).toISOString()}', '${new Date(to).toISOString()}')`,
      );
    }
    for (const resolution of ['1m', '1h', '1d'] as const) {
      expect(await candles(resolution, oldFrom, to)).toEqual(
        expectedCandles(old, RESOLUTION_MS[resolution], oldFrom, to),
      );
    }
  });

  it('take a late tick into an already materialised hour on the next refresh', async () => {
    await insertTicks(db, [late]);
    const runner = new TimescaleJobs(db, createLogger('silent'), { maintenanceDelayMs: 3_600_000 });
    await runner.start();
    await runner.stop();
    await runner.runDue();
    const all = [...recent, late];
    for (const resolution of ['1m', '1h'] as const) {
      expect(await candles(resolution, recentFrom, now)).toEqual(
        expectedCandles(all, RESOLUTION_MS[resolution], recentFrom, now),
      );
    }
  });

  it('give the same closes when read from the materialised table below the watermark and in real time above', async () => {
    const all = [...old, ...recent, late];
    const m = await materializations(db);
    for (const resolution of RESOLUTIONS) {
      const materialized = m[resolution]!;
      // Both parts hold buckets: the old days below the watermark, the last hours (or today) above.
      expect(materialized.watermark).toBeGreaterThan(oldFrom);
      expect(materialized.watermark).toBeLessThanOrEqual(now);
      const want = expectedCandles(all, RESOLUTION_MS[resolution], oldFrom, now);
      const series = await closeSeries(
        db,
        resolution,
        SYMBOLS,
        new Date(oldFrom),
        new Date(now),
        'aggregates',
        materialized,
      );
      for (const symbol of SYMBOLS) {
        const mine = want.filter((c) => c.symbol === symbol);
        expect(
          series.find((s) => s.symbol === symbol),
          `${resolution} ${symbol}`,
        ).toEqual({
          symbol,
          times: mine.map((c) => c.bucket),
          closes: mine.map((c) => c.close),
        });
      }
    }
    expect(m['1d']!.watermark).toBeLessThan(dayStart + DAY);
    expect(recent.some((t) => t.time >= m['1d']!.watermark)).toBe(true);

    // The last full day's close before a range that starts a day after the old ticks.
    const at = oldFrom + 3 * DAY;
    const lastOldDay = expectedCandles(old, DAY, oldFrom + DAY, oldFrom + 2 * DAY);
    expect(await closesBefore(db, '1d', SYMBOLS, new Date(at), m['1d'])).toEqual(
      new Map(lastOldDay.map((c) => [c.symbol, c.close])),
    );
  });
});
