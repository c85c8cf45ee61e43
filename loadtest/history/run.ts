// History benchmark (docs/benchmarks.md, section history): one year of a 50-position portfolio on the
// embedded engine, computed from the continuous aggregates and from the raw ticks in the same run,
// alternating, on the same data. Both must give the same series (checked); the figure is the time of
// the whole computation the API does (ledger queries, closes, valuation, TWR), cache bypassed.
//
//   npm run bench:history [-- --positions 50 --days 365 --ticks-per-day 390 --rounds 5 --no-write]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { migrate } from '../../server/src/db/migrate.js';
import { openPglite } from '../../server/src/db/pglite-database.js';
import { HistoryCache } from '../../server/src/history/history-cache.js';
import { PortfolioHistory } from '../../server/src/history/portfolio-history.js';
import { rangeWindow, type Range } from '../../server/src/history/ranges.js';
import { UNIVERSE } from '../../server/src/market/universe.js';
import { upsertAssets } from '../../server/src/store/assets.js';
import type { CloseSource } from '../../server/src/store/candles.js';
import { load, machine, percentile, table, writeSection } from '../bench-section.js';
import { buildDataset } from './dataset.js';

const { values: flags } = parseArgs({
  options: {
    positions: { type: 'string', default: '50' },
    days: { type: 'string', default: '365' },
    'ticks-per-day': { type: 'string', default: '390' },
    rounds: { type: 'string', default: '5' },
    'no-write': { type: 'boolean', default: false },
  },
});
const rounds = Number(flags.rounds);
const loadBefore = load();
const fmt = (n: number, digits = 1) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const dir = mkdtempSync(join(tmpdir(), 'tickdash-bench-history-'));
const db = await openPglite(join(dir, 'pgdata'));
try {
  await migrate(db);
  await upsertAssets(db, UNIVERSE);
  const now = Date.now();
  console.log(`history benchmark on ${machine()}, load ${loadBefore}: building the dataset`);
  const data = await buildDataset(db, {
    positions: Number(flags.positions),
    days: Number(flags.days),
    ticksPerDay: Number(flags['ticks-per-day']),
    now,
    benchmark: 'SPY',
    onProgress: (m) => console.log(`  ${m}`),
  });
  console.log(
    `  ${data.ticks} ticks loaded in ${data.loadSeconds.toFixed(1)} s, candles in ${data.refreshSeconds.toFixed(1)} s`,
  );
  const chunks = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM show_chunks('ticks')`))[0]!.n;

  const history = new PortfolioHistory(db, undefined, undefined);
  const time = async (range: Range, source: CloseSource) => {
    const started = performance.now();
    const result = await history.compute(data.portfolioId, range, 'SPY', now, source);
    return { ms: performance.now() - started, result };
  };

  // Warm both paths (plans, caches), then check they agree.
  const fromAggregates = (await time('1Y', 'aggregates')).result;
  const fromRaw = (await time('1Y', 'raw')).result;
  const same = JSON.stringify(fromAggregates.points) === JSON.stringify(fromRaw.points);
  if (!same) throw new Error('aggregates and raw ticks disagree on the 1Y series');

  const samples: Record<CloseSource, number[]> = { aggregates: [], raw: [] };
  for (let r = 0; r < rounds; r++) {
    samples.raw.push((await time('1Y', 'raw')).ms);
    for (let i = 0; i < 10; i++) samples.aggregates.push((await time('1Y', 'aggregates')).ms);
  }
  const others: (string | number)[][] = [];
  for (const range of ['1D', '1W', '1M', 'MAX'] as const) {
    const ms: number[] = [];
    let points = 0;
    for (let i = 0; i < 10; i++) {
      const run = await time(range, 'aggregates');
      ms.push(run.ms);
      points = run.result.points.time.length;
    }
    ms.sort((a, b) => a - b);
    others.push([range, rangeWindow(range, now).resolution, points, fmt(percentile(ms, 50)), fmt(percentile(ms, 95))]);
  }

  // What a trader sees on a repeated view: the same answer from the Redis cache (HGET + JSON.parse).
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const cacheKey = `bench:history:${randomUUID()}`;
  const cached = new PortfolioHistory(db, new HistoryCache(redis, () => cacheKey), undefined);
  await cached.get(data.portfolioId, '1Y', 'SPY', now);
  const hits: number[] = [];
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    await cached.get(data.portfolioId, '1Y', 'SPY', now);
    hits.push(performance.now() - started);
  }
  await redis.del(cacheKey);
  redis.disconnect();
  hits.sort((a, b) => a - b);

  const agg = samples.aggregates.sort((a, b) => a - b);
  const raw = samples.raw.sort((a, b) => a - b);
  const speedup = percentile(raw, 50) / percentile(agg, 50);
  const body = `
## History: one year of a 50-position portfolio, aggregates versus raw ticks

Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}; load average ${loadBefore} before the run, ${load()} after
(other sessions' work shared the machine). Command: \`npm run bench:history\` (loadtest/history/run.ts).

Data: ${data.symbols.length} positions and the SPY benchmark, ${flags.days} days of ticks on weekdays from 13:30 to 20:00 UTC,
${flags['ticks-per-day']} per symbol per day: ${data.ticks.toLocaleString('en-US')} raw ticks in ${chunks} one-hour chunks
(loaded by binary COPY in ${data.loadSeconds.toFixed(0)} s; candles materialised in ${data.refreshSeconds.toFixed(0)} s), and a
ledger with deposits, 50 buys, a sale, a dividend, a fee and a withdrawal. The embedded engine on its worker thread, data on disk.

The whole history computation (PortfolioHistory.compute: holdings and cash as of the start, transactions, closes and closes
before the range, valuation in cents, TWR, benchmark), cache bypassed, both ways in the same run; the two series are identical.

${table(
  ['1Y from', 'runs', 'p50 ms', 'p95 ms', 'max ms'],
  [
    [
      '1-day candles (candles_1d)',
      agg.length,
      fmt(percentile(agg, 50)),
      fmt(percentile(agg, 95)),
      fmt(agg[agg.length - 1]!),
    ],
    [
      'raw ticks (time_bucket + last over ticks)',
      raw.length,
      fmt(percentile(raw, 50)),
      fmt(percentile(raw, 95)),
      fmt(raw[raw.length - 1]!),
    ],
    [
      'the Redis cache (a repeated view: HGET + JSON.parse)',
      hits.length,
      fmt(percentile(hits, 50)),
      fmt(percentile(hits, 95)),
      fmt(hits[hits.length - 1]!),
    ],
  ],
)}

Aggregates are ${fmt(speedup, 0)}x faster than raw ticks. Targets: at least 10x faster: ${speedup >= 10 ? 'met' : 'NOT met'}; under 20 ms:
${percentile(agg, 50) < 20 ? `met at p50 (${fmt(percentile(agg, 50))} ms)` : `NOT met (${fmt(percentile(agg, 50))} ms at p50)`}${percentile(agg, 95) < 20 ? ' and p95' : `, p95 ${fmt(percentile(agg, 95))} ms`}.

The other ranges from their aggregates, same portfolio:

${table(['range', 'resolution', 'points', 'p50 ms', 'p95 ms'], others)}
`;
  console.log(body);
  if (!flags['no-write']) console.log(`recorded in ${writeSection('history', body)}`);
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
