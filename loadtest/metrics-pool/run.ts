// Event-loop delay on the main thread while metrics for 1,000 portfolios are computed: on the
// worker pool, then on the main thread itself, side by side in one run. Prints a table and records
// it in docs/benchmarks.md (between this benchmark's markers; other sections are left alone).
//
//   npm run bench:metrics [-- --portfolios 1000 --days 252 --rounds 5 --size N --dry-run]
// (the script runs tsx with --expose-gc, so each round starts from a collected heap)
//
// Each way runs `rounds` times into one delay histogram, so its p99 rests on a few hundred samples
// rather than the handful one 100 ms pass gives at 1 ms resolution.
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { portfolioMetrics, type MetricsRequest, type PortfolioMetrics } from '../../workers/src/metrics/index.js';
import { MetricsPool, defaultPoolSize } from '../../workers/src/pool/metrics-pool.js';
import { generate, requests } from './portfolios.js';

const RESOLUTION_MS = 1;
const TARGET_P99_MS = 10;
const CHUNK = 20;
const DOC = new URL('../../docs/benchmarks.md', import.meta.url);
const BEGIN = '<!-- bench:metrics-pool begin -->';
const END = '<!-- bench:metrics-pool end -->';

const { values: flags } = parseArgs({
  options: {
    portfolios: { type: 'string', default: '1000' },
    days: { type: 'string', default: '252' },
    rounds: { type: 'string', default: '5' },
    size: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
  },
});
const portfolios = Number(flags.portfolios);
const days = Number(flags.days);
const rounds = Number(flags.rounds);
const size = flags.size ? Number(flags.size) : defaultPoolSize();

interface Row {
  label: string;
  p50: number;
  p99: number;
  max: number;
  totalMs: number;
  perSecond: number;
}

/**
 * Runs `work` once per round with the event-loop delay monitor on, into one histogram; figures in
 * ms, time per round. `prepare` runs before each round with the monitor off (building inputs is the
 * benchmark's own work, not the system's), followed by a full GC when the run exposes it.
 */
async function measure<T>(
  label: string,
  tasks: number,
  prepare: () => T,
  work: (input: T) => Promise<void>,
): Promise<Row> {
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  let totalMs = 0;
  for (let round = 0; round < rounds; round++) {
    const input = prepare();
    collectGarbage?.();
    delay.enable();
    // The monitor samples from its first tick on: a block before that would go unseen.
    await sleep(20);
    const start = performance.now();
    await work(input);
    totalMs += performance.now() - start;
    // A few more ticks, so a block at the very end is sampled too.
    await sleep(RESOLUTION_MS * 5);
    delay.disable();
  }
  const perRound = totalMs / rounds;
  return {
    label,
    p50: delay.percentile(50) / 1e6,
    p99: delay.percentile(99) / 1e6,
    max: delay.max / 1e6,
    totalMs: perRound,
    perSecond: tasks > 0 ? (tasks / perRound) * 1000 : 0,
  };
}

const collectGarbage = (globalThis as { gc?: () => void }).gc;
const universe = generate(portfolios, days);
// The pool moves each request's buffers away, so every round gets fresh ones; the main thread only reads.
const fresh = () => requests(universe);
const shared = requests(universe);

const idle = await measure(
  'idle (no work, for reference)',
  0,
  () => null,
  () => sleep(200),
);

const pool = new MetricsPool({ size, maxQueue: portfolios });
await pool.ready();
// Warm both sides' JIT before measuring.
await Promise.all(requests(generate(50, days, 7)).map((r) => pool.portfolioMetrics(r)));
for (const r of requests(generate(50, days, 7))) portfolioMetrics(r);

const workers = `${size} worker${size === 1 ? '' : 's'}`;
let pooled: PortfolioMetrics[] = [];
let submitBlockMs = 0;
const onPool = await measure(
  `worker pool (${workers}), all submitted in one tick`,
  portfolios,
  fresh,
  async (batch) => {
    const start = performance.now();
    const pending = batch.map((r) => pool.portfolioMetrics(r));
    submitBlockMs += (performance.now() - start) / rounds;
    pooled = await Promise.all(pending);
  },
);
// As requests reach a server: a few per turn of the loop, not a thousand in one go.
const onPoolSpread = await measure(
  `worker pool (${workers}), ${CHUNK} submitted per macrotask`,
  portfolios,
  fresh,
  async (batch) => {
    const pending: Promise<PortfolioMetrics>[] = [];
    for (let i = 0; i < batch.length; i += CHUNK) {
      for (const r of batch.slice(i, i + CHUNK)) pending.push(pool.portfolioMetrics(r));
      await new Promise(setImmediate);
    }
    await Promise.all(pending);
  },
);
const poolStats = pool.stats();
await pool.close();

let inline: PortfolioMetrics[] = [];
const onMainPerTask = await measure(
  'main thread, one portfolio per macrotask',
  portfolios,
  () => shared,
  async (batch) => {
    inline = [];
    for (const r of batch) {
      inline.push(portfolioMetrics(r));
      await new Promise(setImmediate);
    }
  },
);
const onMainBatch = await measure(
  'main thread, one synchronous batch',
  portfolios,
  () => shared,
  async (batch) => {
    batch.forEach((r: MetricsRequest) => portfolioMetrics(r));
  },
);

const identical = JSON.stringify(pooled) === JSON.stringify(inline);
const rows = [idle, onPool, onPoolSpread, onMainPerTask, onMainBatch];

const fmt = (x: number, digits = 2) => x.toFixed(digits);
const table = [
  `| where the metrics run | loop delay p50 (ms) | p99 (ms) | max (ms) | ms per ${portfolios} | portfolios/s |`,
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.label} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.max)} | ${r.perSecond ? fmt(r.totalMs, 0) : '–'} | ${r.perSecond ? fmt(r.perSecond, 0) : '–'} |`,
  ),
].join('\n');

const verdict = (row: Row) => `${row.p99 < TARGET_P99_MS ? 'met' : 'NOT met'} (${fmt(row.p99)} ms)`;
const load = loadavg().map((x) => x.toFixed(2));
const summary = [
  `${portfolios} portfolios × ${days} daily values (flows, weekend gaps, a benchmark), risk-free 4 %; ` +
    `${rounds} rounds per row, delay percentiles over all of them.`,
  `Pool: ${size} worker(s), task time p50 ${fmt(poolStats.taskMs.p50, 3)} ms, p99 ${fmt(poolStats.taskMs.p99, 3)} ms ` +
    `(dispatch to result: compute plus messaging); completed ${poolStats.completed}, failed ${poolStats.failed}.`,
  `Pool results identical to the main thread's: ${identical ? 'yes' : 'NO'}.`,
  `Target: event-loop delay p99 under ${TARGET_P99_MS} ms while the pool computes: ` +
    `${verdict(onPoolSpread)} with submissions spread as requests arrive, ${verdict(onPool)} with all ` +
    `${portfolios} submitted in one tick (that tick alone blocks for about ${fmt(submitBlockMs, 1)} ms).`,
].join('\n');

console.log(`\n${table}\n\n${summary}\nload average during the run: ${load.join(' ')}\n`);

if (!flags['dry-run']) {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const section = `${BEGIN}
## Metrics on worker threads: event-loop delay

Measured ${new Date().toISOString().slice(0, 10)} on ${availableParallelism()} cores (${cpu}), Node ${process.versions.node}.
Command: \`npm run bench:metrics\` (loadtest/metrics-pool/run.ts). Load average when it finished:
${load.join(' ')} (other work may share the machine: compare with the idle row).

The main thread's event-loop delay (\`perf_hooks.monitorEventLoopDelay\`, resolution ${RESOLUTION_MS} ms, so an idle
loop reads about 1 ms: the timer period itself) while the same metrics are computed:

- on the pool, all ${portfolios} requests submitted in one synchronous loop (typed arrays transferred, not copied);
- on the pool, ${CHUNK} requests per turn of the loop, as requests reach a server;
- on the main thread, one portfolio per turn of the loop, as an API handler without the pool would;
- on the main thread, all in one synchronous loop.

${table}

${summary}
${END}`;
  let doc = '';
  try {
    doc = readFileSync(DOC, 'utf8');
  } catch {
    doc = '# Benchmarks\n\nEach section is written by the benchmark it names; rerun the command to refresh it.\n';
  }
  // Format this section only: the file's other sections belong to other benchmarks.
  const formatted = (await format(section, { ...(await resolveConfig(DOC)), parser: 'markdown' })).trimEnd();
  const begin = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  doc =
    begin >= 0 && end > begin
      ? doc.slice(0, begin) + formatted + doc.slice(end + END.length)
      : `${doc.trimEnd()}\n\n${formatted}\n`;
  writeFileSync(DOC, doc);
  console.log(`recorded in ${DOC.pathname}`);
}
