// Real processes for fault tests: a private redis-server that can be stopped and started again on
// the same port and data folder (AOF on, as in production), the server's entry point as a child
// process that can be killed, and a tick producer that remembers what it wrote.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { PROJECT_ROOT } from '../src/paths.js';
import { tickFields } from '../src/streams/tick.js';
import { freePort } from './harness.js';

/** A redis-server of the test's own, persisting to an append-only file in a temporary folder. */
export class PrivateRedis {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort(), mkdtempSync(join(tmpdir(), 'tickdash-fault-redis-')));
    await redis.up();
    return redis;
  }

  /** Starts (again) on the same port and folder: the stream comes back from the AOF. */
  async up(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir];
    const child = spawn('redis-server', [...args, '--save', '', '--appendonly', 'yes'], { stdio: 'ignore' });
    this.child = child;
    const probe = new Redis(this.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    try {
      for (let i = 0; i < 100; i++) {
        try {
          await probe.connect();
          // LOADING while it replays the AOF: wait until it answers for real.
          if ((await probe.ping()) === 'PONG') return;
        } catch {
          probe.disconnect();
        }
        await sleep(50);
      }
      throw new Error(`redis-server on ${this.port} never answered`);
    } finally {
      probe.disconnect();
    }
  }

  /** A clean shutdown (SIGTERM): Redis writes the AOF out and closes every connection. */
  async down(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  async stop(): Promise<void> {
    await this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The embedded engine served over the wire protocol (pglite-socket-server.ts) in a process of its
 * own, so a test can take the database away for real and bring it back on the same data.
 */
export class PgliteServer {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async start(): Promise<PgliteServer> {
    const server = new PgliteServer(await freePort(), mkdtempSync(join(tmpdir(), 'tickdash-fault-pg-')));
    await server.up();
    return server;
  }

  async up(): Promise<void> {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'server/test/pglite-socket-server.ts', join(this.dir, 'pgdata'), String(this.port)],
      { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`database server never ready:\n${output}`)), 60_000);
      const onData = (chunk: Buffer) => {
        output += chunk;
        if (output.includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
      child.once('exit', (code) => reject(new Error(`database server exited with ${code}:\n${output}`)));
    });
  }

  /** Gone without warning: SIGKILL, as a crashed or unplugged database server. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface ProducedTick {
  source: string;
  symbol: string;
  price: string;
}

/** Writes ticks with a unique `src` each, so the database can be checked tick by tick. */
export class TickProducer {
  readonly produced: ProducedTick[] = [];
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly stream: string,
    private readonly tag: string,
  ) {
    // Like the app's clients: commands wait through a Redis restart instead of failing.
    this.redis = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: () => 50 });
    this.redis.on('error', () => undefined);
  }

  /** One tick per (symbol, price) pair, in order, in one pipeline. */
  async write(ticks: { symbol: string; price: string }[]): Promise<void> {
    const pipeline = this.redis.pipeline();
    const now = Date.now();
    for (const t of ticks) {
      const source = `${this.tag}-${this.produced.length}`;
      this.produced.push({ source, ...t });
      pipeline.xadd(this.stream, '*', ...tickFields({ ...t, size: 1, time: now, source }));
    }
    const replies = await pipeline.exec();
    const failed = replies?.find(([err]) => err);
    if (failed) throw failed[0];
  }

  /** The newest produced price of each symbol. */
  lastPrices(): Map<string, string> {
    return new Map(this.produced.map((t) => [t.symbol, t.price]));
  }

  close(): void {
    this.redis.disconnect();
  }
}

/**
 * Counts the stored rows per source id against the produced list: every produced tick must be
 * there exactly once. Returns what is missing and what is stored more than once.
 */
export function reconcile(
  produced: readonly ProducedTick[],
  stored: readonly { source: string; n: number }[],
): { missing: string[]; duplicated: string[]; unknown: string[] } {
  const counts = new Map(stored.map((r) => [r.source, Number(r.n)]));
  const expected = new Set(produced.map((t) => t.source));
  return {
    missing: produced.filter((t) => !counts.has(t.source)).map((t) => t.source),
    duplicated: [...counts].filter(([, n]) => n > 1).map(([s]) => s),
    unknown: [...counts.keys()].filter((s) => !expected.has(s)),
  };
}

/** How many entries of the stream carry each source id (a producer's resend shows up as 2). */
export async function streamSources(redis: Redis, stream: string, prefix: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let after = '-'; ;) {
    const entries = (await redis.xrange(stream, after, '+', 'COUNT', 10_000)) as [string, string[]][];
    for (const [, fields] of entries) {
      const src = fields[fields.indexOf('src') + 1];
      if (src?.startsWith(prefix)) counts.set(src, (counts.get(src) ?? 0) + 1);
    }
    if (entries.length < 10_000) return counts;
    after = '(' + entries.at(-1)![0];
  }
}

export const STORED_BY_SOURCE = `SELECT source, count(*)::int AS n FROM ticks WHERE source LIKE $1 GROUP BY source`;

/** The server's entry point in a child process (through tsx, as `npm run dev` runs it). */
export class ServerProcess {
  output = '';
  readonly exited: Promise<number | null>;
  url = '';

  private constructor(readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk));
  }

  static async start(env: Record<string, string>): Promise<ServerProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, LOG_LEVEL: 'info', SIMULATOR: 'false', DEMO_HISTORY_DAYS: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new ServerProcess(child);
    server.url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start line in:\n${server.output}`)), 60_000);
      const onData = () => {
        const m = /"url":"(http:\/\/[^"]+)"/.exec(server.output);
        if (m) {
          clearTimeout(timer);
          child.stdout!.off('data', onData);
          resolve(m[1]!);
        }
      };
      child.stdout!.on('data', onData);
      void server.exited.then((code) => reject(new Error(`exited with ${code} before listening:\n${server.output}`)));
    });
    return server;
  }

  get wsUrl(): string {
    return this.url.replace(/^http/, 'ws') + '/ws';
  }

  async kill(signal: NodeJS.Signals): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
