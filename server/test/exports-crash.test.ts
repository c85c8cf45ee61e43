// A report job survives the death of the worker running it. A separate worker process takes the
// job, reports progress and is killed with SIGKILL while holding it (nothing acknowledged, nothing
// cleaned up). The gateway runs no workers at that moment (JOB_WORKERS=0), as in a deployment where
// gateways only queue. Then a process with workers starts: it finds the dead worker's pending entry
// once idle past JOB_CLAIM_IDLE_MS, takes it over (XAUTOCLAIM) and completes the report, and the
// owner downloads it.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobKeys } from '../src/job-queue/job-keys.js';
import { JobQueue } from '../src/job-queue/job-queue.js';
import { freePort, login, startTestApp, type TestApp } from './harness.js';

let t: TestApp;
let worker: ChildProcess | undefined;

beforeAll(async () => {
  t = await startTestApp({ PORT: String(await freePort()), JOB_WORKERS: '0', JOB_CLAIM_IDLE_MS: '1000' });
});
afterAll(async () => {
  worker?.kill('SIGKILL');
  await t?.stop();
});

/** Starts the worker process and resolves with the id of the job it holds once it has one. */
function startDyingWorker(redisUrl: string, base: string): { held: Promise<string>; ready: Promise<void> } {
  const script = fileURLToPath(new URL('./fixtures/dying-job-worker.ts', import.meta.url));
  worker = spawn(process.execPath, ['--import', 'tsx', script, redisUrl, base], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  let onReady: () => void;
  let onHeld: (id: string) => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const held = new Promise<string>((resolve) => (onHeld = resolve));
  worker.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.includes('ready\n')) onReady();
    const match = /holding (\S+)\n/.exec(out);
    if (match) onHeld(match[1]!);
  });
  return { ready, held };
}

describe('a report job and a worker crash', () => {
  it('is taken over from the dead worker and completes elsewhere', async () => {
    const token = await login(t.app.url, 'demo', 'demo');
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const [{ id: portfolio }] = (
      (await (await fetch(`${t.app.url}/api/v1/portfolios`, { headers: auth })).json()) as {
        portfolios: { id: number }[];
      }
    ).portfolios as [{ id: number }];

    const { ready, held } = startDyingWorker(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', t.app.keys.jobs);
    await ready;
    const res = await fetch(`${t.app.url}/api/v1/exports`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ portfolio, kind: 'report-html', range: '1M' }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect(await held).toBe(id);
    const status = async () =>
      (await (await fetch(`${t.app.url}/api/v1/exports/${id}`, { headers: auth })).json()) as Record<string, unknown>;
    expect(await status()).toMatchObject({ status: 'running', progress: 10, attempts: 1 });

    // The worker dies mid-job: no acknowledgement, no goodbye.
    const exited = new Promise((resolve) => worker!.once('exit', resolve));
    worker!.kill('SIGKILL');
    await exited;
    expect(await status()).toMatchObject({ status: 'running', attempts: 1 });

    // A process with workers comes up (the same gateway, restarted with JOB_WORKERS=1).
    t.config.jobs.workers = 1;
    await t.restart();
    let view: Record<string, unknown> = {};
    for (const end = Date.now() + 30_000; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
      view = await status();
      if (view.status === 'done' || view.status === 'failed') break;
    }
    expect(view).toMatchObject({ status: 'done', progress: 100, attempts: 2, error: null });
    const record = await new JobQueue({
      commands: t.app.redis.connect('test'),
      keys: jobKeys(t.app.keys.jobs),
      maxAttempts: 3,
      ttlSeconds: 60,
    }).get(id);
    expect(record?.reclaimed).toBe(1);

    const file = await fetch(`${t.app.url}/api/v1/exports/${id}/file`, { headers: auth });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await file.text();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('Performance report, range 1M');
  }, 120_000);
});
