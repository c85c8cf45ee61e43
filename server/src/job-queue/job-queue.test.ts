// The queue against the machine's Redis, under a key prefix of its own: priorities, retries with
// exponential backoff, dead letters, progress. Crash recovery across processes is proven in
// server/test/exports-crash.test.ts, where a real worker process is killed mid-job.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { jobKeys } from './job-keys.js';
import { JobQueue } from './job-queue.js';
import type { JobRecord } from './job-record.js';
import { JobWorkers, type JobHandler } from './job-workers.js';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test:${randomUUID()}:`;
const commands = new Redis(url);
const log = createLogger('silent');
let workers: JobWorkers | undefined;
let round = 0;

function setUp(handlers: Record<string, JobHandler>, options: { maxAttempts?: number; count?: number } = {}) {
  const queue = new JobQueue({
    commands,
    keys: jobKeys(`${prefix}${++round}:jobs`),
    maxAttempts: options.maxAttempts ?? 3,
    ttlSeconds: 600,
  });
  const changes: JobRecord[] = [];
  workers = new JobWorkers({
    queue,
    commands,
    connect: () => new Redis(url),
    handlers,
    count: options.count ?? 1,
    log,
    onChange: (job) => changes.push(structuredClone(job)),
    retryBaseMs: 100,
    retryMaxMs: 10_000,
    blockMs: 100,
  });
  return { queue, workers, changes };
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const output = (text: string) => ({ data: Buffer.from(text), meta: { name: `${text}.txt` } });

afterEach(async () => {
  await workers?.stop();
  workers = undefined;
});
afterAll(async () => {
  const keys = await commands.keys(`${prefix}*`);
  if (keys.length) await commands.del(...keys);
  commands.disconnect();
});

describe('job queue', () => {
  it('runs a high-priority job queued behind low ones first', async () => {
    const ran: string[] = [];
    const { queue, workers } = setUp({
      work: async (job) => {
        ran.push(String(job.payload.name));
        return output(String(job.payload.name));
      },
    });
    for (const name of ['low-1', 'low-2', 'low-3']) {
      await queue.enqueue({ type: 'work', owner: 1, priority: 'low', payload: { name } });
    }
    await queue.enqueue({ type: 'work', owner: 1, priority: 'normal', payload: { name: 'normal' } });
    await queue.enqueue({ type: 'work', owner: 1, priority: 'high', payload: { name: 'high' } });
    await workers.start();
    await until(() => (ran.length === 5 ? true : undefined));
    expect(ran).toEqual(['high', 'normal', 'low-1', 'low-2', 'low-3']);
  });

  it('stores progress and the result, and lists a user’s jobs newest first', async () => {
    const { queue, workers, changes } = setUp({
      work: async (_job, progress) => {
        await progress(40);
        await progress(80);
        return output('report');
      },
    });
    await workers.start();
    const first = await queue.enqueue({ type: 'work', owner: 7, priority: 'normal', payload: {} });
    const done = await until(async () => {
      const job = await queue.get(first.id);
      return job?.status === 'done' ? job : undefined;
    });
    expect(done).toMatchObject({ progress: 100, attempts: 1, result: { name: 'report.txt', size: 6 } });
    expect((await queue.result(first.id))?.toString()).toBe('report');
    const seen = changes.filter((c) => c.id === first.id).map((c) => `${c.status}:${c.progress}`);
    expect(seen).toEqual(['running:0', 'running:40', 'running:80', 'done:100']);
    const second = await queue.enqueue({ type: 'work', owner: 7, priority: 'normal', payload: {} });
    expect((await queue.list(7)).map((j) => j.id)).toEqual([second.id, first.id]);
    expect(await queue.list(8)).toEqual([]);
  });

  it('retries a failing job with exponential backoff, then dead-letters it', async () => {
    let calls = 0;
    const { queue, workers, changes } = setUp(
      {
        work: async () => {
          calls++;
          throw new Error(`boom ${calls}`);
        },
      },
      { maxAttempts: 3 },
    );
    await workers.start();
    const job = await queue.enqueue({ type: 'work', owner: 1, priority: 'high', payload: {} });
    const failed = await until(async () => {
      const j = await queue.get(job.id);
      return j?.status === 'failed' ? j : undefined;
    });
    expect(calls).toBe(3);
    expect(failed).toMatchObject({ attempts: 3, error: 'boom 3', retryAt: null });
    // Each retry was scheduled base x 2^(attempt - 1) after the failure that caused it.
    const retries = changes.filter((c) => c.status === 'retrying');
    expect(retries.map((c) => [c.attempts, c.retryAt! - c.updatedAt])).toEqual([
      [1, 100],
      [2, 200],
    ]);
    // And no attempt started before its retry time.
    const starts = changes.filter((c) => c.status === 'running' && c.progress === 0);
    expect(starts[1]!.updatedAt).toBeGreaterThanOrEqual(retries[0]!.retryAt!);
    expect(starts[2]!.updatedAt).toBeGreaterThanOrEqual(retries[1]!.retryAt!);
    const [letter] = await queue.deadLetters();
    expect(letter).toMatchObject({ id: job.id, type: 'work', owner: 1, attempts: 3, error: 'boom 3' });
    expect(workers.stats).toMatchObject({ failed: 3, retried: 2, deadLettered: 1 });
  });

  it('completes a job whose first attempt failed, keeping the error it recovered from', async () => {
    let calls = 0;
    const { queue, workers } = setUp({
      work: async () => {
        if (++calls === 1) throw new Error('database busy');
        return output('ok');
      },
    });
    await workers.start();
    const job = await queue.enqueue({ type: 'work', owner: 1, priority: 'normal', payload: {} });
    const done = await until(async () => {
      const j = await queue.get(job.id);
      return j?.status === 'done' ? j : undefined;
    });
    expect(done).toMatchObject({ attempts: 2, error: 'database busy' });
    expect(await queue.deadLetters()).toEqual([]);
  });

  it('dead-letters a job nobody can run at once', async () => {
    const { queue, workers } = setUp({});
    await workers.start();
    const job = await queue.enqueue({ type: 'unknown', owner: 1, priority: 'normal', payload: {} });
    const failed = await until(async () => {
      const j = await queue.get(job.id);
      return j?.status === 'failed' ? j : undefined;
    });
    expect(failed.error).toBe('no handler for jobs of type unknown');
  });
});
