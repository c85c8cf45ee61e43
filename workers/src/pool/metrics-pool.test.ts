import { afterEach, describe, expect, it } from 'vitest';
import { portfolioMetrics, MetricsInputError, type MetricsRequest } from '../metrics/index.js';
import { PoolBusyError, PoolClosedError } from './errors.js';
import { MetricsPool, defaultPoolSize, type MetricsPoolOptions } from './metrics-pool.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 2);

/** A deterministic daily series of `n` days; a fresh set of buffers every call. */
function request(seed: number, n = 252): MetricsRequest {
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  const flows = new Float64Array(n);
  const bench = new Float64Array(n);
  let v = 10_000 + seed;
  let b = 100;
  for (let i = 0; i < n; i++) {
    const market = Math.sin(seed * 7 + i * 0.37) * 0.01;
    timestamps[i] = T0 + i * DAY;
    b *= 1 + market;
    flows[i] = i % 50 === 25 ? 500 : 0;
    v = v * (1 + 1.2 * market + Math.cos(seed + i) * 0.003) + flows[i]!;
    values[i] = v;
    bench[i] = b;
  }
  return { series: { timestamps, values, flows }, benchmark: { timestamps, values: bench }, riskFreeRate: 0.04 };
}

const pools: MetricsPool[] = [];
function pool(options: MetricsPoolOptions): MetricsPool {
  const p = new MetricsPool({ testHooks: true, ...options });
  pools.push(p);
  return p;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close({ drain: false })));
});

describe('metrics pool', () => {
  it('defaults to one worker per core but one, and at least one', () => {
    expect(defaultPoolSize()).toBeGreaterThanOrEqual(1);
  });

  it('completes many concurrent tasks, each with the same result as on this thread', async () => {
    const p = pool({ size: 2, maxQueue: 100 });
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => p.portfolioMetrics(request(i))));
    results.forEach((result, i) => expect(result).toEqual(portfolioMetrics(request(i))));
    expect(p.stats()).toMatchObject({ completed: 40, failed: 0, crashed: 0, busy: 0, queued: 0, workers: 2 });
    expect(p.stats().taskMs.count).toBe(40);
  });

  it('moves the typed arrays to the worker instead of copying them', async () => {
    const p = pool({ size: 1 });
    const req = request(1);
    const { timestamps, values } = req.series;
    const running = p.portfolioMetrics(req);
    // detached on submit: the caller's views are empty, and the buffers are 0 bytes
    expect(timestamps.length).toBe(0);
    expect(values.buffer.byteLength).toBe(0);
    expect(req.benchmark!.values.length).toBe(0);
    expect((await running).returns).toBe(251);
  });

  it('moves the typed arrays straight to a free worker too', async () => {
    const p = pool({ size: 1 });
    await p.ready();
    const req = request(11);
    const running = p.portfolioMetrics(req);
    expect(p.stats()).toMatchObject({ busy: 1, queued: 0 });
    expect(req.series.flows!.length).toBe(0);
    expect(await running).toEqual(portfolioMetrics(request(11)));
  });

  it('moves queued tasks too, so the caller cannot change them while they wait', async () => {
    const p = pool({ size: 1 });
    await p.ready();
    const blocker = p.run('__busyForTest', 200, 'done');
    const req = request(2);
    const queued = p.portfolioMetrics(req);
    expect(p.stats().queued).toBe(1);
    expect(req.series.values.length).toBe(0);
    await expect(blocker).resolves.toBe('done');
    expect(await queued).toEqual(portfolioMetrics(request(2)));
  });

  it('rejects only the task that throws; the worker carries on', async () => {
    const p = pool({ size: 1 });
    const before = p.portfolioMetrics(request(3));
    const failing = p.run('__throwForTest', 'bad day');
    const after = p.portfolioMetrics(request(4));
    await expect(failing).rejects.toThrow('bad day');
    await expect(before).resolves.toMatchObject({ returns: 251 });
    await expect(after).resolves.toMatchObject({ returns: 251 });
    expect(p.stats()).toMatchObject({ completed: 2, failed: 1, crashed: 0, workers: 1 });
  });

  it('gives bad input back as a MetricsInputError', async () => {
    const p = pool({ size: 1 });
    const bad = { series: { timestamps: Float64Array.of(2, 1), values: Float64Array.of(1, 1) } };
    const error = await p.portfolioMetrics(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetricsInputError);
    expect((error as Error).message).toMatch(/strictly increasing/);
  });

  it('refuses work past the queue bound with PoolBusyError, leaving the caller its arrays', async () => {
    const p = pool({ size: 1, maxQueue: 2 });
    await p.ready();
    const running = p.run('__busyForTest', 300, 1);
    const queued = [p.portfolioMetrics(request(5)), p.portfolioMetrics(request(6))];
    const refused = request(7);
    await expect(p.portfolioMetrics(refused)).rejects.toBeInstanceOf(PoolBusyError);
    expect(refused.series.values.length).toBe(252);
    expect(p.stats()).toMatchObject({ queued: 2, busy: 1, rejectedBusy: 1 });
    await running;
    await Promise.all(queued);
    // room again once the queue has moved on
    await expect(p.portfolioMetrics(refused)).resolves.toMatchObject({ returns: 251 });
  });

  it('runs queued tasks first in, first out', async () => {
    const p = pool({ size: 1 });
    const order: number[] = [];
    await Promise.all(
      [0, 1, 2, 3, 4].map((i) => p.run('__busyForTest', 5, i).then((value) => order.push(value as number))),
    );
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('computes allocation drift', async () => {
    const p = pool({ size: 1 });
    await expect(p.allocationDrift({ A: 7000, B: 3000 }, { A: 6000, B: 4000 })).resolves.toMatchObject({
      turnoverBp: 1000,
    });
  });

  it('close() lets queued work finish, then refuses new tasks', async () => {
    const p = pool({ size: 1 });
    const tasks = [p.run('__busyForTest', 50, 'a'), p.run('__busyForTest', 50, 'b')];
    const closed = p.close();
    await expect(p.portfolioMetrics(request(8))).rejects.toBeInstanceOf(PoolClosedError);
    await expect(Promise.all(tasks)).resolves.toEqual(['a', 'b']);
    await closed;
    expect(p.stats().workers).toBe(0);
  });

  it('close({ drain: false }) rejects running and queued tasks with PoolClosedError', async () => {
    const p = pool({ size: 1 });
    const outcomes = Promise.allSettled([p.run('__busyForTest', 2_000, 'late'), p.portfolioMetrics(request(9))]);
    await p.close({ drain: false });
    for (const outcome of await outcomes) {
      expect(outcome).toMatchObject({ status: 'rejected', reason: expect.any(PoolClosedError) });
    }
  });

  it('keeps test hooks off unless asked', async () => {
    const p = new MetricsPool({ size: 1 });
    pools.push(p);
    await expect(p.run('__crashForTest', 'exit')).rejects.toThrow(/test hooks are disabled/);
    expect(p.stats()).toMatchObject({ crashed: 0, failed: 1 });
  });
});
