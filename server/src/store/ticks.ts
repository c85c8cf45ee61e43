// Raw ticks in and the newest prices out. Inserts are idempotent: the key (symbol, time, stream_id)
// is the tick's symbol, its exchange time and its Redis entry id, so a replayed batch inserts
// nothing twice (sql/006_tick_key.sql).
import { encodeCopyBinary } from '../db/copy-binary.js';
import { isUniqueViolation, type Database, type Queryable, type Statement } from '../db/database.js';
import type { Tick } from '../streams/tick.js';

export type TickInsertMethod = 'copy' | 'unnest';

const COLUMNS = ['time', 'symbol', 'price', 'size', 'stream_id', 'source'] as const;

/**
 * Arrays bound as parameters, rows already stored skipped; returns how many were new. The time is
 * built from whole milliseconds exactly as COPY stores it, or a replay would not meet its key.
 */
const INSERT_UNNEST: Statement = {
  name: 'ticks_insert_unnest',
  text: `-- name: ticks_insert_unnest
    WITH inserted AS (
      INSERT INTO ticks (time, symbol, price, size, stream_id, source)
      SELECT 'epoch'::timestamptz + t * INTERVAL '1 millisecond', s, p, z, i, src
        FROM unnest($1::int8[], $2::text[], $3::float8[], $4::float8[], $5::text[], $6::text[]) AS u(t, s, p, z, i, src)
      ON CONFLICT (symbol, time, stream_id) DO NOTHING
      RETURNING 1
    )
    SELECT count(*)::int AS n FROM inserted`,
};

/**
 * Stores `ticks` and returns how many rows were new. 'copy' (binary COPY, the faster on both
 * engines: docs/benchmarks.md) is all or nothing and stops at a duplicate key; a batch that meets
 * one is a replay and goes again through the unnest path, which skips the rows already stored.
 * `encoded` is encodeTicks(ticks) made beforehand (the persister encodes while the database is busy
 * with the previous batch); the embedded engine takes it over, so pass it once.
 */
export async function insertTicks(
  db: Database,
  ticks: readonly Tick[],
  method: TickInsertMethod = 'copy',
  encoded?: Uint8Array,
): Promise<number> {
  if (ticks.length === 0) return 0;
  if (method === 'copy') {
    try {
      return await db.copyIn('ticks', COLUMNS, encoded ?? encodeTicks(ticks));
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }
  const rows = await db.run<{ n: number }>(INSERT_UNNEST, [
    ticks.map((t) => t.time),
    ticks.map((t) => t.symbol),
    ticks.map((t) => t.price),
    ticks.map((t) => t.size),
    ticks.map((t) => t.id),
    ticks.map((t) => t.source ?? null),
  ]);
  return rows[0]?.n ?? 0;
}

/** The batch in binary COPY format, columns in COLUMNS order. */
export function encodeTicks(ticks: readonly Tick[]): Uint8Array {
  const n = ticks.length;
  const time = new Float64Array(n);
  const price = new Float64Array(n);
  const size = new Float64Array(n);
  const symbol: string[] = new Array(n);
  const id: string[] = new Array(n);
  const source: (string | undefined)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const t = ticks[i]!;
    time[i] = t.time;
    price[i] = t.price;
    size[i] = t.size;
    symbol[i] = t.symbol;
    id[i] = t.id;
    source[i] = t.source;
  }
  return encodeCopyBinary(
    [
      { type: 'timestamptz', values: time },
      { type: 'text', values: symbol },
      { type: 'float8', values: price },
      { type: 'float8', values: size },
      { type: 'text', values: id },
      { type: 'text', values: source },
    ],
    n,
  );
}

/**
 * The newest tick of each symbol, for many symbols in one round trip: one index probe per symbol
 * on (symbol, time DESC), newest chunk first, so the cost grows with the symbols asked, not with
 * the ticks stored. `since` bounds how far back a silent symbol is looked for.
 */
export const LATEST_PRICES: Statement = {
  name: 'ticks_latest_prices',
  text: `-- name: ticks_latest_prices
    SELECT s.symbol, t.price, (extract(epoch FROM t.time) * 1000)::float8 AS time
      FROM unnest($1::text[]) AS s(symbol)
      CROSS JOIN LATERAL (
        SELECT price, time FROM ticks
         WHERE ticks.symbol = s.symbol AND ticks.time >= $2
         ORDER BY time DESC LIMIT 1
      ) t`,
};

export async function latestPrices(
  db: Queryable,
  symbols: readonly string[],
  since: Date,
): Promise<Map<string, { price: number; time: number }>> {
  const rows = await db.run<{ symbol: string; price: number; time: number }>(LATEST_PRICES, [symbols, since]);
  return new Map(rows.map((r) => [r.symbol, { price: r.price, time: r.time }]));
}
