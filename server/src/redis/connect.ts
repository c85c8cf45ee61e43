// Finds a Redis to use: REDIS_URL when set; else the machine's own on 127.0.0.1:6379 when it
// answers; else a private redis-server from PATH on a free port (stopped with the process); else a
// clear message saying how to get one.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../log.js';

export interface RedisHandle {
  /** Where Redis is, without credentials, for logs. */
  readonly where: string;
  readonly source: 'REDIS_URL' | 'local' | 'spawned';
  /** A new connection; blocking readers (XREAD BLOCK) need one of their own. */
  connect(name: string): Redis;
  /** Closes every connection made here and stops a spawned server. */
  close(): Promise<void>;
}

export class RedisUnavailableError extends Error {}

const LOCAL_URL = 'redis://127.0.0.1:6379';

export async function connectRedis(redisUrl: string | undefined, log: Logger): Promise<RedisHandle> {
  if (redisUrl) {
    if (!(await answers(redisUrl, 5_000))) {
      throw new RedisUnavailableError(`Redis at REDIS_URL (${redact(redisUrl)}) does not answer PING`);
    }
    return handle(redisUrl, 'REDIS_URL', log);
  }
  if (await answers(LOCAL_URL, 500)) return handle(LOCAL_URL, 'local', log);
  const spawned = await spawnRedisServer(log);
  return handle(spawned.url, 'spawned', log, spawned.stop);
}

function handle(url: string, source: RedisHandle['source'], log: Logger, stop?: () => Promise<void>): RedisHandle {
  const clients = new Set<Redis>();
  return {
    where: redact(url),
    source,
    connect(name) {
      const client = new Redis(url, { connectionName: `tickdash:${name}`, ...RESILIENT });
      client.on('error', (err) => log.warn({ redis: name, err: err.message }, 'redis connection error'));
      clients.add(client);
      return client;
    },
    async close() {
      await Promise.all([...clients].map((c) => c.quit().catch(() => c.disconnect())));
      clients.clear();
      await stop?.();
    },
  };
}

// Reconnect forever with a capped backoff: a Redis restart must not end the process.
const RESILIENT: RedisOptions = {
  retryStrategy: (times) => Math.min(2_000, 50 * 2 ** Math.min(times, 6)),
  maxRetriesPerRequest: null,
  enableReadyCheck: true,
};

async function answers(url: string, timeoutMs: number): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

export async function spawnRedisServer(log: Logger): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tickdash-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  let child: ChildProcess;
  try {
    child = await new Promise<ChildProcess>((resolve, reject) => {
      const c = spawn('redis-server', args, { stdio: 'ignore' });
      c.once('error', reject);
      c.once('spawn', () => resolve(c));
    });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    throw new RedisUnavailableError(
      'No Redis found: nothing answers on 127.0.0.1:6379 and redis-server is not on PATH. ' +
        'Install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) ' +
        'or point REDIS_URL at one (REDIS_URL=redis://host:6379).',
    );
  }
  const url = `redis://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 50; i++) {
    if (await answers(url, 200)) {
      log.info({ port }, 'started a private redis-server');
      return { url, stop };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new RedisUnavailableError(`redis-server was started on port ${port} but never answered PING`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** A URL for logs: the password, if any, is replaced. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '[unparseable url]';
  }
}
