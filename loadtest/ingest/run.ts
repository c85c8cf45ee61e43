// Tick ingest benchmark (docs/benchmarks.md, section ingest), all in one run:
//   1. the two bulk insert paths side by side, binary COPY and unnest, on both engines: the embedded
//      one (PGlite + TimescaleDB) and PostgreSQL server when one answers on TEST_DATABASE_URL;
//   2. ingest capacity: a backlog of ticks in the stream, drained by the real persister into the
//      embedded engine (stream read, validation, insert, acknowledgement), and into PostgreSQL
//      when it answers (where the engine is not the limit);
//   3. persisted lag at a steady rate: a producer in another process XADDs at 20k ticks/s, and each
//      tick's lag is from its XADD (the entry id's time) to the acknowledgement after its commit;
//   4. the same at the 100k ticks/s target, to show whether it is sustained.
// Only 127.0.0.1; every phase is bounded and the run stops by itself.
//
//   npm run bench:ingest [-- --rows 200000 --backlog 1000000 --lag-rate 20000 --lag-seconds 30
//                            --target-rate 100000 --target-seconds 15 --no-write]
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Database } from '../../server/src/db/database.js';
import { migrate } from '../../server/src/db/migrate.js';
import { openPglite } from '../../server/src/db/pglite-database.js';
import { openPostgres } from '../../server/src/db/pg-database.js';
import { createLogger } from '../../server/src/log.js';
import { UNIVERSE } from '../../server/src/market/universe.js';
import { idTime } from '../../server/src/persist/stream-ids.js';
import { TickPersister } from '../../server/src/persist/tick-persister.js';
import { PROJECT_ROOT } from '../../server/src/paths.js';
import { upsertAssets } from '../../server/src/store/assets.js';
import { insertTicks, type TickInsertMethod } from '../../server/src/store/ticks.js';
import { tickFields, type Tick } from '../../server/src/streams/tick.js';
import { load, machine, percentile, table, writeSection } from '../bench-section.js';

const { values: flags } = parseArgs({
  options: {
    rows: { type: 'string', default: '200000' },
    batch: { type: 'string', default: '5000' },
    backlog: { type: 'string', default: '1000000' },
    'lag-rate': { type: 'string', default: '20000' },
    'lag-seconds': { type: 'string', default: '30' },
    'target-rate': { type: 'string', default: '100000' },
    'target-seconds': { type: 'string', default: '15' },
    'no-write': { type: 'boolean', default: false },
  },
});
const ROWS = Number(flags.rows);
const BATCH = Number(flags.batch);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const log = createLogger('warn');
const known = new Set(UNIVERSE.map((u) => u.symbol));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const loadBefore = load();

// ---- 1. insert paths ---------------------------------------------------------------------------

let seq = 0;
function freshTicks(n: number): Tick[] {
  const now = Date.now();
  return Array.from({ length: n }, () => {
    const u = UNIVERSE[seq % UNIVERSE.length]!;
    seq++;
    return {
      id: `${now}-${seq}`,
      symbol: u.symbol,
      price: Math.round(u.referencePrice * 100) / 100,
      size: 100,
      time: now,
    };
  });
}

/** rows/s of each method, alternating rounds so drift on a shared machine hits both alike. */
async function insertPaths(db: Database): Promise<Record<TickInsertMethod, number>> {
  const methods: TickInsertMethod[] = ['copy', 'unnest'];
  await insertTicks(db, freshTicks(BATCH), 'copy'); // warm-up: chunk creation, plans
  await insertTicks(db, freshTicks(BATCH), 'unnest');
  const ms: Record<TickInsertMethod, number> = { copy: 0, unnest: 0 };
  for (let done = 0; done < ROWS; done += BATCH) {
    for (const method of methods) {
      const ticks = freshTicks(BATCH); // built outside the timing: the path is what is measured
      const started = performance.now();
      await insertTicks(db, ticks, method);
      ms[method] += performance.now() - started;
    }
  }
  return { copy: (ROWS / ms.copy) * 1000, unnest: (ROWS / ms.unnest) * 1000 };
}

async function postgresDatabase(): Promise<{ db: Database; drop(): Promise<void> } | undefined> {
  const probe = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 1_000 });
  try {
    await probe.connect();
  } catch {
    return undefined;
  }
  const schema = `bench_ingest_${randomUUID().slice(0, 8)}`;
  // PostgreSQL here has no TimescaleDB: a plain table with the same columns and indexes (the
  // hypertable's default one on time, and sql/006_tick_key.sql's unique key).
  await probe.query(`CREATE SCHEMA ${schema};
    CREATE TABLE ${schema}.ticks (time timestamptz NOT NULL, symbol text NOT NULL, price double precision NOT NULL,
      size double precision NOT NULL DEFAULT 0, stream_id text NOT NULL, source text);
    CREATE INDEX ON ${schema}.ticks (time DESC);
    CREATE UNIQUE INDEX ON ${schema}.ticks (symbol, time DESC, stream_id);`);
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const db = await openPostgres(
    {
      url: url.toString(),
      poolMax: 2,
      connectTimeoutMs: 2_000,
      idleTimeoutMs: 10_000,
      statementTimeoutMs: 60_000,
      connectRetries: 0,
    },
    log,
  );
  return {
    db,
    async drop() {
      await db.close();
      await probe.query(`DROP SCHEMA ${schema} CASCADE`);
      await probe.end();
    },
  };
}

// ---- 2-4. the persister --------------------------------------------------------------------------

async function fillStream(redis: Redis, stream: string, n: number): Promise<void> {
  for (let k = 0; k < n; k += 10_000) {
    const pipeline = redis.pipeline();
    const now = Date.now();
    for (let i = k; i < Math.min(n, k + 10_000); i++) {
      const u = UNIVERSE[i % UNIVERSE.length]!;
      pipeline.xadd(
        stream,
        '*',
        ...tickFields({ symbol: u.symbol, price: Math.round(u.referencePrice * 100) / 100, size: 100, time: now }),
      );
    }
    await pipeline.exec();
  }
}

interface PersisterRun {
  persisted: number;
  seconds: number;
  lags: Float64Array;
}

/** Runs a persister until `until` says stop; lag of every tick from XADD to acknowledgement. */
async function runPersister(
  db: Database,
  redis: Redis,
  stream: string,
  until: (persisted: number) => boolean,
  maxSeconds: number,
): Promise<PersisterRun> {
  const lags: number[] = [];
  const persister = new TickPersister({
    reader: new Redis(REDIS_URL),
    commands: redis,
    stream,
    group: 'persist',
    consumer: 'bench',
    deadTicks: `${stream}:dead`,
    deadTicksCount: `${stream}:dead:count`,
    db,
    isKnownSymbol: (s) => known.has(s),
    log,
    batchSize: BATCH,
    onPersisted: (batch) => {
      for (const t of batch.ticks) lags.push(batch.at - idTime(t.id));
    },
  });
  const started = performance.now();
  persister.start();
  const deadline = started + maxSeconds * 1000;
  while (!until(persister.stats.persisted) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  const seconds = (performance.now() - started) / 1000;
  await persister.stop();
  return { persisted: persister.stats.persisted, seconds, lags: Float64Array.from(lags).sort() };
}

/** A backlog of `n` ticks in a fresh stream, drained by the persister. */
async function drainBacklog(db: Database, redis: Redis, n: number): Promise<PersisterRun> {
  const stream = `bench:ingest:${randomUUID()}`;
  await fillStream(redis, stream, n);
  const run = await runPersister(db, redis, stream, (persisted) => persisted >= n, 300);
  await redis.del(stream);
  return run;
}

function produce(stream: string, rate: number, seconds: number): Promise<{ sent: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'loadtest/ingest/producer.ts', REDIS_URL, stream, String(rate), String(seconds)],
      {
        cwd: PROJECT_ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as { sent: number; seconds: number })
        : reject(new Error(`producer exited ${code}`)),
    );
  });
}

async function steady(db: Database, redis: Redis, rate: number, seconds: number) {
  const stream = `bench:ingest:${randomUUID()}`;
  await redis.xgroup('CREATE', stream, 'persist', '$', 'MKSTREAM');
  let produced: { sent: number; seconds: number } | undefined;
  const producer = produce(stream, rate, seconds).then((p) => (produced = p));
  // Until the producer is done and everything it sent is stored (or 60 s more have passed).
  const run = await runPersister(db, redis, stream, (n) => produced !== undefined && n >= produced.sent, seconds + 60);
  await producer;
  await redis.del(stream);
  return { ...run, sent: produced!.sent, producerSeconds: produced!.seconds };
}

// ---- the run --------------------------------------------------------------------------------------

const redis = new Redis(REDIS_URL);
const dir = mkdtempSync(join(tmpdir(), 'tickdash-bench-ingest-'));
try {
  console.log(`ingest benchmark on ${machine()}, load ${loadBefore}`);
  const paths: (string | number)[][] = [];

  const pathsDb = await openPglite(join(dir, 'paths'));
  await migrate(pathsDb);
  await upsertAssets(pathsDb, UNIVERSE);
  const embedded = await insertPaths(pathsDb);
  await pathsDb.close();
  paths.push([
    'embedded: PGlite 0.3.14 + TimescaleDB 2.23 (hypertable, 1-hour chunks)',
    fmt(embedded.copy),
    fmt(embedded.unnest),
    (embedded.copy / embedded.unnest).toFixed(2),
  ]);
  console.log('insert paths, embedded:', embedded);

  const server = await postgresDatabase();
  let serverDrain: PersisterRun | undefined;
  if (server) {
    const rates = await insertPaths(server.db);
    // The same persister into PostgreSQL: what the pipeline does when the database is not the limit.
    serverDrain = await drainBacklog(server.db, redis, Number(flags.backlog));
    console.log(`PostgreSQL: backlog drained at ${fmt(serverDrain.persisted / serverDrain.seconds)} ticks/s`);
    await server.drop();
    paths.push([
      'server: PostgreSQL 15 over pg (plain table: no TimescaleDB here)',
      fmt(rates.copy),
      fmt(rates.unnest),
      (rates.copy / rates.unnest).toFixed(2),
    ]);
    console.log('insert paths, PostgreSQL:', rates);
  } else {
    paths.push(['server: PostgreSQL not reachable on TEST_DATABASE_URL', '–', '–', '–']);
  }

  const db = await openPglite(join(dir, 'persist'));
  await migrate(db);
  await upsertAssets(db, UNIVERSE);

  const backlog = Number(flags.backlog);
  const drain = await drainBacklog(db, redis, backlog);
  const capacity = drain.persisted / drain.seconds;
  console.log(`backlog of ${fmt(backlog)} drained at ${fmt(capacity)} ticks/s`);

  const lagRate = Number(flags['lag-rate']);
  const lag = await steady(db, redis, lagRate, Number(flags['lag-seconds']));
  console.log(`at ${fmt(lagRate)}/s: lag p50 ${percentile(lag.lags, 50)} ms, p99 ${percentile(lag.lags, 99)} ms`);

  const targetRate = Number(flags['target-rate']);
  const target = await steady(db, redis, targetRate, Number(flags['target-seconds']));
  console.log(
    `at ${fmt(targetRate)}/s offered: ${fmt(target.sent / target.producerSeconds)}/s produced, p99 lag ${percentile(target.lags, 99)} ms`,
  );
  await db.close();

  const ms = (x: number) => `${fmt(x)} ms`;
  const steadyRow = (label: string, r: Awaited<ReturnType<typeof steady>>) => [
    label,
    fmt(r.sent / r.producerSeconds),
    fmt(r.persisted / r.seconds),
    ms(percentile(r.lags, 50)),
    ms(percentile(r.lags, 99)),
    ms(r.lags[r.lags.length - 1] ?? NaN),
  ];
  const lagP99 = percentile(lag.lags, 99);
  const body = `
## Tick ingest: insert paths, capacity and persisted lag

Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}; load average ${loadBefore} before the run, ${load()} after
(other sessions' work shared the machine). Command: \`npm run bench:ingest\` (loadtest/ingest/run.ts).
Redis 127.0.0.1:6379; the embedded engine on its worker thread with its data on disk, as in production.

Bulk insert paths, ${fmt(ROWS)} ticks each in batches of ${fmt(BATCH)}, alternating (store/ticks.ts):

${table(['engine', 'binary COPY rows/s', 'unnest rows/s', 'COPY / unnest'], paths)}

The persister (persist/tick-persister.ts: XREADGROUP, parseTick, binary COPY, XACK after commit; reading and
encoding the next batch and acknowledging the previous one overlap each insert) into the embedded engine:

${table(
  ['run', 'offered ticks/s', 'persisted ticks/s', 'lag p50', 'lag p99', 'lag max'],
  [
    [`backlog of ${fmt(backlog)} ticks, drained`, '–', fmt(capacity), '–', '–', '–'],
    ...(serverDrain
      ? [
          [
            `the same backlog drained into PostgreSQL 15 (plain table, over pg)`,
            '–',
            fmt(serverDrain.persisted / serverDrain.seconds),
            '–',
            '–',
            '–',
          ],
        ]
      : []),
    steadyRow(`steady ${fmt(lagRate)} ticks/s for ${flags['lag-seconds']} s (producer in another process)`, lag),
    steadyRow(`steady ${fmt(targetRate)} ticks/s for ${flags['target-seconds']} s`, target),
  ],
)}

Lag is per tick, from its XADD (the entry id's time) to the acknowledgement after the commit that stored it.
Targets: at least 100,000 ticks/s ingest: ${capacity >= 100_000 ? 'met' : `NOT met (${fmt(capacity)} ticks/s)`}; lag p99 under 1 s at 20,000 ticks/s: ${lagP99 < 1_000 ? `met (${fmt(lagP99)} ms)` : `NOT met (${fmt(lagP99)} ms)`}.
The persister reaches ${((capacity / embedded.copy) * 100).toFixed(0)} % of the embedded engine's binary COPY alone (${fmt(embedded.copy)} rows/s, first table)${
    embedded.copy < 100_000
      ? `: on this machine the embedded engine's own COPY is below 100,000 rows/s, so no persister can reach the target on it`
      : ''
  }${serverDrain ? `; into PostgreSQL 15 the same persister drains ${fmt(serverDrain.persisted / serverDrain.seconds)} ticks/s` : ''}.
`;
  console.log(body);
  if (!flags['no-write']) console.log(`recorded in ${writeSection('ingest', body)}`);
} finally {
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
}
