// OHLCV candles from the continuous aggregates (sql/004_candles.sql), and the same closes computed
// from raw ticks, which the history benchmark compares them against. Each resolution has its own
// named statements: the view name is part of the text, never a parameter.
import type { Queryable, Statement } from '../db/database.js';

export const RESOLUTIONS = ['1m', '1h', '1d'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

export const RESOLUTION_MS: Record<Resolution, number> = { '1m': 60_000, '1h': 3_600_000, '1d': 86_400_000 };
const VIEW: Record<Resolution, string> = { '1m': 'candles_1m', '1h': 'candles_1h', '1d': 'candles_1d' };
const WIDTH: Record<Resolution, string> = { '1m': '1 minute', '1h': '1 hour', '1d': '1 day' };

/** One symbol's closes, oldest first: bucket start times (ms) and close prices. */
export interface CloseSeries {
  symbol: string;
  times: number[];
  closes: number[];
}

/**
 * Closes per symbol as two arrays in no particular order (closeSeries sorts them): on the embedded
 * engine an ORDER BY inside array_agg costs a sort per symbol, more than the rest of the query, and
 * date_part (float seconds) is much cheaper than extract (numeric). Closes travel as float8 too:
 * the adapters turn numeric into a JS double anyway, the conversion is correctly rounded both ways
 * (so the same double), and a float8 array costs the embedded engine far less to print and the
 * client to parse (a year of daily closes for 51 symbols: 53 -> 39 ms).
 */
function closes(resolution: Resolution): Statement {
  return {
    name: `candle_closes_${resolution}`,
    text: `-- name: candle_closes_${resolution}
      SELECT symbol, array_agg(date_part('epoch', bucket)) AS seconds, array_agg(close::float8) AS closes
        FROM ${VIEW[resolution]}
       WHERE symbol = ANY($1::text[]) AND bucket >= $2 AND bucket < $3
       GROUP BY symbol`,
  };
}

/**
 * Each symbol's last price known when the range starts, for symbols whose first candle in the range
 * comes late. A LIMIT 1 over a real-time aggregate sorts every earlier bucket (the view is a UNION
 * that no index orders), so intraday ranges take the last raw tick of the week before (one index
 * probe in the newest chunk), and otherwise, like daily ranges, the last full day's close.
 */
function closesBeforeStatement(resolution: Resolution, daily = 'candles_1d'): Statement {
  const lastDay = `(SELECT close FROM ${daily} c
                     WHERE c.symbol = s.symbol AND c.bucket <= $2::timestamptz - INTERVAL '1 day'
                     ORDER BY c.bucket DESC LIMIT 1)`;
  const lastTick = `(SELECT price FROM ticks t
                      WHERE t.symbol = s.symbol AND t.time < $2 AND t.time >= $2::timestamptz - INTERVAL '7 days'
                      ORDER BY t.time DESC LIMIT 1)`;
  return {
    name: `candle_close_before_${resolution}`,
    text: `-- name: candle_close_before_${resolution}
      SELECT s.symbol, ${resolution === '1d' ? lastDay : `coalesce(${lastTick}, ${lastDay})`} AS close
        FROM unnest($1::text[]) AS s(symbol)`,
  };
}

/** The same closes straight from the raw ticks: what the aggregates save (benchmarks only). */
function rawCloses(resolution: Resolution): Statement {
  return {
    name: `raw_closes_${resolution}`,
    text: `-- name: raw_closes_${resolution}
      SELECT symbol, array_agg(date_part('epoch', bucket)) AS seconds, array_agg(close::float8) AS closes
        FROM (
          SELECT symbol, time_bucket(INTERVAL '${WIDTH[resolution]}', time) AS bucket, last(price, time) AS close
            FROM ticks
           WHERE symbol = ANY($1::text[]) AND time >= $2 AND time < $3
           GROUP BY 1, 2
        ) b
       -- Whole buckets only, as the aggregates are read: not the part of the first after $2.
       WHERE bucket >= $2
       GROUP BY symbol`,
  };
}

export const CANDLE_STATEMENTS = {
  closes: Object.fromEntries(RESOLUTIONS.map((r) => [r, closes(r)])) as Record<Resolution, Statement>,
  closesBefore: Object.fromEntries(RESOLUTIONS.map((r) => [r, closesBeforeStatement(r)])) as Record<
    Resolution,
    Statement
  >,
  rawCloses: Object.fromEntries(RESOLUTIONS.map((r) => [r, rawCloses(r)])) as Record<Resolution, Statement>,
};

/**
 * Where an aggregate keeps its materialised buckets (Timescale's own hypertable behind the view) and
 * up to where they are complete (ms, exclusive). Below the watermark the view is exactly that
 * table; only the buckets at and after it are aggregated on read.
 */
export interface Materialization {
  /** The materialisation hypertable's id, part of the statement names that read it. */
  id: number;
  /** Its qualified, quoted name, from Timescale's catalog (never input). */
  table: string;
  /** 0 while nothing is materialised. */
  watermark: number;
}

const MATERIALIZATIONS: Statement = {
  name: 'candle_materializations',
  text: `-- name: candle_materializations
    SELECT a.user_view_name AS view, a.mat_hypertable_id AS id, format('%I.%I', h.schema_name, h.table_name) AS "table",
           (extract(epoch FROM _timescaledb_functions.to_timestamp(
              _timescaledb_functions.cagg_watermark(a.mat_hypertable_id))) * 1000)::float8 AS watermark
      FROM _timescaledb_catalog.continuous_agg a
      JOIN _timescaledb_catalog.hypertable h ON h.id = a.mat_hypertable_id
     WHERE a.user_view_name = ANY($1::text[])`,
};

/** Each aggregate's materialisation and watermark, read now (one catalog query). */
export async function materializations(db: Queryable): Promise<Partial<Record<Resolution, Materialization>>> {
  const rows = await db.run<{ view: string; id: number; table: string; watermark: number | null }>(MATERIALIZATIONS, [
    Object.values(VIEW),
  ]);
  const out: Partial<Record<Resolution, Materialization>> = {};
  for (const r of RESOLUTIONS) {
    const row = rows.find((x) => x.view === VIEW[r]);
    // An aggregate that was never refreshed reports the lowest representable time: none yet.
    if (row)
      out[r] = {
        id: row.id,
        table: row.table,
        watermark: row.watermark !== null && row.watermark > 0 ? row.watermark : 0,
      };
  }
  return out;
}

/**
 * The closes of `closes(resolution)` read in two parts: below $4 (a watermark) straight from the
 * materialisation table, at and after it from the real-time view. Same rows as the view alone, but
 * the planner no longer plans the real-time union (three levels down to the raw ticks' chunks) for
 * the whole range (what that saves depends on the database: docs/history.md). Correct for any $4 at or below the real watermark (it only moves forward).
 */
function splitCloses(resolution: Resolution, m: Materialization): Statement {
  return {
    name: `candle_closes_${resolution}_split_${m.id}`,
    text: `-- name: candle_closes_${resolution}_split_${m.id}
      SELECT symbol, array_agg(date_part('epoch', bucket)) AS seconds, array_agg(close::float8) AS closes
        FROM (
          SELECT symbol, bucket, close FROM ${m.table}
           WHERE symbol = ANY($1::text[]) AND bucket >= $2 AND bucket < least($3::timestamptz, $4::timestamptz)
          UNION ALL
          SELECT symbol, bucket, close FROM ${VIEW[resolution]}
           WHERE symbol = ANY($1::text[]) AND bucket >= greatest($2::timestamptz, $4::timestamptz) AND bucket < $3
        ) c
       GROUP BY symbol`,
  };
}

/**
 * closesBeforeStatement with the last full day's close read from the materialised 1-day table `m`:
 * valid when $2 - 1 day is below its watermark.
 */
function materializedCloseBefore(resolution: Resolution, m: Materialization): Statement {
  return {
    name: `candle_close_before_${resolution}_materialized_${m.id}`,
    text: closesBeforeStatement(resolution, m.table).text.replace(
      /candle_close_before_\S+/,
      `candle_close_before_${resolution}_materialized_${m.id}`,
    ),
  };
}

/**
 * From the 1-day materialisation table `m`: each symbol's closes in [$2, $3) (as two arrays, in no
 * particular order) and the close of its last bucket before $2 (null when it has none). One index
 * probe and one range scan per symbol.
 */
function materializedDailyCloses(m: Materialization): Statement {
  return {
    name: `candle_daily_closes_${m.id}`,
    text: `-- name: candle_daily_closes_${m.id}
      SELECT s.symbol, b.close AS before, c.seconds, c.closes
        FROM unnest($1::text[]) AS s(symbol)
        LEFT JOIN LATERAL (
          SELECT close::float8 AS close FROM ${m.table} x
           WHERE x.symbol = s.symbol AND x.bucket < $2
           ORDER BY x.bucket DESC LIMIT 1
        ) b ON true
        LEFT JOIN LATERAL (
          SELECT array_agg(date_part('epoch', bucket)) AS seconds, array_agg(close::float8) AS closes FROM ${m.table} x
           WHERE x.symbol = s.symbol AND x.bucket >= $2 AND x.bucket < $3
        ) c ON true`,
  };
}

/** A symbol's materialised daily closes over a span, oldest first, and its last close before it. */
export interface DailyCloseRun {
  before: number | undefined;
  times: number[];
  closes: number[];
}

/**
 * Every symbol's daily closes in [from, to) read straight from the 1-day aggregate's materialisation
 * table `daily` (so `to` must not pass its watermark), with the close of its last bucket before
 * `from`. Symbols without any come back with empty runs.
 */
export async function materializedDailyRuns(
  db: Queryable,
  daily: Materialization,
  symbols: readonly string[],
  from: Date,
  to: Date,
): Promise<Map<string, DailyCloseRun>> {
  const rows = await db.run<{
    symbol: string;
    before: number | null;
    seconds: number[] | null;
    closes: number[] | null;
  }>(materializedDailyCloses(daily), [symbols, from, to]);
  return new Map(
    rows.map(({ symbol, before, seconds, closes }) => {
      const { times, closes: sorted } = oldestFirst(seconds ?? [], closes ?? []);
      return [symbol, { before: before ?? undefined, times, closes: sorted }];
    }),
  );
}

/** Bucket starts in seconds and their closes, as two arrays in any order, to ms and oldest first. */
function oldestFirst(seconds: number[], closes: number[]): { times: number[]; closes: number[] } {
  const order = seconds.map((_, i) => i);
  if (seconds.some((t, i) => i > 0 && t < seconds[i - 1]!)) order.sort((a, b) => seconds[a]! - seconds[b]!);
  return { times: order.map((i) => seconds[i]! * 1000), closes: order.map((i) => closes[i]!) };
}

/** The statements that read materialisation tables, for `npm run db:explain`. */
export const MATERIALIZED_STATEMENTS = {
  materializations: MATERIALIZATIONS,
  closes: splitCloses,
  closesBefore: materializedCloseBefore,
  dailyCloses: materializedDailyCloses,
};

/**
 * Where closes come from: the aggregates (materialised table below the watermark, real-time view
 * above), the aggregates wholly through their real-time views (the earlier way, kept for the
 * benchmark's comparison), or the raw ticks (benchmarks only).
 */
export type CloseSource = 'aggregates' | 'views' | 'raw';

/**
 * Closes of every bucket in [from, to) for many symbols in one round trip, oldest first. With the
 * aggregate's `materialized` table and watermark (materializations()), the part below the
 * watermark is read from the table directly (splitCloses).
 */
export async function closeSeries(
  db: Queryable,
  resolution: Resolution,
  symbols: readonly string[],
  from: Date,
  to: Date,
  source: CloseSource = 'aggregates',
  materialized?: Materialization,
): Promise<CloseSeries[]> {
  const split = source === 'aggregates' && materialized && materialized.watermark > from.getTime();
  const rows = await db.run<{ symbol: string; seconds: number[]; closes: number[] }>(
    split
      ? splitCloses(resolution, materialized)
      : (source === 'raw' ? CANDLE_STATEMENTS.rawCloses : CANDLE_STATEMENTS.closes)[resolution],
    split ? [symbols, from, to, new Date(materialized.watermark)] : [symbols, from, to],
  );
  return rows.map(({ symbol, seconds, closes }) => ({ symbol, ...oldestFirst(seconds, closes) }));
}

/**
 * Each symbol's last price before `at` (absent when it has none): see closesBeforeStatement. With
 * the 1-day aggregate's materialisation `daily` complete past the day before `at`, the last full
 * day's close comes from its table directly (the same rows as the view there, without planning the
 * real-time union).
 */
export async function closesBefore(
  db: Queryable,
  resolution: Resolution,
  symbols: readonly string[],
  at: Date,
  daily?: Materialization,
): Promise<Map<string, number>> {
  const materialized = daily && daily.watermark > at.getTime() - RESOLUTION_MS['1d'];
  const rows = await db.run<{ symbol: string; close: number | null }>(
    materialized ? materializedCloseBefore(resolution, daily) : CANDLE_STATEMENTS.closesBefore[resolution],
    [symbols, at],
  );
  return new Map(rows.flatMap((r) => (r.close === null ? [] : [[r.symbol, r.close] as const])));
}

/**
 * Up to where each aggregate is materialised (ms): when one moves, new buckets were written and
 * cached history at that resolution is stale. Timescale's own function; the catalog join is how
 * a view name maps to its materialisation hypertable.
 */
export async function aggregateWatermarks(db: Queryable): Promise<Partial<Record<Resolution, number>>> {
  const m = await materializations(db);
  return Object.fromEntries(
    RESOLUTIONS.filter((r) => (m[r]?.watermark ?? 0) > 0).map((r) => [r, m[r]!.watermark]),
  ) as Partial<Record<Resolution, number>>;
}

const VIEW_ORDER: readonly Resolution[] = ['1m', '1h', '1d'];
const REFRESH_WINDOW_MS = 90 * RESOLUTION_MS['1d'];

/**
 * Materialises every level over [from, to) after a backfill, finest first (each level reads the one
 * below), in day-aligned 90-day windows (each call also pays a fixed cost that grows with the
 * number of chunks, so fewer, larger windows finish far sooner) so other statements get the database in between and a
 * shutdown waits for one window at most (`stop` is asked before each). A window
 * shorter than a level's bucket is left to real-time aggregation. refresh_continuous_aggregate
 * commits on its own and takes no bound parameters on the embedded engine: the bounds are our own
 * ISO timestamps, never input.
 */
export async function refreshCandles(
  db: Queryable & { exec(script: string): Promise<void> },
  from: number,
  to: number,
  stop: () => boolean = () => false,
) {
  const start = Math.floor(from / RESOLUTION_MS['1d']) * RESOLUTION_MS['1d'];
  for (const resolution of VIEW_ORDER) {
    for (let a = start; a < to; a += REFRESH_WINDOW_MS) {
      const b = Math.min(to, a + REFRESH_WINDOW_MS);
      if (stop()) return;
      if (b - a < RESOLUTION_MS[resolution]) continue;
      const iso = (ms: number) => new Date(ms).toISOString();
      await db.exec(`CALL refresh_continuous_aggregate('${VIEW[resolution]}', '${iso(a)}', '${iso(b)}')`);
    }
  }
}
