// The real entry point as a child process: it starts on the embedded default with the simulator,
// a socket receives live deltas, and SIGTERM closes sockets with 1001 and exits 0.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/paths.js';
import { login, TestSocket } from './harness.js';

const dataDir = mkdtempSync(join(tmpdir(), 'tickdash-proc-'));
const prefix = `test:${randomUUID()}:`;
afterAll(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe('the server process', () => {
  it('serves live deltas from the simulator and shuts down cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        PORT: '0',
        DATA_DIR: dataDir,
        REDIS_KEY_PREFIX: prefix,
        SIMULATOR_RATE: '2000',
        LOG_LEVEL: 'info',
        // The demo's year of history is background work this test does not look at.
        DEMO_HISTORY_DAYS: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start line in:\n${output}`)), 45_000);
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk;
        const m = /"url":"(http:\/\/[^"]+)"/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    });
    expect(output).toContain('"mode":"embedded"');
    expect(output).toContain('uWebSockets.js native binary loaded');

    const token = await login(url, 'demo', 'demo');
    const socket = await TestSocket.open(url.replace('http', 'ws') + '/ws', token);
    socket.send({ op: 'subscribe', portfolios: [1] });
    await socket.next((f) => f.type === 'snapshot');
    const delta = await socket.next((f) => f.type === 'delta', 20_000);
    expect(delta.seq).toBe(1);

    child.kill('SIGTERM');
    expect((await socket.closed).code).toBe(1001);
    expect(await exited).toBe(0);
    expect(output).toContain('"msg":"stopped"');
    expect(output).not.toContain(token);
  });
});
