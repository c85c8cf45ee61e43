// The two-tier portfolio cache on the machine's Redis (a prefix of its own): which tier answers,
// when an answer stops being served (a write, a new aggregate bucket, age), how a change reaches
// another process's L1, and that nothing stale is resurrected.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { portfolioChanges } from '../gateway/portfolio-changes.js';
import { createLogger } from '../log.js';
import { redisKeys } from '../redis/keys.js';
import { CacheWarmer } from './cache-warmer.js';
import { PortfolioCache, type CacheName } from './portfolio-cache.js';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new Redis(url);
const prefix = `test:portfolio-cache:${randomUUID()}:`;
const keys = redisKeys(prefix);
const log = createLogger('silent');
const connections: Redis[] = [redis];

afterAll(async () => {
  const left = await redis.keys(`${prefix}*`);
  if (left.length) await redis.del(...left);
  for (const c of connections) c.disconnect();
});

/** A process's cache: its own L1 on the shared Redis; `clock.now` drives ages. */
function processCache(options: { enabled?: boolean; l1TtlMs?: number } = {}) {
  const clock = { now: 1_000_000 };
  const counted: string[] = [];
  const cache = new PortfolioCache({
    redis,
    keys,
    enabled: options.enabled ?? true,
    l1Entries: 100,
    l1TtlMs: options.l1TtlMs ?? 60_000,
    redisTtlSeconds: 60,
    counters: { hit: (c, tier) => counted.push(`${c}:${tier}`), miss: (c) => counted.push(`${c}:miss`) },
    now: () => clock.now,
  });
  return { cache, clock, counted };
}

/** A computation that counts its calls and returns the call number. */
function counter() {
  let calls = 0;
  const compute = async () => ++calls;
  return { compute, calls: () => calls };
}

const read = (c: PortfolioCache, id: number, compute: () => Promise<number>, name: CacheName = 'portfolio') =>
  c.read(name, id, 'f', {}, compute);

describe('the portfolio cache', () => {
  it('computes once, then answers from L1, and another process from Redis', async () => {
    const a = processCache();
    const b = processCache();
    const work = counter();
    expect(await read(a.cache, 1, work.compute)).toBe(1);
    expect(await read(a.cache, 1, work.compute)).toBe(1);
    expect(await read(b.cache, 1, work.compute)).toBe(1);
    expect(await read(b.cache, 1, work.compute)).toBe(1);
    expect(work.calls()).toBe(1);
    expect(a.counted).toEqual(['portfolio:miss', 'portfolio:l1']);
    expect(b.counted).toEqual(['portfolio:redis', 'portfolio:l1']);
    expect(a.cache.stats).toEqual({ l1Hits: 1, redisHits: 0, misses: 1 });
  });

  it('keeps answers of different caches, fields and portfolios apart', async () => {
    const { cache } = processCache();
    expect(await cache.read('portfolio', 2, 'x', {}, async () => 'view')).toBe('view');
    expect(await cache.read('portfolio-metrics', 2, 'x', {}, async () => 'metrics')).toBe('metrics');
    expect(await cache.read('portfolio', 2, 'y', {}, async () => 'other field')).toBe('other field');
    expect(await cache.read('portfolio', 3, 'x', {}, async () => 'other portfolio')).toBe('other portfolio');
    expect(await cache.read('portfolio', 2, 'x', {}, async () => 'recomputed')).toBe('view');
  });

  it('recomputes after a write, in the writing process at once and in another once told', async () => {
    const a = processCache();
    const b = processCache();
    const work = counter();
    await read(a.cache, 4, work.compute);
    await read(b.cache, 4, work.compute);
    await a.cache.changed(4);
    expect(await read(a.cache, 4, work.compute)).toBe(2);
    // b still holds the old version in L1 until the change is announced to it ...
    expect(await read(b.cache, 4, work.compute)).toBe(1);
    b.cache.forget(4);
    // ... then it reads the new version, and the answer a computed under it.
    expect(await read(b.cache, 4, work.compute)).toBe(2);
    expect(work.calls()).toBe(2);
  });

  it('drops another process’s L1 through the portfolio-changes channel', async () => {
    const a = processCache();
    const b = processCache();
    const [pub, subA, subB] = [new Redis(url), new Redis(url), new Redis(url)];
    connections.push(pub, subA, subB);
    const channel = keys.portfolioChanges;
    const heard: number[] = [];
    const changesA = await portfolioChanges(pub, subA, channel, (id) => a.cache.forget(id), log);
    const changesB = await portfolioChanges(
      pub,
      subB,
      channel,
      (id) => {
        b.cache.forget(id);
        heard.push(id);
      },
      log,
    );
    const work = counter();
    await read(a.cache, 5, work.compute);
    await read(b.cache, 5, work.compute);
    await a.cache.changed(5);
    await changesA.announce(5);
    await expect.poll(() => heard).toContain(5);
    expect(await read(b.cache, 5, work.compute)).toBe(2);
    await changesA.stop();
    await changesB.stop();
  });

  it('serves an entry only at its stamp (a new aggregate bucket) and while young enough', async () => {
    const { cache, clock } = processCache();
    const work = counter();
    const at = (stamp: number) => cache.read('history', 6, '1Y:SPY', { stamp, maxAgeMs: 1_000 }, work.compute);
    expect(await at(100)).toBe(1);
    expect(await at(100)).toBe(1);
    expect(await at(160)).toBe(2); // the aggregate materialised new buckets
    clock.now += 999;
    expect(await at(160)).toBe(2);
    clock.now += 1;
    expect(await at(160)).toBe(3); // too old
    expect(work.calls()).toBe(3);
  });

  it('does not resurrect an answer computed before a write that raced it', async () => {
    const a = processCache();
    let release!: () => void;
    const slow = a.cache.read('portfolio', 7, 'f', {}, async () => {
      await new Promise<void>((r) => (release = r));
      return 'before the write';
    });
    await expect.poll(() => release).toBeDefined();
    await a.cache.changed(7); // a transaction lands while the answer is being computed
    release();
    expect(await slow).toBe('before the write');
    const b = processCache();
    expect(await b.cache.read('portfolio', 7, 'f', {}, async () => 'after the write')).toBe('after the write');
    expect(await a.cache.read('portfolio', 7, 'f', {}, async () => 'recomputed')).toBe('after the write');
  });

  it('computes once for concurrent readers of one missing answer', async () => {
    const { cache } = processCache();
    const work = counter();
    const answers = await Promise.all(Array.from({ length: 5 }, () => read(cache, 8, work.compute)));
    expect(answers).toEqual([1, 1, 1, 1, 1]);
    expect(work.calls()).toBe(1);
  });

  it('stores nothing for a missing answer, and nothing at all when turned off', async () => {
    const { cache } = processCache();
    expect(await cache.read('portfolio', 9, 'f', {}, async () => undefined)).toBeUndefined();
    expect(await cache.read('portfolio', 9, 'f', {}, async () => 'created since')).toBe('created since');
    const off = processCache({ enabled: false });
    const work = counter();
    expect(await read(off.cache, 10, work.compute)).toBe(1);
    expect(await read(off.cache, 10, work.compute)).toBe(2);
    expect(off.counted).toEqual([]);
    expect(await redis.keys(`${prefix}cache:portfolio:10:*`)).toEqual([]);
  });

  it('re-reads the version from Redis once its L1 copy expires, even if an announcement was lost', async () => {
    const a = processCache({ l1TtlMs: 30 });
    const b = processCache({ l1TtlMs: 30 });
    const work = counter();
    await read(a.cache, 11, work.compute);
    await read(b.cache, 11, work.compute);
    await a.cache.changed(11); // never announced to b
    await new Promise((r) => setTimeout(r, 60));
    expect(await read(b.cache, 11, work.compute)).toBe(2);
  });
});

describe('warming', () => {
  it('reads again the most recently read answers that have a warmer, newest first', async () => {
    const warmer = new CacheWarmer(redis, keys.cacheRecent, log);
    warmer.note('portfolio', 1, 'view');
    warmer.note('portfolio-metrics', 1, '1Y');
    await warmer.flush(1_000);
    warmer.note('history', 2, '1M:SPY');
    warmer.note('portfolio', 3, 'view');
    await warmer.flush(2_000);
    const warmed: string[] = [];
    const n = await warmer.warm(3, {
      portfolio: async (id, field) => warmed.push(`portfolio ${id} ${field}`),
      history: async (id, field) => warmed.push(`history ${id} ${field}`),
    });
    // The three newest are portfolio 3, history 2 and one of the older pair; metrics has no warmer.
    expect(warmed.slice(0, 2).sort()).toEqual(['history 2 1M:SPY', 'portfolio 3 view']);
    expect(n).toBe(warmed.length);
    expect(warmed.every((w) => !w.startsWith('portfolio-metrics'))).toBe(true);
    await warmer.stop();
  });
});
