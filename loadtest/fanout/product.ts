// The product side of a run: the real server on the prepared data, load sockets following the load
// portfolios, idle sockets for memory, and a paced producer; the measured window also captures
// every delta the server published, for the floor to replay.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { redisKeys } from '../../server/src/redis/keys.js';
import { Fleet } from './fleet.js';
import { measureQuietWindow, openSockets, type LoadWindow, type Sockets } from './measure.js';
import type { Options } from './options.js';
import { idlePlan, loadPlan } from './plan.js';
import { LOAD_PASSWORD, type LoadData } from './prepare.js';
import { collectGarbage } from './inspector.js';
import { runLadder, type LadderStep } from './ladder.js';
import { TickProducer, type ProducerStats } from './producer.js';
import { scrapeMetrics, serverView, type ServerView } from './server-metrics.js';
import { serverEntry, startServer } from './server-process.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface ProductResult extends Sockets {
  server: string;
  window: LoadWindow;
  /** What the server's own metrics said about the window. */
  view: ServerView;
  producer: ProducerStats;
  /** The load ladder (--ladder), climbed after the window on the same sockets. */
  ladder?: LadderStep[];
}

/** The Redis server's pid when it runs on this machine, to count its CPU too. */
export async function redisPid(redis: Redis): Promise<Record<string, number>> {
  const pid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
  return pid && existsSync(`/proc/${pid}/stat`) ? { redis: pid } : {};
}

export async function runProduct(o: Options, data: LoadData, dataDir: string, captureDir: string) {
  const prefix = `bench:fanout:${randomUUID()}:`;
  const entry = serverEntry(o.server);
  const nodeArgs = [
    ...o.serverNodeArgs,
    ...(o.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProf}`] : []),
    ...entry.args,
  ];
  const server = await startServer(nodeArgs, {
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dataDir,
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    SIMULATOR: 'false',
    SEED_DEMO: 'false',
    // The start line that carries the URL is logged at info; nothing per message is.
    LOG_LEVEL: 'info',
    // The gateway alone: persisting ticks (and the embedded engine's policies) is other work, with
    // its own benchmark, and would be charged to the deltas here. --server-env PERSISTER=true adds it.
    PERSISTER: 'false',
    TIMESCALE_JOBS: 'false',
    // Load sessions expire soon after the run even if it is killed before cleaning up.
    SESSION_TTL_SECONDS: '3600',
    ...o.serverEnv,
  });
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  const fleet = await Fleet.start(o.clientProcs, o.probes > 0);
  try {
    await redis.connect();
    const wsUrl = server.url.replace(/^http/, 'ws') + '/ws';
    const login = { baseUrl: server.url, password: LOAD_PASSWORD };
    const inspector = await server.inspector;
    console.error(`product: opening ${o.clients} load and ${o.idle} idle sockets`);
    const sockets = await openSockets(
      server.pid,
      () => collectGarbage(inspector),
      fleet,
      { wsUrl, login, concurrency: o.concurrency },
      { load: loadPlan(o, data, true), idle: idlePlan(o, data, true), idleWaves: o.idleWaves },
    );

    const producer = new TickProducer({
      redis,
      stream: redisKeys(prefix).ticks,
      ticksPerSecond: o.rate,
      instruments: data.instruments,
      seed: o.seed,
    });
    console.error(`product: ${o.rate} ticks/s, ${o.warmupSeconds} s warm-up, ${o.seconds} s measured`);
    producer.start();
    await sleep(o.warmupSeconds * 1000);
    const helpers = { ...fleet.pids, 'producer (this process)': process.pid, ...(await redisPid(redis)) };
    const window = await measureQuietWindow(
      server.pid,
      fleet,
      { captureDir, latency: true, helpers, attempts: o.attempts },
      async () => {
        const before = await scrapeMetrics(server.url);
        await sleep(o.seconds * 1000);
        return serverView(before, await scrapeMetrics(server.url), o.seconds);
      },
    );
    const produced = await producer.stop();
    const ladder =
      o.ladder &&
      (await runLadder('product', o.ladder, {
        pid: server.pid,
        fleet,
        helpers,
        redis,
        stream: redisKeys(prefix).ticks,
        instruments: data.instruments,
        seed: o.seed + 1,
        faultsBefore: window.gaps + window.errors + window.unexpectedCloses,
      }));
    return {
      server: entry.what,
      ...sockets,
      window,
      view: window.result,
      producer: produced,
      ...(ladder ? { ladder } : {}),
    } satisfies ProductResult;
  } finally {
    // The server first: it closes every socket (1001), so the clients leave no TIME_WAIT behind.
    await server.stop();
    await fleet.stop();
    const keys = await redis.keys(`${prefix}*`).catch(() => []);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
}
