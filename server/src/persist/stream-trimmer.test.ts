// Trimming against the real Redis: acknowledged ticks older than the retention window go, pending
// and undelivered ones never do, and without a consumer group the stream is capped by length.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { trimStream } from './stream-trimmer.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const prefix = `test:trim:${randomUUID()}:`;
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

/** `n` entries with ids <ms>-0 for ms = start, start + 1, ...; returns the ids. */
async function fill(stream: string, n: number, start: number): Promise<string[]> {
  const pipeline = redis.pipeline();
  for (let i = 0; i < n; i++) pipeline.xadd(stream, `${start + i}-0`, 'symbol', 'AAPL');
  return ((await pipeline.exec()) ?? []).map(([, id]) => id as string);
}

const remaining = async (stream: string) => (await redis.xrange(stream, '-', '+')).map(([id]) => id);

describe('trimming the tick stream', () => {
  it('drops acknowledged entries but never a pending or undelivered one', async () => {
    const stream = `${prefix}a`;
    const ids = await fill(stream, 1_000, 1_000);
    await redis.xgroup('CREATE', stream, 'persist', '0');
    await redis.xreadgroup('GROUP', 'persist', 'p1', 'COUNT', 600, 'STREAMS', stream, '>');
    await redis.xack(stream, 'persist', ...ids.slice(0, 300), ...ids.slice(450, 600)); // 300-449 stay pending

    const result = await trimStream(redis, { stream, group: 'persist', retainMs: 0, maxLenWithoutGroup: 10 }, 1e13);
    expect(result.minId).toBe(ids[300]);
    expect(result.backlog).toBe(150 + 400);
    const left = new Set(await remaining(stream));
    for (const id of ids.slice(300)) expect(left.has(id)).toBe(true);
    // MINID ~ removes whole nodes of 100 entries at most up to the id: most of the acknowledged 300.
    expect(result.trimmed).toBeGreaterThanOrEqual(200);
    expect(left.size).toBe(1_000 - result.trimmed);
  });

  it('with everything acknowledged, trims up to the last delivered entry', async () => {
    const stream = `${prefix}b`;
    const ids = await fill(stream, 500, 1_000);
    await redis.xgroup('CREATE', stream, 'persist', '0');
    await redis.xreadgroup('GROUP', 'persist', 'p1', 'COUNT', 300, 'STREAMS', stream, '>');
    await redis.xack(stream, 'persist', ...ids.slice(0, 300));
    const result = await trimStream(redis, { stream, group: 'persist', retainMs: 0, maxLenWithoutGroup: 10 }, 1e13);
    expect(result.minId).toBe(`${1_000 + 299}-1`);
    const left = await remaining(stream);
    expect(left.slice(-200)).toEqual(ids.slice(300));
    expect(left.length).toBeLessThanOrEqual(300);
  });

  it('keeps acknowledged entries younger than the retention window', async () => {
    const stream = `${prefix}c`;
    const now = 10_000_000;
    const ids = await fill(stream, 400, now - 400);
    await redis.xgroup('CREATE', stream, 'persist', '$');
    const result = await trimStream(redis, { stream, group: 'persist', retainMs: 200, maxLenWithoutGroup: 10 }, now);
    expect(result.minId).toBe(`${now - 200}-0`);
    const left = await remaining(stream);
    expect(left.slice(-200)).toEqual(ids.slice(200));
    expect(left.length).toBeGreaterThanOrEqual(200);
  });

  it('caps the stream by length when nobody persists it', async () => {
    const stream = `${prefix}d`;
    await fill(stream, 1_000, 1_000);
    const result = await trimStream(redis, { stream, group: 'persist', retainMs: 0, maxLenWithoutGroup: 300 }, 1e13);
    expect(result.minId).toBeUndefined();
    expect(await redis.xlen(stream)).toBeLessThanOrEqual(300 + 100);
    expect(await redis.xlen(stream)).toBeGreaterThanOrEqual(300);
  });
});
