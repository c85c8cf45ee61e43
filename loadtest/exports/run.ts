// The export machinery's costs (`npm run bench:exports`), side by side in one run:
//   1. Rendering the heaviest export (a 100,000-row transactions CSV) on the main thread versus on
//      a report worker thread: render time, and the longest the event loop was blocked meanwhile
//      (what every socket on the gateway would wait). On the thread the main side still pays for
//      copying the rows into the message.
//   2. Queue throughput on the machine's Redis: jobs per second through JobWorkers with 1 and 4
//      loops, for jobs that take no time (queue overhead) and jobs that wait 5 ms (I/O-bound, as
//      an export's database reads are).
// Prints the figures and writes them to docs/benchmarks.md (`--no-write` to skip).
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { jobKeys } from '../../server/src/job-queue/job-keys.js';
import { JobQueue } from '../../server/src/job-queue/job-queue.js';
import { JobWorkers, type JobHandler } from '../../server/src/job-queue/job-workers.js';
import { createLogger } from '../../server/src/log.js';
import { render } from '../../workers/src/reports/render.js';
import { ReportThreads } from '../../workers/src/reports/report-threads.js';
import type { RenderRequest, TransactionLine } from '../../workers/src/reports/types.js';
import { load, machine, table, writeSection } from '../bench-section.js';

const { values: flags } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '5' },
    jobs: { type: 'string', default: '1000' },
    'no-write': { type: 'boolean', default: false },
  },
});
const ROWS = Number(flags.rows);
const ROUNDS = Number(flags.rounds);
const JOBS = Number(flags.jobs);

function ledger(rows: number): TransactionLine[] {
  const kinds = ['buy', 'sell', 'deposit', 'dividend', 'fee'];
  return Array.from({ length: rows }, (_, i) => ({
    id: rows - i,
    kind: kinds[i % kinds.length]!,
    time: Date.UTC(2020, 0, 1) + i * 3_600_000,
    symbol: i % 5 === 2 ? null : 'AAPL',
    quantity: i % 5 < 2 ? 10 + (i % 7) : null,
    price: i % 5 < 2 ? 190.123456 + i / 1000 : null,
    amount: 1234.56 + i,
  }));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Render time and the longest event-loop stall while `work` ran, median over rounds. */
async function measureRender(work: () => Promise<string> | string): Promise<{ ms: number; blockedMs: number }> {
  const times: number[] = [];
  const blocked: number[] = [];
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  for (let round = 0; round < ROUNDS; round++) {
    // A 1 ms ticker: the longest gap between two of its ticks is the longest stall of the loop.
    let last = performance.now();
    let longest = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
    }, 1);
    await sleep(20);
    longest = 0;
    last = performance.now();
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
    // One more tick, so a stall at the very end is counted.
    await sleep(5);
    clearInterval(ticker);
    blocked.push(longest);
  }
  return { ms: median(times), blockedMs: median(blocked) };
}

async function queueThroughput(redisUrl: string, workers: number, jobMs: number): Promise<number> {
  const commands = new Redis(redisUrl);
  const base = `bench:${randomUUID()}:jobs`;
  const queue = new JobQueue({ commands, keys: jobKeys(base), maxAttempts: 3, ttlSeconds: 300 });
  let done = 0;
  let finished: () => void = () => undefined;
  const allDone = new Promise<void>((resolve) => (finished = resolve));
  const handler: JobHandler = async () => {
    if (jobMs > 0) await new Promise((r) => setTimeout(r, jobMs));
    return { data: Buffer.from('x'), meta: {} };
  };
  const pool = new JobWorkers({
    queue,
    commands,
    connect: () => new Redis(redisUrl),
    handlers: { bench: handler },
    count: workers,
    log: createLogger('silent'),
    onChange: (job) => {
      if (job.status === 'done' && ++done === JOBS) finished();
    },
  });
  for (let i = 0; i < JOBS; i++) await queue.enqueue({ type: 'bench', owner: 1, priority: 'normal', payload: {} });
  const started = performance.now();
  await pool.start();
  await allDone;
  const perSecond = JOBS / ((performance.now() - started) / 1000);
  await pool.stop();
  const keys = await commands.keys(`${base}*`);
  for (let i = 0; i < keys.length; i += 1000) await commands.del(...keys.slice(i, i + 1000));
  commands.disconnect();
  return perSecond;
}

const request: RenderRequest = { kind: 'transactions-csv', transactions: ledger(ROWS) };
const threads = new ReportThreads(1);
await threads.render({ kind: 'positions-csv', positions: [] }); // start the thread outside the timing
const onMain = await measureRender(() => render(request));
const onThread = await measureRender(() => threads.render(request));
await threads.close();
const bytes = Buffer.byteLength(render(request));
console.log(`render ${ROWS} rows (${(bytes / 1e6).toFixed(1)} MB CSV), median of ${ROUNDS}:`);
console.log(`  main thread:   ${onMain.ms.toFixed(0)} ms, event loop blocked up to ${onMain.blockedMs.toFixed(0)} ms`);
console.log(
  `  report thread: ${onThread.ms.toFixed(0)} ms, event loop blocked up to ${onThread.blockedMs.toFixed(0)} ms`,
);

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const throughput: [string, number, number][] = [];
for (const jobMs of [0, 5]) {
  for (const workers of [1, 4]) {
    const rate = await queueThroughput(redisUrl, workers, jobMs);
    throughput.push([`${jobMs} ms jobs`, workers, rate]);
    console.log(`queue: ${JOBS} jobs of ${jobMs} ms, ${workers} worker loop(s): ${rate.toFixed(0)} jobs/s`);
  }
}

const body = `## Exports and the job queue

\`npm run bench:exports\` (loadtest/exports/run.ts) on ${machine()}, load average ${load()} at the end.

Rendering the heaviest export, a ${ROWS.toLocaleString('en-US')}-row transactions CSV (${(bytes / 1e6).toFixed(1)} MB), median of ${ROUNDS}; "blocked" is the longest event-loop stall while it ran (what every socket on the gateway waits):

${table(
  ['where', 'render ms', 'event loop blocked ms'],
  [
    ['main thread', onMain.ms.toFixed(0), onMain.blockedMs.toFixed(0)],
    ['report worker thread', onThread.ms.toFixed(0), onThread.blockedMs.toFixed(0)],
    ['ratio main / thread', '', (onMain.blockedMs / Math.max(1, onThread.blockedMs)).toFixed(1) + 'x'],
  ],
)}

On the thread the main side still copies the rows into the message (structured clone); that copy is
the remaining stall. Real exports are far smaller (a ledger of a few thousand rows).

Queue throughput on the machine's Redis, ${JOBS} jobs queued before the workers start, from start to the last done:

${table(
  ['jobs', 'worker loops', 'jobs/s'],
  throughput.map(([kind, workers, rate]) => [kind, workers, rate.toFixed(0)]),
)}
`;
if (!flags['no-write']) console.log(`recorded in ${writeSection('exports', body)}`);
process.exit(0);
