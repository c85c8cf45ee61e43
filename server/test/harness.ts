// Starts the real server in-process for a test file: its own embedded database in a temporary
// folder, its own Redis key prefix on the machine's Redis, a free port, no simulator.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startApp, type RunningApp } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { createLogger } from '../src/log.js';

export interface TestApp {
  app: RunningApp;
  config: Config;
  wsUrl: string;
  /**
   * Stops the server and starts it again on the same port, data folder and Redis prefix, as a
   * process restart would: sessions and data survive, sockets drop, `app` is the new instance.
   * Needs a fixed `PORT` (see {@link freePort}): uWS sets SO_REUSEADDR only on a listener with a
   * port of its own, and without it the closed connections' TIME_WAIT holds the port for a minute.
   */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tickdash-test-'));
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    REDIS_KEY_PREFIX: `test:${randomUUID()}:`,
    SIMULATOR: 'false',
    SEED_DEMO: 'true',
    // A year of simulated demo history is seconds of background work; tests make their own.
    DEMO_HISTORY_DAYS: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...env,
  });
  const log = createLogger(config.logLevel);
  const app = await startApp(config, log);
  const testApp: TestApp = {
    app,
    config,
    wsUrl: app.url.replace(/^http/, 'ws') + '/ws',
    async restart() {
      if (config.port === 0) throw new Error('restart() needs startTestApp({ PORT: String(await freePort()) })');
      await this.app.close();
      this.app = await startApp({ ...this.config, port: this.app.port }, log);
    },
    async stop() {
      const redis = this.app.redis.connect('test-cleanup');
      const keys = await redis.keys(`${config.redisKeyPrefix}*`);
      if (keys.length) await redis.del(...keys);
      await this.app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return testApp;
}

/** A port nobody listens on right now, for a test app that must keep its port across a restart. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export async function login(baseUrl: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

export type Frame = Record<string, unknown> & { type: string };

/** A socket that records every frame and can wait for one that matches. */
export class TestSocket {
  readonly frames: Frame[] = [];
  private waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => (w.match(frame) ? (w.resolve(frame), false) : true));
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  static open(url: string, token?: string): Promise<TestSocket> {
    const ws = new WebSocket(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    const socket = new TestSocket(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(socket));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The first frame (already received or coming) that matches; fails after `timeoutMs`. */
  next(match: (f: Frame) => boolean, timeoutMs = 10_000): Promise<Frame> {
    const seen = this.frames.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (f: Frame) => {
          clearTimeout(timer);
          resolve(f);
        },
      };
      // After the process (or the machine) stalls, timers run before pending socket reads in the
      // event loop: give the reads one turn before calling it a timeout, so a stall is not a failure.
      const timer = setTimeout(
        () =>
          setImmediate(() => {
            if (!this.waiters.includes(waiter)) return;
            this.waiters = this.waiters.filter((w) => w !== waiter);
            reject(new Error('timed out waiting for a frame'));
          }),
        timeoutMs,
      );
      this.waiters.push(waiter);
    });
  }

  close(): void {
    this.ws.close();
  }
}
