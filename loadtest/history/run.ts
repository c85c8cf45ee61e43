// History benchmark (docs/benchmarks.md, section history): one year of a 50-position portfolio on the
// embedded engine, computed from the continuous aggregates and from the raw ticks in the same run,
// alternating, on the same data. Both must give the same series (checked); the figure is the time of
// the whole computation the API does (ledger queries, closes, valuation, TWR), cache bypassed.
//
//   npm run bench:history [-- --positions 50 --days 365 --ticks-per-day 390 --rounds 5 --no-write]
//                         [--data-dir DIR]   keep the dataset in DIR, or reuse the one built there
//                                            before (it takes minutes to build; its `now` is kept)
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { migrate } from '../../server/src/db/migrate.js';
import { AggregateWatermarks } from '../../server/src/history/aggregate-watermarks.js';
import { openPglite } from '../../server/src/db/pglite-database.js';
import { PortfolioCache } from '../../server/src/cache/portfolio-cache.js';
import { DailyCloses } from '../../server/src/history/daily-closes.js';
import { PortfolioHistory } from '../../server/src/history/portfolio-history.js';
import { rangeWindow, type Range } from '../../server/src/history/ranges.js';
import { createLogger } from '../../server/src/log.js';
import { UNIVERSE } from '../../server/src/market/universe.js';
import { redisKeys } from '../../server/src/redis/keys.js';
import { upsertAssets } from '../../server/src/store/assets.js';
import type { CloseSource } from '../../server/src/store/candles.js';
import { load, machine, percentile, table, writeSection } from '../bench-section.js';
import { buildDataset, type Dataset } from './dataset.js';

const { values: flags } = parseArgs({
  options: {
    positions: { type: 'string', default: '50' },
    days: { type: 'string', default: '365' },
    'ticks-per-day': { type: 'string', default: '390' },
    rounds: { type: 'string', default: '5' },
    'no-write': { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
  },
});
const rounds = Number(flags.rounds);
const loadBefore = load();
const fmt = (n: number, digits = 1) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const dir = flags['data-dir'] ?? mkdtempSync(join(tmpdir(), 'tickdash-bench-history-'));
const metaFile = join(dir, 'meta.json');
const reused = flags['data-dir'] !== undefined && existsSync(metaFile);
const db = await openPglite(join(dir, 'pgdata'));
try {
  let now: number;
  let data: Dataset;
  if (reused) {
    // A dataset built by older code gets this code's migrations (its schema is the one measured).
    await migrate(db);
    ({ now, ...data } = JSON.parse(readFileSync(metaFile, 'utf8')) as Dataset & { now: number });
    console.log(`history benchmark on ${machine()}, load ${loadBefore}: the dataset in ${dir}`);
  } else {
    await migrate(db);
    await upsertAssets(db, UNIVERSE);
    now = Date.now();
    console.log(`history benchmark on ${machine()}, load ${loadBefore}: building the dataset`);
    data = await buildDataset(db, {
      positions: Number(flags.positions),
      days: Number(flags.days),
      ticksPerDay: Number(flags['ticks-per-day']),
      now,
      benchmark: 'SPY',
      onProgress: (m) => console.log(`  ${m}`),
    });
    if (flags['data-dir']) writeFileSync(metaFile, JSON.stringify({ now, ...data }));
  }
  console.log(
    `  ${data.ticks} ticks loaded in ${data.loadSeconds.toFixed(1)} s, candles in ${data.refreshSeconds.toFixed(1)} s`,
  );
  const chunks = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM show_chunks('ticks')`))[0]!.n;

  // As the server reads history: the aggregates' materialisation tables and watermarks known from
  // the poller, not asked of the catalog on every computation.
  const watermarks = new AggregateWatermarks(db, createLogger('silent'));
  await watermarks.refresh();
  // As the server holds them: every symbol's materialised daily closes in memory once read.
  const dailyCloses = () => new DailyCloses(db, { maxAgeMs: 3_600_000, maxSymbols: 5_000 });
  const history = new PortfolioHistory(db, undefined, watermarks, dailyCloses());
  type Way = CloseSource | 'cold';
  const time = async (range: Range, way: Way) => {
    // 'cold': nothing held yet, as on a gateway's first read of these symbols since its start or
    // since the 1-day aggregate last moved.
    const reader = way === 'cold' ? new PortfolioHistory(db, undefined, watermarks, dailyCloses()) : history;
    const started = performance.now();
    const result = await reader.compute(data.portfolioId, range, 'SPY', now, way === 'cold' ? 'aggregates' : way);
    return { ms: performance.now() - started, result };
  };

  // Warm both paths (plans, caches), then check they agree.
  const fromAggregates = (await time('1Y', 'aggregates')).result;
  const fromRaw = (await time('1Y', 'raw')).result;
  const fromViews = (await time('1Y', 'views')).result;
  const fromStorage = (await time('1Y', 'cold')).result;
  const same = JSON.stringify(fromAggregates.points) === JSON.stringify(fromRaw.points);
  if (!same) throw new Error('aggregates and raw ticks disagree on the 1Y series');
  if (JSON.stringify(fromAggregates) !== JSON.stringify(fromViews)) {
    throw new Error('the closes held in memory and the real-time views disagree on the 1Y history');
  }
  if (JSON.stringify(fromStorage) !== JSON.stringify(fromViews)) {
    throw new Error('the materialised table and the real-time views disagree on the 1Y history');
  }

  const samples: Record<Way, number[]> = { aggregates: [], cold: [], views: [], raw: [] };
  for (let r = 0; r < rounds; r++) {
    samples.raw.push((await time('1Y', 'raw')).ms);
    for (let i = 0; i < 10; i++) {
      samples.aggregates.push((await time('1Y', 'aggregates')).ms);
      samples.cold.push((await time('1Y', 'cold')).ms);
      samples.views.push((await time('1Y', 'views')).ms);
    }
  }
  const others: (string | number)[][] = [];
  for (const range of ['1D', '1W', '1M', 'MAX'] as const) {
    const ms: number[] = [];
    const before: number[] = [];
    let points = 0;
    for (let i = 0; i < 10; i++) {
      const run = await time(range, 'aggregates');
      ms.push(run.ms);
      points = run.result.points.time.length;
      before.push((await time(range, 'views')).ms);
    }
    ms.sort((a, b) => a - b);
    before.sort((a, b) => a - b);
    others.push([
      range,
      rangeWindow(range, now).resolution,
      points,
      fmt(percentile(ms, 50)),
      fmt(percentile(ms, 95)),
      fmt(percentile(before, 50)),
    ]);
  }

  // What a trader sees on a repeated view from another gateway: the same answer from the Redis
  // tier (GET + JSON.parse); the in-process tier is held to 1 ms so that every read goes to Redis.
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const cachePrefix = `bench:history:${randomUUID()}:`;
  const portfolioCache = new PortfolioCache({
    redis,
    keys: redisKeys(cachePrefix),
    enabled: true,
    l1Entries: 1,
    l1TtlMs: 1,
    redisTtlSeconds: 60,
  });
  const cached = new PortfolioHistory(db, portfolioCache, undefined);
  await cached.get(data.portfolioId, '1Y', 'SPY', now);
  const hits: number[] = [];
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    await cached.get(data.portfolioId, '1Y', 'SPY', now);
    hits.push(performance.now() - started);
  }
  const cacheKeys = await redis.keys(`${cachePrefix}*`);
  if (cacheKeys.length) await redis.del(...cacheKeys);
  redis.disconnect();
  hits.sort((a, b) => a - b);

  const agg = samples.aggregates.sort((a, b) => a - b);
  const raw = samples.raw.sort((a, b) => a - b);
  const views = samples.views.sort((a, b) => a - b);
  const cold = samples.cold.sort((a, b) => a - b);
  const speedup = percentile(raw, 50) / percentile(agg, 50);
  const body = `
## History: one year of a 50-position portfolio, aggregates versus raw ticks

Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}; load average ${loadBefore} before the run, ${load()} after
(other sessions' work shared the machine). Command: \`npm run bench:history${reused ? ' -- --data-dir <dir>' : ''}\` (loadtest/history/run.ts).

Data: ${data.symbols.length} positions and the SPY benchmark, ${flags.days} days of ticks on weekdays from 13:30 to 20:00 UTC,
${flags['ticks-per-day']} per symbol per day: ${data.ticks.toLocaleString('en-US')} raw ticks in ${chunks} one-hour chunks
(loaded by binary COPY in ${data.loadSeconds.toFixed(0)} s; candles materialised in ${data.refreshSeconds.toFixed(0)} s${reused ? `; built by an earlier run of the same script into \`--data-dir\` and reused here, the time axis kept` : ''}), and a
ledger with deposits, 50 buys, a sale, a dividend, a fee and a withdrawal. The embedded engine on its worker thread, data on disk.

The whole history computation (PortfolioHistory.compute: holdings and cash as of the start, transactions, closes and closes
before the range, valuation in cents, TWR, benchmark), the answer cache bypassed, every way in the same run, alternating; the
series are identical every way. The server holds every symbol's materialised daily closes in memory once read
(history/daily-closes.ts: they change only when the 1-day aggregate refreshes, and serve every portfolio and range that
needs them); a first read after a start or after the aggregate moved reads them from the materialisation table.

${table(
  ['1Y from', 'runs', 'p50 ms', 'p95 ms', 'max ms'],
  [
    [
      '1-day candles as the server reads them: the materialised closes held in memory, the real-time view above the watermark',
      agg.length,
      fmt(percentile(agg, 50)),
      fmt(percentile(agg, 95)),
      fmt(agg[agg.length - 1]!),
    ],
    [
      '… the first read of these symbols (nothing held: the materialisation table, then the view)',
      cold.length,
      fmt(percentile(cold, 50)),
      fmt(percentile(cold, 95)),
      fmt(cold[cold.length - 1]!),
    ],
    [
      '1-day candles read wholly through the real-time view (the way before, same run)',
      views.length,
      fmt(percentile(views, 50)),
      fmt(percentile(views, 95)),
      fmt(views[views.length - 1]!),
    ],
    [
      'raw ticks (time_bucket + last over ticks)',
      raw.length,
      fmt(percentile(raw, 50)),
      fmt(percentile(raw, 95)),
      fmt(raw[raw.length - 1]!),
    ],
    [
      'the Redis cache (a repeated view: GET + JSON.parse)',
      hits.length,
      fmt(percentile(hits, 50)),
      fmt(percentile(hits, 95)),
      fmt(hits[hits.length - 1]!),
    ],
  ],
)}

Aggregates are ${fmt(speedup, 0)}x faster than raw ticks (${fmt(percentile(raw, 50) / percentile(cold, 50), 0)}x on a first read); the closes held in memory are ${fmt(percentile(views, 50) / percentile(agg, 50))}x faster than
reading the views alone (store/candles.ts, docs/history.md). Targets: at least 10x faster: ${speedup >= 10 ? 'met' : 'NOT met'}; under 20 ms:
${percentile(agg, 50) < 20 ? `met at p50 (${fmt(percentile(agg, 50))} ms)` : `NOT met (${fmt(percentile(agg, 50))} ms at p50)`}${percentile(agg, 95) < 20 ? ' and p95' : `, p95 ${fmt(percentile(agg, 95))} ms`}; a first read ${fmt(percentile(cold, 50))} ms at p50.

The other ranges from their aggregates, same portfolio:

${table(['range', 'resolution', 'points', 'p50 ms', 'p95 ms', 'p50 ms through the views (before)'], others)}
`;
  console.log(body);
  if (!flags['no-write']) console.log(`recorded in ${writeSection('history', body)}`);
} finally {
  await db.close();
  if (!flags['data-dir']) rmSync(dir, { recursive: true, force: true });
}
