// The tick reader against the real Redis: every tick arrives once and in order, with or without
// paced reads; while ticks keep coming a paced reader reads at most once per interval (each read is
// a command written to Redis, the cost that pacing saves), and a bad entry never stops it.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { tickFields, type Tick } from './tick.js';
import { TickReader } from './tick-reader.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test:tick-reader:${randomUUID()}:`;
const producer = new Redis(REDIS_URL);

afterAll(async () => {
  const left = await producer.keys(`${prefix}*`);
  if (left.length) await producer.del(...left);
  producer.disconnect();
});

/** Runs a reader while `ticks` ticks are XADDed one every `everyMs`; returns what it handed over. */
async function follow(stream: string, o: { ticks: number; everyMs: number; minReadIntervalMs?: number }) {
  const batches: Tick[][] = [];
  const rejected: string[] = [];
  const reader = new TickReader({
    redis: new Redis(REDIS_URL),
    stream,
    fromId: '$',
    isKnownSymbol: (s) => s === 'AAPL',
    onTicks: (ticks) => batches.push(ticks),
    onRejected: (_id, reason) => rejected.push(reason),
    log: createLogger('silent'),
    blockMs: 100,
    ...(o.minReadIntervalMs === undefined ? {} : { minReadIntervalMs: o.minReadIntervalMs }),
  });
  reader.start();
  await sleep(50); // the first read is blocking on '$' before anything is added
  const started = performance.now();
  for (let i = 0; i < o.ticks; i++) {
    const fields = i === 3 ? tickFields({ symbol: 'NOPE', price: 1, size: 1, time: Date.now() }) : undefined;
    await producer.xadd(
      stream,
      '*',
      ...(fields ?? tickFields({ symbol: 'AAPL', price: 100 + i / 100, size: 1, time: Date.now() })),
    );
    await sleep(o.everyMs);
  }
  const produced = performance.now() - started;
  const delivered = () => batches.reduce((n, b) => n + b.length, 0);
  await expect.poll(delivered).toBe(o.ticks - 1);
  await reader.stop();
  return { batches, rejected, produced, prices: batches.flat().map((t) => t.price) };
}

describe('following the tick stream', () => {
  it('hands over every tick once and in order, reading as soon as each arrives when not paced', async () => {
    const { batches, rejected, prices } = await follow(`${prefix}plain`, { ticks: 40, everyMs: 5 });
    expect(prices).toEqual([...Array(40).keys()].filter((i) => i !== 3).map((i) => 100 + i / 100));
    expect(rejected).toEqual(['unknown symbol NOPE']);
    expect(batches.length).toBeGreaterThan(1);
  });

  it('reads at most once per interval while ticks keep coming, and still misses none', async () => {
    const interval = 100;
    const { batches, rejected, produced, prices } = await follow(`${prefix}paced`, {
      ticks: 40,
      everyMs: 5,
      minReadIntervalMs: interval,
    });
    expect(prices).toEqual([...Array(40).keys()].filter((i) => i !== 3).map((i) => 100 + i / 100));
    expect(rejected).toEqual(['unknown symbol NOPE']);
    // A slower machine only makes fewer, larger batches: the bound holds whatever the speed.
    expect(batches.length).toBeLessThanOrEqual(Math.ceil(produced / interval) + 2);
  });
});
