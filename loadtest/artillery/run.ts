// `npm run load:ws` and `npm run load:http` (loadtest/artillery/README.md): installs artillery
// when missing, prepares load traders and portfolios in a fresh embedded database, starts the real
// server on 127.0.0.1 with its market simulator at --rate, runs the scenario against it, stops
// everything, prints a summary and exits 1 on any gap, error frame, failed request or failed user.
// With --target it runs against a server that is already up (e.g. `npm start`'s demo) instead.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { writeSection } from '../bench-section.js';
import { exited, spawnNode } from '../fanout/children.js';
import { LOAD_PASSWORD, loadUsername, prepareLoadData } from '../fanout/prepare.js';
import { REDIS_URL } from '../fanout/product.js';
import { cpuSince, cpuTime, peakRssSampler } from '../fanout/proc-stats.js';
import { serverEntry, startServer, type ServerProcess } from '../fanout/server-process.js';
import { bundleProcessor } from './bundle.js';
import { ARTILLERY_BIN, ARTILLERY_ENV, ensureArtillery, HERE } from './install.js';
import { parseOptions, type Options } from './options.js';
import { readReport, type ServerFigures } from './report.js';

/** Beyond the planned length, how long artillery may take before the run is called stuck. */
const OVERRUN_MS = 120_000;

let o: Options;
try {
  o = parseOptions(process.argv[2], process.argv.slice(3));
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}

ensureArtillery();
const workDir = mkdtempSync(join(tmpdir(), `tickdash-load-${o.scenario}-`));
process.on('exit', () => rmSync(workDir, { recursive: true, force: true }));
const prefix = `load:${o.scenario}:${process.pid}:`;

let server: ServerProcess | undefined;
let exitCode = 1;
try {
  const traders = o.target ? [o.user] : await prepare();
  const csv = join(workDir, 'traders.csv');
  const password = o.target ? o.password : LOAD_PASSWORD;
  writeFileSync(csv, ['username,password', ...traders.map((t) => `${t},${password}`)].join('\n') + '\n');
  const target = o.target ?? server!.url;

  console.error(`${o.scenario}: ${describeLoad(o)} against ${target}`);
  const cpuBefore = server && cpuTime(server.pid);
  const rss = server && peakRssSampler(server.pid);
  const startedAt = performance.now();
  const reportPath = join(workDir, 'report.json');
  await runArtillery(target, csv, reportPath);
  const seconds = (performance.now() - startedAt) / 1000;
  const serverFigures: ServerFigures | undefined = server && {
    cpu: cpuSince(cpuBefore!, cpuTime(server.pid)),
    peakRss: rss!.stop(),
  };

  const report = readReport(o, reportPath, seconds, serverFigures);
  console.log(`\n${report.text}\n`);
  if (o.write) console.log(`written to ${writeSection(`artillery-${o.scenario}`, report.markdown)}`);
  if (report.failures.length) {
    console.error(`FAILED:\n${report.failures.map((f) => `  - ${f}`).join('\n')}`);
  } else {
    console.log('passed: no gaps, no errors');
    exitCode = 0;
  }
} catch (err) {
  console.error(err);
} finally {
  await server?.stop();
  await forgetRedisKeys();
}
process.exit(exitCode);

/** Load traders in a fresh database, then the server on it with the simulator at --rate. */
async function prepare(): Promise<string[]> {
  const dataDir = join(workDir, 'data');
  const portfolios = o.traders * o.portfoliosPerTrader;
  console.error(`preparing ${o.traders} traders with ${o.portfoliosPerTrader} portfolios of ${o.positions} positions`);
  await prepareLoadData({
    dataDir,
    portfolios,
    portfoliosPerUser: o.portfoliosPerTrader,
    positionsPerPortfolio: o.positions,
    seed: o.seed,
  });
  const entry = serverEntry(o.server);
  console.error(`starting the server (${entry.what}), simulator at ${o.rate} ticks/s`);
  server = await startServer(entry.args, {
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dataDir,
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    SIMULATOR: 'true',
    SIMULATOR_RATE: String(o.rate),
    SIMULATOR_SEED: String(o.seed),
    SEED_DEMO: 'false',
    // startServer reads the URL from the info-level start line; the rest of the log is dropped.
    LOG_LEVEL: 'info',
    ...o.serverEnv,
  });
  return Array.from({ length: o.traders }, (_, i) => loadUsername(i + 1));
}

function describeLoad(options: Options): string {
  return options.scenario === 'ws'
    ? `${options.traders} traders over ${options.ramp} s, each holding the socket ${options.hold} s`
    : `${options.arrivalRate} traders/s for ${options.duration} s, ${options.requests} actions each`;
}

/** The scenario's phase, variables, traders' CSV and bundled processor, over what the YAML says. */
function overrides(csv: string, processor: string): object {
  // An array replaces the YAML's payload as a whole (artillery merges overrides, arrays excepted).
  const payload = [{ path: csv, fields: ['username', 'password'], order: 'sequence', skipHeader: true }];
  if (o.scenario === 'ws') {
    return {
      config: {
        phases: [{ name: 'traders arrive', duration: o.ramp, arrivalCount: o.traders }],
        variables: { hold: o.hold },
        payload,
        processor,
      },
    };
  }
  return {
    config: {
      phases: [{ name: 'traders arrive', duration: o.duration, arrivalRate: o.arrivalRate }],
      variables: { requests: o.requests },
      payload,
      processor,
    },
  };
}

async function runArtillery(target: string, csv: string, reportPath: string): Promise<void> {
  const args = [
    ARTILLERY_BIN,
    'run',
    '--target',
    target,
    '--output',
    reportPath,
    '--overrides',
    JSON.stringify(overrides(csv, bundleProcessor(o.scenario, workDir))),
    ...(o.verbose ? [] : ['--quiet']),
    join(HERE, `${o.scenario}.yml`),
  ];
  const { child, stderr } = spawnNode('artillery', args, { cwd: HERE, env: { ...process.env, ...ARTILLERY_ENV } });
  child.stdout!.on('data', (chunk: Buffer) => {
    if (o.verbose) process.stdout.write(chunk);
  });
  const planned = (o.scenario === 'ws' ? o.ramp + o.hold : o.duration + o.requests * 3 + 10) * 1000;
  const timer = setTimeout(() => {
    console.error('artillery overran its planned length: stopping it');
    child.kill('SIGKILL');
  }, planned + OVERRUN_MS);
  await exited(child);
  clearTimeout(timer);
  if (child.exitCode !== 0)
    throw new Error(`artillery exited with ${child.signalCode ?? child.exitCode}:\n${stderr.tail()}`);
}

async function forgetRedisKeys(): Promise<void> {
  if (o.target) return;
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
  } catch {
    // Nothing to tidy when Redis is gone; the keys carry this run's own prefix either way.
  } finally {
    redis.disconnect();
  }
}
