// Reads artillery's JSON report (`--output`): its aggregate holds every counter summed and every
// histogram summarised (min, max, p50 … p99) over all virtual users. Turns it into the summary
// printed and written to docs/benchmarks.md, and into the list of reasons the run failed.
import { readFileSync } from 'node:fs';
import { machine, load, table } from '../bench-section.js';
import { UNIVERSE } from '../../server/src/market/universe.js';
import type { CpuTime } from '../fanout/proc-stats.js';
import { HTTP, WS } from './metric-names.js';
import type { Options } from './options.js';

interface Summary {
  min: number;
  max: number;
  count: number;
  p50: number;
  p95: number;
  p99: number;
}

interface Aggregate {
  counters: Record<string, number>;
  summaries: Record<string, Summary>;
  firstCounterAt?: number;
  lastCounterAt?: number;
}

export interface ServerFigures {
  cpu: CpuTime;
  peakRss: number;
}

export interface Report {
  text: string;
  markdown: string;
  failures: string[];
}

const ENDPOINT = 'plugins.metrics-by-endpoint.';
/** In the order a trader meets them (http.yml's request names). */
const ENDPOINTS = ['log in', 'list portfolios', 'view portfolio', 'portfolio metrics', 'update allocations'];

export function readReport(o: Options, path: string, seconds: number, server: ServerFigures | undefined): Report {
  const { aggregate } = JSON.parse(readFileSync(path, 'utf8')) as { aggregate: Aggregate };
  const count = (name: string) => aggregate.counters[name] ?? 0;
  const failures: string[] = [];

  // Whatever the scenario: traders that failed and errors artillery saw (refused, timed out, …).
  const created = count('vusers.created');
  if (created === 0) failures.push('no virtual user ran');
  if (count('vusers.failed')) failures.push(`${count('vusers.failed')} of ${created} traders failed`);
  for (const [name, n] of Object.entries(aggregate.counters)) {
    if (name.startsWith('errors.')) failures.push(`${n} × ${name.slice('errors.'.length)}`);
  }

  const body = o.scenario === 'ws' ? wsFigures(aggregate, count, failures) : httpFigures(aggregate, count, failures);
  const lines = [
    o.scenario === 'ws'
      ? '## Artillery: traders holding the socket (`npm run load:ws`)'
      : "## Artillery: the seed's HTTP mix (`npm run load:http`)",
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine()}; load average at the end ${load()}.`,
    `Command: \`${command(o)}\` (loadtest/artillery/run.ts; what is counted and how: loadtest/artillery/README.md).`,
    `Load: ${loadLine(o)}; ${seconds.toFixed(0)} s from artillery's start to its last trader.`,
    '',
    body,
  ];
  if (server) {
    lines.push(
      '',
      `Server over the run: ${(server.cpu.user + server.cpu.system).toFixed(1)} CPU s ` +
        `(${server.cpu.user.toFixed(1)} user, ${server.cpu.system.toFixed(1)} system), ` +
        `peak RSS ${(server.peakRss / 2 ** 20).toFixed(0)} MB.`,
    );
  }
  lines.push('', failures.length ? `**Failed:** ${failures.join('; ')}.` : 'Verdict: no gaps, no errors.');
  const markdown = lines.join('\n');
  return { text: markdown, markdown, failures };
}

function wsFigures(a: Aggregate, count: (name: string) => number, failures: string[]): string {
  const created = count('vusers.created');
  const deltas = count(WS.deltas);
  const spanS = ((a.lastCounterAt ?? 0) - (a.firstCounterAt ?? 0)) / 1000;
  const latency = a.summaries[WS.tickToClientMs];
  const loginMs = a.summaries[WS.loginMs];
  const check = (name: string, what: string) => {
    if (count(name)) failures.push(`${count(name)} ${what}`);
    return count(name);
  };
  const rows: (string | number)[][] = [
    ['sockets opened / traders', `${count(WS.connected)} / ${created}`],
    ['portfolios followed (first snapshots)', count(WS.snapshots)],
    ['deltas received', deltas],
    ['deltas per second (all sockets)', spanS > 0 ? Math.round(deltas / spanS) : '–'],
    ['seq gaps', check(WS.gaps, 'seq gaps')],
    ['error frames', check(WS.errorFrames, 'error frames')],
    ['unreadable frames', check(WS.unreadableFrames, 'unreadable frames')],
    ['portfolios without a snapshot', check(WS.withoutSnapshot, 'followed portfolios without a snapshot')],
    ['sockets closed early', check(WS.closedEarly, 'sockets closed before the trader was done')],
    ['socket errors', check(WS.socketErrors, 'socket errors')],
    ['resyncs (later snapshots)', count(WS.resyncs)],
    ['tick → client ms p50 / p95 / p99 / max', latency ? quantiles(latency) : '–'],
    [
      'login + portfolio list ms p50 / p99 / max',
      loginMs ? `${ms(loginMs.p50)} / ${ms(loginMs.p99)} / ${ms(loginMs.max)}` : '–',
    ],
  ];
  if (count(WS.connected) < created) failures.push(`${created - count(WS.connected)} traders never got a socket`);
  if (created > 0 && deltas === 0) failures.push('no deltas arrived (is the simulator running?)');
  for (const [name, n] of Object.entries(a.counters)) {
    if (name.startsWith(`${WS.errorFrames}.`)) rows.push([`… ${name.slice(WS.errorFrames.length + 1)}`, n]);
  }
  return table(['what', 'figure'], rows);
}

function httpFigures(a: Aggregate, count: (name: string) => number, failures: string[]): string {
  const codesOf = (prefix: string) =>
    Object.entries(a.counters)
      .filter(([name]) => name.startsWith(prefix) && /^\d{3}$/.test(name.slice(prefix.length)))
      .map(([name, n]) => [name.slice(prefix.length), n] as const)
      .sort();
  const rows = ENDPOINTS.map((name) => {
    const summary = a.summaries[`${ENDPOINT}response_time.${name}`];
    const codes = codesOf(`${ENDPOINT}${name}.codes.`);
    const requests = codes.reduce((sum, [, n]) => sum + n, 0);
    return [name, requests, codes.map(([c, n]) => `${c}: ${n}`).join(', ') || '–', summary ? quantiles(summary) : '–'];
  });
  const all = a.summaries['http.response_time'];
  const codes = codesOf('http.codes.');
  rows.push([
    '**all**',
    count('http.requests'),
    codes.map(([c, n]) => `${c}: ${n}`).join(', ') || '–',
    all ? quantiles(all) : '–',
  ]);
  for (const [code, n] of codes) if (!code.startsWith('2')) failures.push(`${n} answers with HTTP ${code}`);
  if (count('http.requests') === 0) failures.push('no requests were made');
  if (count(HTTP.noHoldings)) failures.push(`${count(HTTP.noHoldings)} allocation updates without holdings`);
  return table(['request', 'count', 'HTTP codes', 'ms p50 / p95 / p99 / max'], rows);
}

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const quantiles = (s: Summary) => `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.p99)} / ${ms(s.max)}`;

function command(o: Options): string {
  const flags = process.argv.slice(3).filter((a) => a !== '--write' && a !== '--verbose');
  return [`npm run load:${o.scenario}`, ...(flags.length ? ['--', ...flags] : [])].join(' ');
}

function loadLine(o: Options): string {
  const where = o.target
    ? `against ${o.target} as ${o.user} (its own simulator rate)`
    : `a fresh embedded database, ${o.traders} load traders with ${o.portfoliosPerTrader} portfolios of ${o.positions} positions each, ` +
      `the server's market simulator at ${o.rate} ticks/s over the ${UNIVERSE.length}-symbol universe`;
  return o.scenario === 'ws'
    ? `${where}; ${o.traders} traders arrive over ${o.ramp} s and each holds the socket ${o.hold} s`
    : `${where}; ${o.arrivalRate} traders arrive per second for ${o.duration} s, each logs in and takes ${o.requests} actions (view 3 : metrics 2 : allocations 1) 1 to 3 s apart`;
}
