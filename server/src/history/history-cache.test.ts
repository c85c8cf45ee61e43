// When a cached history stops being served: a new transaction, new materialised buckets, age.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { HistoryCache, MAX_AGE_MS } from './history-cache.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const prefix = `test:history-cache:${randomUUID()}:`;
const cache = new HistoryCache(redis, (id) => `${prefix}${id}`);
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe('the history cache', () => {
  it('serves an entry until the ledger changes, the aggregate materialises or it grows old', async () => {
    const first = await cache.get(1, '1D:SPY', '1m', 100, 1_000);
    expect(first.body).toBeUndefined();
    await cache.set(1, '1D:SPY', { version: first.version, watermark: 100, at: 1_000, body: '{"a":1}' });

    expect((await cache.get(1, '1D:SPY', '1m', 100, 1_001)).body).toBe('{"a":1}');
    expect((await cache.get(1, '1D:SPY', '1m', 160, 1_001)).body).toBeUndefined(); // new buckets
    expect((await cache.get(1, '1D:SPY', '1m', 100, 1_000 + MAX_AGE_MS['1m'])).body).toBeUndefined(); // too old
    expect((await cache.get(2, '1D:SPY', '1m', 100, 1_001)).body).toBeUndefined(); // another portfolio

    await cache.invalidate(1);
    const after = await cache.get(1, '1D:SPY', '1m', 100, 1_001);
    expect(after.body).toBeUndefined();
    expect(after.version).not.toBe(first.version);
  });

  it('does not resurrect an answer computed before a transaction that raced it', async () => {
    const before = await cache.get(3, '1M:', '1h', 5, 0);
    await cache.invalidate(3); // a transaction lands while the history is being computed
    await cache.set(3, '1M:', { version: before.version, watermark: 5, at: 0, body: '{"stale":true}' });
    expect((await cache.get(3, '1M:', '1h', 5, 1)).body).toBeUndefined();
  });
});
