// HTTP API benchmark (docs/benchmarks.md, section http-mix): the seed's mix (login once per trader,
// then view portfolio ×3, portfolio metrics ×2, update allocations ×1) under autocannon against the
// real server (embedded default on prepared load users), at a fixed 1,000 requests/s (as autocannon
// holds a rate: every connection's share of a second sent at its start, and with the connections'
// bursts spread over the second, MixOptions.phases) and at the most it answers, with the API cache
// on and, in the same run, off (API_CACHE=false) as the
// baseline; and the cache hit rate read from the server's /metrics over each measured window.
//
//   flock /tmp/bench.lock npm run bench:http [-- --seconds 15 --rate 1000 --portfolios 200 --no-write]
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { killAllChildren } from '../fanout/children.js';
import { LOAD_PASSWORD, prepareLoadData, type LoadData } from '../fanout/prepare.js';
import { serverEntry, startServer } from '../fanout/server-process.js';
import { load, machine, percentile, table, writeSection } from '../bench-section.js';
import { cacheCounters, countsBetween, hitRate, total, type CacheCountsByName } from './cache-counters.js';
import { ENDPOINTS, runMix, type MixOptions, type MixResult, type Trader } from './mix.js';

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '5' },
    rate: { type: 'string', default: '1000' },
    connections: { type: 'string', default: '50' },
    portfolios: { type: 'string', default: '200' },
    'per-user': { type: 'string', default: '4' },
    positions: { type: 'string', default: '10' },
    seed: { type: 'string', default: '7' },
    'no-write': { type: 'boolean', default: false },
  },
});
const seconds = Number(flags.seconds);
const rate = Number(flags.rate);
const connections = Number(flags.connections);
/** The two ways of holding `rate` (MixOptions.phases), as the report names them. */
const fixed = `${rate} req/s`;
const spread = `${rate} req/s, traders spread over the second`;

interface Measured {
  mode: string;
  load: string;
  result: MixResult;
  cache: CacheCountsByName;
}

const workDir = mkdtempSync(join(tmpdir(), 'tickdash-http-mix-'));
process.on('exit', () => {
  killAllChildren();
  rmSync(workDir, { recursive: true, force: true });
});
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const loadBefore = load();
const entry = serverEntry('build');
const measured: Measured[] = [];
const logins: number[] = [];

/** One server per mode, each on freshly prepared data and its own Redis prefix. */
async function mode(name: string, env: Record<string, string>, runs: { load: string; mix: Partial<MixOptions> }[]) {
  const dataDir = join(workDir, name.replace(/\W+/g, '-'));
  const data = await prepareLoadData({
    dataDir,
    portfolios: Number(flags.portfolios),
    portfoliosPerUser: Number(flags['per-user']),
    positionsPerPortfolio: Number(flags.positions),
    seed: Number(flags.seed),
  });
  const prefix = `bench:http-mix:${randomUUID()}:`;
  const server = await startServer(entry.args, {
    DATA_DIR: dataDir,
    PORT: '0',
    REDIS_KEY_PREFIX: prefix,
    SEED_DEMO: 'false',
    ...env,
  });
  try {
    const traders = await signIn(server.url, data);
    const mix = (over: Partial<MixOptions>): MixOptions => ({
      url: server.url,
      traders,
      connections,
      seconds,
      rate,
      updates: 'same',
      seed: Number(flags.seed),
      ...over,
    });
    console.error(`${name}: reading every portfolio's view and metrics once`);
    await readEveryPortfolio(server.url, traders);
    console.error(`${name}: warming up for ${flags.warmup} s at ${rate} requests/s`);
    await runMix(mix({ seconds: Number(flags.warmup) }));
    for (const run of runs) {
      console.error(`${name}: ${run.load} for ${seconds} s`);
      const before = await cacheCounters(server.url);
      const result = await runMix(mix(run.mix));
      const after = await cacheCounters(server.url);
      measured.push({ mode: name, load: run.load, result, cache: countsBetween(before, after) });
    }
  } finally {
    await server.stop();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
  }
}

/**
 * Steady state before measuring: every portfolio's view and metrics read once (4 at a time), as
 * traders who have the dashboard open have done; otherwise a 15 s window mostly measures first reads.
 */
async function readEveryPortfolio(url: string, traders: Trader[]): Promise<void> {
  const reads = traders.flatMap((t) =>
    t.portfolios
      .flatMap((p) => [`/api/v1/portfolios/${p.id}`, `/api/v1/calculations/portfolio-metrics?portfolio=${p.id}`])
      .map((path) => ({ path, token: t.token })),
  );
  for (let i = 0; i < reads.length; i += 4) {
    await Promise.all(
      reads.slice(i, i + 4).map(async ({ path, token }) => {
        const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
        if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
        await res.arrayBuffer();
      }),
    );
  }
}

/** Logs every load user in (4 at a time), timing each login; their portfolios come from the data. */
async function signIn(url: string, data: LoadData): Promise<Trader[]> {
  const owners = [...new Set(data.portfolios.map((p) => p.owner))];
  const traders: Trader[] = [];
  for (let i = 0; i < owners.length; i += 4) {
    await Promise.all(
      owners.slice(i, i + 4).map(async (owner) => {
        const started = performance.now();
        const res = await fetch(`${url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: owner, password: LOAD_PASSWORD }),
        });
        if (res.status !== 200) throw new Error(`login of ${owner} failed: ${res.status}`);
        logins.push(performance.now() - started);
        const { token } = (await res.json()) as { token: string };
        const portfolios = data.portfolios.filter((p) => p.owner === owner);
        traders.push({ token, portfolios: portfolios.map((p) => ({ id: p.id, symbols: p.symbols })) });
      }),
    );
  }
  return traders;
}

try {
  await mode('cache', { API_CACHE: 'true' }, [
    { load: fixed, mix: {} },
    { load: spread, mix: { phases: connections } },
    { load: 'max', mix: { rate: undefined } },
  ]);
  await mode('baseline (API_CACHE=false)', { API_CACHE: 'false' }, [
    { load: fixed, mix: {} },
    { load: 'max', mix: { rate: undefined } },
  ]);
  await mode('cache, every update changes targets', { API_CACHE: 'true' }, [
    { load: fixed, mix: { updates: 'changing' } },
    { load: spread, mix: { updates: 'changing', phases: connections } },
  ]);
  report();
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  redis.disconnect();
}
process.exit();

function report(): void {
  const fmt = (ms: number) => (Number.isFinite(ms) ? ms.toFixed(2) : '–');
  const rows: (string | number)[][] = [];
  const overall = new Map<string, { p50: number; p99: number; rps: number }>();
  for (const m of measured) {
    const all = ENDPOINTS.flatMap((e) => m.result.latencyMs[e]).sort((a, b) => a - b);
    const line = (what: string, samples: number[]) => [
      m.mode,
      m.load,
      what,
      samples.length,
      Math.round(samples.length / m.result.seconds),
      fmt(percentile(samples, 50)),
      fmt(percentile(samples, 99)),
    ];
    for (const e of ENDPOINTS)
      rows.push(
        line(
          e,
          m.result.latencyMs[e].sort((a, b) => a - b),
        ),
      );
    rows.push(line('**all**', all));
    overall.set(`${m.mode}|${m.load}`, {
      p50: percentile(all, 50),
      p99: percentile(all, 99),
      rps: all.length / m.result.seconds,
    });
  }
  const latencyTable = table(['mode', 'load', 'endpoint', 'requests', 'req/s', 'p50 ms', 'p99 ms'], rows);
  const pct = (rate: number) => (Number.isFinite(rate) ? `${(rate * 100).toFixed(1)} %` : 'off');
  const cacheTable = table(
    [
      'mode',
      'load',
      'hit rate (all)',
      'portfolio',
      'portfolio-metrics',
      'history',
      'L1 hits',
      'Redis hits',
      'misses',
      'non-2xx',
      'errors + timeouts',
    ],
    measured.map((m) => {
      const all = total(m.cache);
      return [
        m.mode,
        m.load,
        pct(hitRate(all)),
        pct(hitRate(m.cache.portfolio)),
        pct(hitRate(m.cache['portfolio-metrics'])),
        pct(hitRate(m.cache.history)),
        all.l1,
        all.redis,
        all.misses,
        m.result.non2xx,
        m.result.errors + m.result.timeouts,
      ];
    }),
  );
  const ratio = (load: string) => {
    const on = overall.get(`cache|${load}`);
    const off = overall.get(`baseline (API_CACHE=false)|${load}`);
    if (!on || !off) return [load, '–', '–', '–'];
    return [
      load,
      `${(off.p50 / on.p50).toFixed(1)}x`,
      `${(off.p99 / on.p99).toFixed(1)}x`,
      `${(on.rps / off.rps).toFixed(2)}x`,
    ];
  };
  const ratios = table(
    ['load', 'p50 baseline / cache', 'p99 baseline / cache', 'throughput cache / baseline'],
    [ratio(fixed), ratio('max')],
  );
  const verdict = () => {
    const p99 = (load: string) => overall.get(`cache|${load}`)?.p99 ?? Number.NaN;
    const hit = hitRate(
      total(measured.find((m) => m.mode === 'cache' && m.load === spread)?.cache ?? ({} as CacheCountsByName)),
    );
    const met = (ok: boolean) => (ok ? 'met' : '**missed**');
    return (
      `p99 at ${rate} req/s with the cache: ${fmt(p99(spread))} ms with traders spread over the second ` +
      `(${met(p99(spread) < 10)}), ${fmt(p99(fixed))} ms when every connection bursts at once; ` +
      `hit rate ${pct(hit)} (${met(hit > 0.95)}).`
    );
  };
  logins.sort((a, b) => a - b);
  const body = `
## HTTP API: the seed's mix under autocannon, cache on versus off

Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}; load average ${loadBefore} before the run, ${load()} after.
Command: \`flock /tmp/bench.lock npm run bench:http\` (loadtest/http-mix/run.ts; ${entry.what}).

The real server, embedded default (PGlite + TimescaleDB, the market simulator at 300 ticks/s and the persister on),
on ${flags.portfolios} prepared portfolios of ${flags.positions} positions, ${flags['per-user']} per trader
(loadtest/fanout/prepare.ts). autocannon ${connections} connections, each one signed-in trader cycling through
view portfolio ×3 (GET /portfolios/:id), portfolio metrics ×2 (GET /calculations/portfolio-metrics, 1Y) and update
allocations ×1 (PUT /allocations), each on a random portfolio of theirs. Before measuring, every portfolio's view and
metrics are read once (the steady state of traders with the dashboard open), then ${flags.warmup} s of warm-up at ${rate} req/s,
then ${seconds} s measured at ${rate} req/s and ${seconds} s as fast as the server answers.
autocannon holds a rate by letting each connection send its share of every second at the start of
that second, all connections at once: "${rate} req/s" is then a burst of ${connections} concurrent requests until the
second's quota is spent. "${spread}" runs the same connections as
${connections} autocannon instances started 1/${connections} s apart, so their bursts are spread over the second as
independent traders' requests are (in the cache modes). Latency from autocannon's
own per-response timing, percentiles over every response. The load generator shares the machine with the server.
Like the seed, an update re-saves the same equal-weight targets (a write that changes nothing invalidates nothing);
the last mode tilts them by 1 % on every update, so that each update is a real change invalidating that portfolio.
Each mode starts its own server on freshly prepared data and its own Redis prefix.

${latencyTable}

Cache hit rate, hits / (hits + misses) from tickdash_cache_hits_total and tickdash_cache_misses_total over the measured
window: over every cache, then per cache (\`portfolio\` is read by every request on a portfolio, for the owner check too;
\`history\` only when metrics miss). "off": nothing was read from that cache.

${cacheTable}

${ratios}

Login, once per trader before the load (scrypt by design, 4 at a time): p50 ${fmt(percentile(logins, 50))} ms,
p99 ${fmt(percentile(logins, 99))} ms over ${logins.length} logins.

Targets: p99 under 10 ms at 1,000 req/s; hit rate above 95 %.
${verdict()}
`;
  console.log(body);
  if (!flags['no-write']) console.error(`wrote ${writeSection('http-mix', body)}`);
}
