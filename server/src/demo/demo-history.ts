// A past for the demo, so the history API has something to draw on first start: a simulated price
// path per held symbol (and the benchmark) that ends at today's reference price, walked backwards
// by geometric Brownian motion. It is dense where the ranges need it and sparse where they do not:
// a tick a minute for the last day (1D), an hour for the last week (1W, 1M), a day before that
// (YTD, 1Y, MAX). The demo's transactions are priced on this path, and the backfill stores the
// same ticks through the bulk path in the background, then materialises the candles over them.
import type { Database } from '../db/database.js';
import type { Logger } from '../log.js';
import { roundToTickSize } from '../market/gbm.js';
import { createRandom } from '../market/random.js';
import type { Instrument } from '../market/universe.js';
import { refreshCandles } from '../store/candles.js';
import { insertTicks } from '../store/ticks.js';
import type { Tick } from '../streams/tick.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const DRIFT = 0.07;
/** Daily points sit at 20:00 UTC, the US close. */
const DAILY_AT = 20 * HOUR;
/** Ticks per COPY: other queries get the database's thread between batches. */
const BATCH = 20_000;

export interface PricePath {
  /** Ascending times (ms) and the price at each. */
  times: number[];
  prices: number[];
}

/** A reproducible path for `instrument` over the `days` before `now`, ending at its reference price. */
export function demoPricePath(instrument: Instrument, now: number, days: number): PricePath {
  const end = Math.floor(now / MINUTE) * MINUTE;
  if (days <= 0) return { times: [end], prices: [roundToTickSize(instrument.referencePrice)] };
  const times: number[] = [];
  for (let t = end; t > end - DAY; t -= MINUTE) times.push(t);
  const hourly = Math.floor((end - DAY) / HOUR) * HOUR;
  for (let t = hourly; t > end - Math.min(7, days) * DAY; t -= HOUR) times.push(t);
  const last = times[times.length - 1]!;
  let daily = Math.floor(last / DAY) * DAY + DAILY_AT;
  if (daily >= last) daily -= DAY;
  for (let t = daily; t > end - days * DAY; t -= DAY) times.push(t);

  const random = createRandom(seedOf(instrument.symbol));
  const sigma = instrument.volatility;
  const prices: number[] = [];
  let price = instrument.referencePrice;
  for (let i = 0; i < times.length; i++) {
    prices.push(roundToTickSize(price));
    const dt = (times[i]! - (times[i + 1] ?? times[i]!)) / (365 * DAY);
    // One step back in time: the inverse of a forward GBM step.
    price *= Math.exp(-(DRIFT - (sigma * sigma) / 2) * dt - sigma * Math.sqrt(dt) * random.normal());
  }
  return { times: times.reverse(), prices: prices.reverse() };
}

/** The path's price at or just before `time` (its first price before the path starts). */
export function priceAt(path: PricePath, time: number): number {
  let lo = 0;
  let hi = path.times.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (path.times[mid]! <= time) lo = mid;
    else hi = mid - 1;
  }
  return path.prices[lo]!;
}

function seedOf(symbol: string): number {
  let h = 2_166_136_261;
  for (let i = 0; i < symbol.length; i++) h = Math.imul(h ^ symbol.charCodeAt(i), 16_777_619);
  return h >>> 0;
}

export interface Backfill {
  done: Promise<void>;
  /** Stops after the batch in progress (a shutdown during the backfill). */
  stop(): Promise<void>;
}

/** Stores the paths of `instruments` as ticks and materialises the candles, in the background. */
export function backfillDemoHistory(
  db: Database,
  instruments: readonly Instrument[],
  now: number,
  days: number,
  log: Logger,
): Backfill {
  let stopping = false;
  const run = async () => {
    const started = performance.now();
    // Oldest first, so each batch fills a few chunks rather than touching hundreds.
    const ticks: Tick[] = [];
    for (const instrument of instruments) {
      const path = demoPricePath(instrument, now, days);
      path.times.forEach((time, i) => {
        ticks.push({
          id: `demo:${time}:${instrument.symbol}`,
          symbol: instrument.symbol,
          price: path.prices[i]!,
          size: 100,
          time,
          source: 'demo',
        });
      });
    }
    ticks.sort((a, b) => a.time - b.time);
    let stored = 0;
    for (let i = 0; i < ticks.length && !stopping; i += BATCH)
      stored += await insertTicks(db, ticks.slice(i, i + BATCH));
    await refreshCandles(db, ticks[0]?.time ?? now, Math.floor(now / MINUTE) * MINUTE, () => stopping);
    if (stopping) return;
    log.info(
      { ticks: stored, symbols: instruments.length, days, ms: Math.round(performance.now() - started) },
      'demo history backfilled',
    );
  };
  const done = run().catch((err: unknown) => log.warn({ err }, 'demo history backfill failed'));
  return {
    done,
    async stop() {
      stopping = true;
      await done;
    },
  };
}
