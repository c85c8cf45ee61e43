// The Socket.IO peer side of a run: the peer server (peer-socketio-server.ts) in its own process on
// the same database, its own Redis key prefix and a producer like the product's, the same load and
// idle sockets (socket.io-client, websocket transport), measured exactly as the product was.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { redisKeys } from '../../server/src/redis/keys.js';
import { forkModule, stopChild } from './children.js';
import { Fleet } from './fleet.js';
import { collectGarbage, INSPECT_ARG } from './inspector.js';
import { ChildApi } from './ipc.js';
import { runLadder, type LadderStep } from './ladder.js';
import { measureQuietWindow, openSockets, type LoadWindow, type Sockets } from './measure.js';
import type { Options } from './options.js';
import type { PeerApi, PeerWindow } from './peer-api.js';
import { idlePlan, loadPlan } from './plan.js';
import { LOAD_PASSWORD, type LoadData } from './prepare.js';
import { TickProducer, type ProducerStats } from './producer.js';
import { REDIS_URL, redisPid } from './product.js';

export interface PeerResult extends Sockets {
  server: string;
  window: LoadWindow;
  /** The peer's own view of the window (its feed and event loop). */
  view: PeerWindow & { seconds: number };
  producer: ProducerStats;
  ladder?: LadderStep[];
}

export async function runPeer(o: Options, data: LoadData, dataDir: string): Promise<PeerResult> {
  const prefix = `bench:fanout:peer:${randomUUID()}:`;
  const started = forkModule('peer', './peer-socketio-server.ts', [INSPECT_ARG]);
  const peer = new ChildApi<PeerApi>(started.child);
  await peer.ready;
  const inspector = await started.stderr.inspector;
  const pid = peer.child.pid!;
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  const fleet = await Fleet.start(o.clientProcs, o.probes > 0);
  try {
    await redis.connect();
    // What the product gets (product.ts), so that config.gateway (conflation, resume, linger) is the same.
    const { port } = await peer.call('start', {
      env: {
        DATA_DIR: dataDir,
        REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
        SIMULATOR: 'false',
        SEED_DEMO: 'false',
        SESSION_TTL_SECONDS: '3600',
        ...o.serverEnv,
      },
    });
    const tokens = await peer.call('login', {
      usernames: [...new Set(data.portfolios.map((p) => p.owner))],
      password: LOAD_PASSWORD,
    });
    const connect = { wsUrl: `http://127.0.0.1:${port}`, transport: 'socketio' as const, tokens };
    console.error(`peer: opening ${o.clients} load and ${o.idle} idle Socket.IO sockets`);
    const sockets = await openSockets(
      pid,
      () => collectGarbage(inspector),
      fleet,
      { ...connect, concurrency: o.concurrency },
      { load: loadPlan(o, data, true), idle: idlePlan(o, data, true), idleWaves: o.idleWaves },
    );

    const producer = new TickProducer({
      redis,
      stream: redisKeys(prefix).ticks,
      ticksPerSecond: o.rate,
      instruments: data.instruments,
      seed: o.seed,
    });
    console.error(`peer: ${o.rate} ticks/s, ${o.warmupSeconds} s warm-up, ${o.seconds} s measured`);
    producer.start();
    await sleep(o.warmupSeconds * 1000);
    const helpers = { ...fleet.pids, 'producer (this process)': process.pid, ...(await redisPid(redis)) };
    const window = await measureQuietWindow(pid, fleet, { latency: true, helpers, attempts: o.attempts }, async () => {
      await peer.call('openWindow', {});
      await sleep(o.seconds * 1000);
      return { ...(await peer.call('closeWindow', {})), seconds: o.seconds };
    });
    const produced = await producer.stop();
    const ladder =
      o.ladder &&
      (await runLadder('peer', o.ladder, {
        pid,
        fleet,
        helpers,
        redis,
        stream: redisKeys(prefix).ticks,
        instruments: data.instruments,
        seed: o.seed + 1,
        faultsBefore: window.gaps + window.errors + window.unexpectedCloses,
      }));
    return {
      server: 'socket.io 4 (ws), the product engine and PortfolioFeed via tsx',
      ...sockets,
      window,
      view: window.result,
      producer: produced,
      ...(ladder ? { ladder } : {}),
    };
  } finally {
    await peer.call('stop', {}).catch(() => undefined);
    await stopChild(peer.child, 'SIGTERM');
    await fleet.stop();
    const keys = await redis.keys(`${prefix}*`).catch(() => []);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
}
