// Profiles the real server under the fan-out benchmark's load (docs/profiling.md):
//   npm run profile:cpu|profile:flame|profile:doctor|profile:heap -- [--out DIR] [fan-out flags]
// The fan-out flags (`npm run bench:fanout -- --help`) choose the load: --preset, --clients,
// --rate, --warmup, --seconds, --server-env K=V ... The server starts under the profiler on a fresh
// database of load users, the client fleet follows the load portfolios, the producer XADDs ticks
// for warm-up + seconds, then the server gets SIGINT and the profiler writes its report into
// artifacts/profiles/<tool>-<time>/ (no browser is ever opened).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { redisKeys } from '../../server/src/redis/keys.js';
import { exited } from '../fanout/children.js';
import { Fleet } from '../fanout/fleet.js';
import { parseOptions } from '../fanout/options.js';
import { loadPlan } from '../fanout/plan.js';
import { LOAD_PASSWORD, prepareLoadData } from '../fanout/prepare.js';
import { REDIS_URL } from '../fanout/product.js';
import { TickProducer } from '../fanout/producer.js';
import { PROJECT_ROOT, serverEntry, startServer } from '../fanout/server-process.js';
import { findDescendantRunning } from './process-tree.js';
import { summariseFile, WINDOW_FILE } from './summarise.js';
import { ensureClinic, removeTraceLogs, TOOLS, wrap, type Tool } from './tools.js';

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** clinic analyses its data after the server exits; flame on a long run takes a while. */
const REPORT_TIMEOUT_MS = 10 * 60_000;

const [tool, ...rest] = process.argv.slice(2) as [Tool, ...string[]];
if (!TOOLS.includes(tool)) {
  console.error(`usage: tsx loadtest/profile/run.ts ${TOOLS.join('|')} [--out DIR] [fan-out flags]`);
  process.exit(2);
}
const outAt = rest.indexOf('--out');
const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
const outDir = outAt >= 0 ? rest.splice(outAt, 2)[1]! : join(PROJECT_ROOT, 'artifacts/profiles', `${tool}-${stamp}`);
const o = parseOptions([...rest, '--no-write']);

ensureClinic(tool);
const stale = removeTraceLogs();
if (stale) console.error(`removed ${stale} stale node_trace.*.log left by an interrupted doctor run`);
mkdirSync(outDir, { recursive: true });
const workDir = mkdtempSync(join(tmpdir(), 'tickdash-profile-'));
process.on('exit', () => rmSync(workDir, { recursive: true, force: true }));

try {
  const dataDir = join(workDir, 'data');
  console.error(`preparing ${o.portfolios} portfolios of ${o.positions} positions`);
  const data = await prepareLoadData({
    dataDir,
    portfolios: o.portfolios,
    portfoliosPerUser: o.portfoliosPerUser,
    positionsPerPortfolio: o.positions,
    seed: o.seed,
  });
  const entry = serverEntry(o.server);
  const profiled = wrap(tool, entry.args, outDir);
  const prefix = `profile:${tool}:${process.pid}:`;
  const server = await startServer(profiled.nodeArgs, {
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dataDir,
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    SIMULATOR: 'false',
    SEED_DEMO: 'false',
    LOG_LEVEL: 'info',
    // The gateway alone, as the fan-out benchmark measures it (loadtest/fanout/README.md).
    PERSISTER: 'false',
    TIMESCALE_JOBS: 'false',
    SESSION_TTL_SECONDS: '3600',
    ...profiled.env,
    ...o.serverEnv,
  });
  const target = profiled.serverIsChild ? findDescendantRunning(server.pid, entry.args.at(-1)!) : server.pid;
  if (!target) throw new Error(`could not find the server process under ${tool}`);
  const redis = new Redis(REDIS_URL);
  const fleet = await Fleet.start(o.clientProcs, false);
  try {
    const wsUrl = server.url.replace(/^http/, 'ws') + '/ws';
    const plan = loadPlan({ ...o, probes: 0 }, data, true);
    console.error(`${tool}: opening ${plan.length} load sockets`);
    const opened = await fleet.connect({
      group: 'load',
      wsUrl,
      login: { baseUrl: server.url, password: LOAD_PASSWORD },
      sockets: plan,
      concurrency: o.concurrency,
    });
    if (opened.failed) throw new Error(`${opened.failed} load sockets failed: ${opened.firstError}`);
    const producer = new TickProducer({
      redis,
      stream: redisKeys(prefix).ticks,
      ticksPerSecond: o.rate,
      instruments: data.instruments,
      seed: o.seed,
    });
    console.error(`${tool}: ${o.rate} ticks/s for ${o.warmupSeconds} + ${o.seconds} s`);
    producer.start();
    await sleep(o.warmupSeconds * 1000);
    await fleet.startWindow({ latency: true });
    const fromUs = monotonicUs();
    await sleep(o.seconds * 1000);
    const window = await fleet.stopWindow();
    // The summary counts only this stretch of the profile (the same clock as V8's timestamps).
    if (tool === 'cpu')
      writeFileSync(join(outDir, WINDOW_FILE), JSON.stringify({ fromUs, toUs: monotonicUs() }) + '\n');
    await producer.stop();
    console.error(
      `${tool}: ${Math.round(window.delivered / window.seconds)} deltas/s delivered, ` +
        `latency p50 ${window.latency.percentile(50).toFixed(1)} / p99 ${window.latency.percentile(99).toFixed(1)} ms ` +
        `(under the profiler: not benchmark figures), gaps ${window.gaps}`,
    );
    console.error(`${tool}: SIGINT to the server (pid ${target}); waiting for the report`);
    process.kill(target, 'SIGINT');
    const timer = setTimeout(() => server.child.kill('SIGKILL'), REPORT_TIMEOUT_MS);
    await exited(server.child);
    clearTimeout(timer);
  } finally {
    await fleet.stop();
    const keys = await redis.keys(`${prefix}*`).catch(() => []);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
  removeTraceLogs();
  console.log(`report in ${relative(PROJECT_ROOT, outDir)}/`);
  if (tool === 'cpu') {
    const summary = summariseFile(outDir);
    writeFileSync(join(outDir, 'summary.txt'), summary + '\n');
    console.log(summary);
  }
} catch (err) {
  console.error(err);
  process.exitCode = 1;
}
process.exit();
