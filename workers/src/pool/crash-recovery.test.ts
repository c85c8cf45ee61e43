// Workers die for real here (process.exit, an uncaught error, a heap overflow, a hang): nothing is
// mocked, so what passes here is what the server gets.
import { afterEach, describe, expect, it } from 'vitest';
import type { CrashMode } from '../metrics-worker.js';
import { TaskTimeoutError, WorkerCrashedError } from './errors.js';
import { MetricsPool, type MetricsPoolOptions } from './metrics-pool.js';

const pools: MetricsPool[] = [];
function pool(options: MetricsPoolOptions): MetricsPool {
  const p = new MetricsPool({ testHooks: true, ...options });
  pools.push(p);
  return p;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close({ drain: false })));
});

const series = (n: number) => ({
  series: {
    timestamps: Float64Array.from({ length: n }, (_, i) => i * 86_400_000),
    values: Float64Array.from({ length: n }, (_, i) => 100 + (i % 7)),
  },
});

describe('a worker that dies', () => {
  it.each<[CrashMode, RegExp]>([
    ['exit', /exit code 70/],
    ['uncaught', /worker crashed for a test/],
    ['out-of-memory', /ERR_WORKER_OUT_OF_MEMORY|out of memory/i],
  ])('on %s rejects its own task, is replaced, and the queue still completes', async (mode, reason) => {
    const lost: Error[] = [];
    const p = pool({
      size: 1,
      resourceLimits: { maxOldGenerationSizeMb: 64 },
      onWorkerLost: (error) => lost.push(error),
    });
    await p.ready();
    const before = p.portfolioMetrics(series(30));
    const crashing = p.run('__crashForTest', mode);
    const queued = Array.from({ length: 5 }, (_, i) => p.portfolioMetrics(series(10 + i)));

    await expect(before).resolves.toMatchObject({ returns: 29 });
    const error = await crashing.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as WorkerCrashedError).message).toMatch(reason);
    const results = await Promise.all(queued);
    expect(results.map((r) => r.returns)).toEqual([9, 10, 11, 12, 13]);

    expect(lost).toHaveLength(1);
    expect(p.stats()).toMatchObject({ crashed: 1, completed: 6, workers: 1, queued: 0 });
    await p.ready();
  });

  it('loses none of the tasks running on the other workers', async () => {
    const p = pool({ size: 2 });
    await p.ready();
    const slow = p.run('__busyForTest', 300, 'survived');
    const crashing = p.run('__crashForTest', 'exit');
    const queued = Array.from({ length: 20 }, (_, i) => p.portfolioMetrics(series(5 + i)));
    await expect(crashing).rejects.toBeInstanceOf(WorkerCrashedError);
    await expect(slow).resolves.toBe('survived');
    expect((await Promise.all(queued)).map((r) => r.returns)).toEqual(Array.from({ length: 20 }, (_, i) => 4 + i));
    expect(p.stats()).toMatchObject({ crashed: 1, completed: 21, workers: 2 });
  });

  it('keeps serving after several crashes in a row', async () => {
    const p = pool({ size: 1 });
    const crashes = [0, 1, 2].map(() => p.run('__crashForTest', 'exit'));
    const after = p.portfolioMetrics(series(3));
    for (const crash of crashes) await expect(crash).rejects.toBeInstanceOf(WorkerCrashedError);
    await expect(after).resolves.toMatchObject({ returns: 2 });
    expect(p.stats().crashed).toBe(3);
  });
});

describe('a task that hangs', () => {
  it('times out, its worker is replaced, and the next task runs', async () => {
    const lost: Error[] = [];
    const p = pool({ size: 1, taskTimeoutMs: 1_000, onWorkerLost: (error) => lost.push(error) });
    await p.ready();
    const hung = p.run('__busyForTest', 60_000, 'never');
    const next = p.portfolioMetrics(series(4));
    await expect(hung).rejects.toBeInstanceOf(TaskTimeoutError);
    await expect(next).resolves.toMatchObject({ returns: 3 });
    expect(lost[0]).toBeInstanceOf(TaskTimeoutError);
    expect(p.stats()).toMatchObject({ timedOut: 1, crashed: 0, completed: 1, workers: 1 });
  });
});

describe('workers that cannot start', () => {
  it('fail the waiting tasks instead of leaving them hanging, and ready() says so', async () => {
    const lost: Error[] = [];
    // Too little heap to even load the module: every worker dies while starting.
    const p = pool({ size: 1, resourceLimits: { maxOldGenerationSizeMb: 1 }, onWorkerLost: (e) => lost.push(e) });
    const waiting = p.portfolioMetrics(series(3));
    await expect(p.ready()).rejects.toBeInstanceOf(WorkerCrashedError);
    await expect(waiting).rejects.toBeInstanceOf(WorkerCrashedError);
    expect(lost.length).toBeGreaterThanOrEqual(3);
    expect(p.stats().queued).toBe(0);
  });
});
