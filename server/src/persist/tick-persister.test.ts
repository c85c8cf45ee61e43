// The persister against the real Redis and the real embedded engine: replays insert nothing twice,
// a crash between commit and acknowledgement loses and duplicates nothing (recovery through the
// pending list and XAUTOCLAIM), a database outage loses nothing and acknowledges nothing meanwhile,
// and bad ticks land in the dead-letter stream with their reasons while the good ones flow on.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { openPglite } from '../db/pglite-database.js';
import { createLogger } from '../log.js';
import { redisKeys } from '../redis/keys.js';
import { tickFields } from '../streams/tick.js';
import { TickPersister, type TickPersisterOptions } from './tick-persister.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const KNOWN = new Set(['AAPL', 'MSFT', 'NVDA']);

let db: Database;
let redis: Redis;
let keys: ReturnType<typeof redisKeys>;
const persisters: TickPersister[] = [];

beforeAll(async () => {
  db = await openPglite(null);
  await migrate(db);
  await db.query(
    `INSERT INTO assets (symbol, name, sector, exchange, reference_price, volatility)
     SELECT s, s, 'Information Technology', 'NASDAQ', 100, 0.3 FROM unnest($1::text[]) AS s`,
    [[...KNOWN]],
  );
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  const left = await redis.keys('test:persist:*');
  if (left.length) await redis.del(...left);
  redis.disconnect();
  await db?.close();
});
beforeEach(async () => {
  // Each test: its own stream and group, an empty table, no persister left running.
  await Promise.all(persisters.splice(0).map((p) => p.stop()));
  keys = redisKeys(`test:persist:${randomUUID()}:`);
  await db.exec('TRUNCATE ticks');
});

function persister(overrides: Partial<TickPersisterOptions> = {}): TickPersister {
  const p = new TickPersister({
    reader: new Redis(REDIS_URL),
    commands: redis,
    stream: keys.ticks,
    group: keys.persistGroup,
    consumer: 'persister-a',
    deadTicks: keys.deadTicks,
    deadTicksCount: keys.deadTicksCount,
    db,
    isKnownSymbol: (s) => KNOWN.has(s),
    log,
    batchSize: 250,
    blockMs: 50,
    retryMinMs: 5,
    retryMaxMs: 20,
    ...overrides,
  });
  persisters.push(p);
  p.start();
  return p;
}

/** XADDs `n` valid ticks in one pipeline; returns their entry ids. */
async function produce(n: number, from = 0): Promise<string[]> {
  const pipeline = redis.pipeline();
  const now = Date.now();
  for (let i = from; i < from + n; i++) {
    const symbol = [...KNOWN][i % KNOWN.size]!;
    pipeline.xadd(
      keys.ticks,
      '*',
      ...tickFields({ symbol, price: (10_000 + i) / 100, size: 10, time: now - 1_000 + i }),
    );
  }
  return ((await pipeline.exec()) ?? []).map(([, id]) => id as string);
}

async function eventually(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const stored = async () =>
  (
    await db.query<{ rows: number; ids: number }>(
      'SELECT count(*)::int AS rows, count(DISTINCT stream_id)::int AS ids FROM ticks',
    )
  )[0]!;
/**
 * `redis` whose MULTI transactions report the ids each XACK acknowledges, and fail on EXEC while
 * `fail()` says so (as if Redis were unreachable for the acknowledgement).
 */
function watchAcks(real: Redis, onAck: (ids: string[]) => void, fail: () => boolean = () => false): Redis {
  return new Proxy(real, {
    get(target, prop) {
      if (prop === 'multi') {
        return () => {
          const tx = target.multi();
          const xack = tx.xack.bind(tx);
          const exec = tx.exec.bind(tx);
          tx.xack = ((key: string, group: string, ...ids: string[]) => {
            onAck(ids);
            return xack(key, group, ...ids);
          }) as typeof tx.xack;
          tx.exec = (() => (fail() ? Promise.reject(new Error('Connection is closed.')) : exec())) as typeof tx.exec;
          return tx;
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const pending = async () => ((await redis.xpending(keys.ticks, keys.persistGroup)) as [number])[0];

describe('the tick persister', () => {
  it('stores every tick once with the fields the stream carried, and acknowledges them', async () => {
    const ids = await produce(1_000);
    const p = persister();
    // The counters move when the XACK's reply arrives, a round trip after Redis shows nothing pending.
    await eventually(async () => (await stored()).rows === 1_000 && (await pending()) === 0, 'all ticks stored');
    await eventually(() => p.stats.persisted + p.stats.duplicates === 1_000, 'all batches counted');
    expect(p.stats).toMatchObject({ persisted: 1_000, duplicates: 0, rejected: 0 });
    const [first] = await db.query<{ stream_id: string; symbol: string; price: number; size: number }>(
      'SELECT stream_id, symbol, price, size FROM ticks ORDER BY stream_id LIMIT 1',
    );
    expect(first).toEqual({ stream_id: ids[0], symbol: 'AAPL', price: 100, size: 10 });
  });

  it('inserts each tick once when the same stream entries are delivered again', async () => {
    await produce(600);
    const p = persister();
    await eventually(async () => (await stored()).rows === 600 && (await pending()) === 0, 'first delivery stored');
    // Rewind the group: every entry is delivered a second time.
    await redis.xgroup('SETID', keys.ticks, keys.persistGroup, '0');
    await eventually(() => p.stats.duplicates === 600, 'the replay processed');
    expect(await stored()).toEqual({ rows: 600, ids: 600 });
    expect(await pending()).toBe(0);
    expect(p.stats.persisted).toBe(600);
  });

  it('loses and duplicates nothing when killed between insert and acknowledgement (restart, same name)', async () => {
    await produce(500);
    const crash = new Error('killed between commit and XACK');
    const first = persister({ afterCommit: () => Promise.reject(crash) });
    await first.done;
    expect((await stored()).rows).toBeGreaterThan(0); // committed...
    expect(await pending()).toBeGreaterThan(0); // ...but never acknowledged
    await first.stop();

    // The restarted process reads its own pending entries first, then everything new.
    await produce(200, 500);
    persister();
    await eventually(async () => (await stored()).rows === 700 && (await pending()) === 0, 'recovery');
    expect(await stored()).toEqual({ rows: 700, ids: 700 });
  });

  it('loses and duplicates nothing when killed: another persister takes the entries over with XAUTOCLAIM', async () => {
    await produce(500);
    const first = persister({ consumer: 'persister-dead', afterCommit: () => Promise.reject(new Error('killed')) });
    await first.done;
    await first.stop();
    const orphaned = await pending();
    expect(orphaned).toBeGreaterThan(0);

    const other = persister({ consumer: 'persister-b', claimIdleMs: 100, claimEveryMs: 50 });
    await eventually(async () => (await pending()) === 0 && (await stored()).rows === 500, 'takeover');
    expect(other.stats.claimed).toBe(orphaned);
    expect(await stored()).toEqual({ rows: 500, ids: 500 });
    // The dead consumer owns nothing any more.
    const consumers = (await redis.xinfo('CONSUMERS', keys.ticks, keys.persistGroup)) as unknown[][];
    const dead = consumers.find((c) => c[1] === 'persister-dead')!;
    expect(dead[3]).toBe(0);
  });

  it('acknowledges nothing while the database is down and stores everything once when it is back', async () => {
    let down = true;
    let failures = 0;
    const failing = <T>(real: () => Promise<T>) => {
      if (!down) return real();
      failures++;
      return Promise.reject(new Error('connection refused'));
    };
    const flaky: Database = {
      ...db,
      query: (text, params) => failing(() => db.query(text, params)),
      run: (statement, params) => failing(() => db.run(statement, params)),
      copyIn: (table, columns, data) => failing(() => db.copyIn(table, columns, data)),
    };
    await produce(800);
    const p = persister({ db: flaky });
    await eventually(() => failures >= 5, 'several failed attempts');
    // Delivered (two batches in hand at most), none acknowledged, none stored.
    expect(await pending()).toBeGreaterThan(0);
    expect(await pending()).toBeLessThanOrEqual(2 * 250);
    expect(await redis.xlen(keys.ticks)).toBe(800);
    expect((await stored()).rows).toBe(0);

    down = false;
    await eventually(async () => (await stored()).rows === 800 && (await pending()) === 0, 'recovery');
    expect(await stored()).toEqual({ rows: 800, ids: 800 });
    expect(p.stats.dbFailures).toBe(failures);
  });

  it('stops cleanly while the database is down, leaving the batch pending for the next start', async () => {
    const flaky: Database = { ...db, copyIn: () => Promise.reject(new Error('down')) };
    await produce(100);
    const p = persister({ db: flaky });
    await eventually(() => p.stats.dbFailures > 2, 'failing');
    await p.stop();
    expect(await pending()).toBe(100);
    persister();
    await eventually(async () => (await stored()).rows === 100 && (await pending()) === 0, 'the next start');
  });

  it('reads the next batch while one is in the database, and acknowledges a batch only after its commit', async () => {
    await produce(1_000);
    const committed = new Set<string>();
    const ackedEarly: string[] = [];
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const held: Database = {
      ...db,
      copyIn: async (table, columns, data) => {
        await gate;
        return db.copyIn(table, columns, data);
      },
    };
    const p = persister({
      db: held,
      commands: watchAcks(redis, (ids) => ackedEarly.push(...ids.filter((id) => !committed.has(id)))),
      afterCommit: async (ticks) => void ticks.forEach((t) => committed.add(t.id)),
    });
    // The first batch waits in the database; the second is read and prepared meanwhile, no third.
    await eventually(async () => (await pending()) === 500, 'two batches delivered');
    await new Promise((r) => setTimeout(r, 200));
    expect(await pending()).toBe(500);
    expect((await stored()).rows).toBe(0);
    expect(p.stats.persisted).toBe(0);

    open();
    await eventually(async () => (await stored()).rows === 1_000 && (await pending()) === 0, 'all stored');
    expect(await stored()).toEqual({ rows: 1_000, ids: 1_000 });
    expect(ackedEarly).toEqual([]);
    expect(committed.size).toBe(1_000);
  });

  it('acknowledges nothing after a crash with the next batch in hand, and recovers each tick once', async () => {
    const ids = await produce(1_000);
    let commits = 0;
    let crashedBatch: string[] = [];
    const first = persister({
      afterCommit: async (ticks) => {
        if (++commits < 2) return;
        crashedBatch = ticks.map((t) => t.id);
        throw new Error('killed after the second commit');
      },
    });
    await first.done;
    await first.stop();
    // Two batches committed; the first acknowledged, the second not; the third (read while the
    // second was stored) is pending, never stored.
    expect((await stored()).rows).toBe(500);
    const stillPending = (
      (await redis.xpending(keys.ticks, keys.persistGroup, '-', '+', 2_000)) as [string, ...unknown[]][]
    ).map(([id]) => id);
    expect(stillPending.slice(0, 250)).toEqual(crashedBatch);
    expect(stillPending).not.toContain(ids[0]);
    expect([250, 500]).toContain(stillPending.length);

    persister();
    await eventually(async () => (await stored()).rows === 1_000 && (await pending()) === 0, 'recovery');
    expect(await stored()).toEqual({ rows: 1_000, ids: 1_000 });
  });

  it('keeps committed ticks pending while acknowledgements fail, and acknowledges them once Redis answers', async () => {
    await produce(1_000);
    let failing = true;
    let attempts = 0;
    const p = persister({
      commands: watchAcks(
        redis,
        () => undefined,
        () => {
          attempts++;
          return failing;
        },
      ),
    });
    await eventually(() => attempts >= 3, 'failed acknowledgements');
    // Stored, not acknowledged; the pipeline waits instead of reading on without bound.
    expect(await pending()).toBeGreaterThan(0);
    expect((await stored()).rows).toBeGreaterThan(0);
    expect((await stored()).rows).toBeLessThanOrEqual(500);
    expect(p.stats.persisted).toBe(0);

    failing = false;
    await eventually(async () => (await stored()).rows === 1_000 && (await pending()) === 0, 'recovery');
    expect(await stored()).toEqual({ rows: 1_000, ids: 1_000 });
    expect(p.stats).toMatchObject({ persisted: 1_000, duplicates: 0 });
  });

  it('dead-letters bad ticks with reason and original fields, counts them, and keeps going', async () => {
    const now = Date.now();
    const bad: [string[], RegExp][] = [
      [['symbol', 'ZZZZ', 'price', '1', 'size', '1', 'ts', String(now)], /^unknown symbol ZZZZ$/],
      [['symbol', 'AAPL', 'price', 'NaN', 'size', '1', 'ts', String(now)], /^price must be a positive decimal/],
      [['symbol', 'AAPL', 'price', 'Infinity', 'size', '1', 'ts', String(now)], /^price must be a positive decimal/],
      [['symbol', 'AAPL', 'price', '-5', 'size', '1', 'ts', String(now)], /^price must be a positive decimal/],
      [['symbol', 'AAPL', 'price', '0', 'size', '1', 'ts', String(now)], /^price must be positive/],
      [['symbol', 'aapl', 'price', '1', 'ts', String(now)], /^malformed symbol/],
      [['symbol', 'AAPL', 'price', '1', 'size', 'lots', 'ts', String(now)], /^size must be a non-negative decimal/],
      [['symbol', 'AAPL', 'price', '1'], /^ts must be milliseconds since the epoch/],
      [['symbol', 'AAPL', 'price', '1', 'ts', String(now + 3_600_000)], /is more than 5000 ms in the future$/],
    ];
    await produce(50);
    const badIds: string[] = [];
    for (const [fields] of bad) badIds.push((await redis.xadd(keys.ticks, '*', ...fields))!);
    await produce(50, 50);
    const p = persister();
    await eventually(async () => (await stored()).rows === 100 && (await pending()) === 0, 'good ticks stored');

    const letters = (await redis.xrange(keys.deadTicks, '-', '+')) as [string, string[]][];
    expect(letters).toHaveLength(bad.length);
    letters.forEach(([, flat], i) => {
      const f = Object.fromEntries(flat.flatMap((v, j) => (j % 2 ? [] : [[v, flat[j + 1]]])));
      expect(f.origin).toBe('stream');
      expect(f.id).toBe(badIds[i]);
      expect(f.reason).toMatch(bad[i]![1]);
      expect(JSON.parse(f.fields!)).toEqual(bad[i]![0]);
    });
    expect(Number(await redis.get(keys.deadTicksCount))).toBe(bad.length);
    expect(p.stats.rejected).toBe(bad.length);
  });
});
