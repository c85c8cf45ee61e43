// Turns a run into one table: printed, and written as this run's section of docs/benchmarks.md
// (through loadtest/bench-section.ts, replacing what an earlier run with the same label wrote).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { machine, writeSection } from '../bench-section.js';
import type { FloorResult } from './floor.js';
import type { LatencyHistogram } from './histogram.js';
import type { IdleMemory } from './measure.js';
import type { Options } from './options.js';
import { QUIET } from './proc-stats.js';
import type { ProductResult } from './product.js';
import { PROJECT_ROOT } from './server-process.js';

export interface Report {
  options: Options;
  started: Date;
  /** Symbols the load portfolios hold (what the producer ticks). */
  symbols: number;
  /** Share of the machine others kept busy just before the run. */
  busyBefore: number;
  product: ProductResult;
  floor: FloorResult;
}

export const TARGETS = { p99Ms: 25, cpuRatio: 1.25, idleBytes: 3 * 1024 };

type Row = [figure: string, product: string, floor: string, ratio: string, target: string];

const n0 = (v: number) => (Number.isNaN(v) ? '—' : Math.round(v).toLocaleString('en-US'));
const n1 = (v: number) => v.toFixed(1);
const ms = (v: number) => (Number.isNaN(v) ? '—' : v < 10 ? v.toFixed(1) : v.toFixed(0));
const mb = (bytes: number) => n0(bytes / 2 ** 20);
const kb = (bytes: number) => (bytes / 1024).toFixed(2);
const pct = (share: number) => `${Math.round(share * 100)} %`;
const waves = (m: IdleMemory) => m.waves.map(kb).join(' / ');
const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');

function latencyRow(figure: string, h: LatencyHistogram): Row {
  const p99 = h.percentile(99);
  const spread = [50, 99, 99.9].map((q) => ms(h.percentile(q)));
  return [
    `${figure}: p50 / p99 / p99.9 / max`,
    h.total ? `${spread.join(' / ')} / ${ms(h.max)}` : '—',
    '—',
    '',
    h.total ? `p99 < ${TARGETS.p99Ms} ms: ${verdict(p99 < TARGETS.p99Ms)}` : '',
  ];
}

function rows(r: Report): Row[] {
  const p = r.product.window;
  const f = r.floor.window;
  const cpu = (w: typeof p) => w.serverCpu.user + w.serverCpu.system;
  const cpuRatio = p.cpuPerDeliveredUs / f.cpuPerDeliveredUs;
  const idleRatio = r.product.idle.bytesPerConnection / r.floor.idle.bytesPerConnection;
  const helpers = (w: typeof p) =>
    Object.entries(w.helpersCpu)
      .map(([name, s]) => `${name} ${pct(s / w.seconds)}`)
      .join(', ');
  return [
    latencyRow(`tick → client latency, ${r.options.probes} probe sockets in their own process (ms)`, p.probeLatency),
    latencyRow(`tick → client latency, all ${n0(r.options.clients)} load sockets (ms)`, p.latency),
    [
      '↳ where it goes: Redis XADD round trip p99 / max; server event-loop delay p99 / max (ms)',
      `${ms(r.product.producer.xaddRoundTrip.percentile(99))} / ${ms(r.product.producer.xaddRoundTrip.max)}; ` +
        `${ms(r.product.view.loopDelayP99Ms)} / ${ms(r.product.view.loopDelayMaxMs)}`,
      '—',
      '',
      '',
    ],
    [
      '↳ server flushes per second; tick reader behind the stream at the end (ms)',
      `${n0(r.product.view.flushesPerSecond)}; ${ms(r.product.view.streamLagMs)}`,
      '—',
      '',
      '',
    ],
    ['ticks XADDed per second', n0(r.product.producer.sent / r.product.producer.seconds), '—', '', ''],
    [
      'deltas published per second (one per portfolio per flush)',
      n0(p.captured / p.seconds),
      n0(r.floor.replayed / f.seconds) + ' (replayed)',
      '',
      '',
    ],
    ['deltas delivered per second', n0(p.delivered / p.seconds), n0(f.delivered / f.seconds), '', ''],
    [
      'seq gaps / catch-up snapshots / error frames / unexpected closes',
      `${p.gaps} / ${p.resyncs} / ${p.errors} / ${p.unexpectedCloses}`,
      `${f.gaps} / — / ${f.errors} / ${f.unexpectedCloses}`,
      '',
      'all 0',
    ],
    [
      'server CPU, % of one core (user + system)',
      `${pct(cpu(p) / p.seconds)} (${pct(p.serverCpu.user / p.seconds)} + ${pct(p.serverCpu.system / p.seconds)})`,
      `${pct(cpu(f) / f.seconds)} (${pct(f.serverCpu.user / f.seconds)} + ${pct(f.serverCpu.system / f.seconds)})`,
      '',
      '',
    ],
    [
      'server CPU per delivered delta (µs)',
      n1(p.cpuPerDeliveredUs),
      n1(f.cpuPerDeliveredUs),
      `${cpuRatio.toFixed(2)}x`,
      `≤ ${TARGETS.cpuRatio}x: ${verdict(cpuRatio <= TARGETS.cpuRatio)}`,
    ],
    [
      'server RSS: start / with load sockets / peak under load (MB)',
      `${mb(r.product.rssStart)} / ${mb(r.product.rssLoaded)} / ${mb(p.rssPeak)}`,
      `${mb(r.floor.rssStart)} / ${mb(r.floor.rssLoaded)} / ${mb(f.rssPeak)}`,
      '',
      '',
    ],
    [
      `memory per idle connection, KB (median of waves 2+ of ${n0(r.product.idle.socketsPerWave)} sockets)`,
      kb(r.product.idle.bytesPerConnection),
      kb(r.floor.idle.bytesPerConnection),
      `${idleRatio.toFixed(2)}x`,
      `< ${TARGETS.idleBytes / 1024} KB: ${verdict(r.product.idle.bytesPerConnection < TARGETS.idleBytes)}`,
    ],
    [
      '↳ RSS growth per connection of each wave, KB (first = warm-up)',
      waves(r.product.idle),
      waves(r.floor.idle),
      '',
      '',
    ],
    [
      '↳ of which JS heap in use, KB',
      kb(r.product.idle.heapBytesPerConnection),
      kb(r.floor.idle.heapBytesPerConnection),
      '',
      '',
    ],
    ['other processes of the run, % of one core', helpers(p), helpers(f), '', ''],
    [
      'whole machine busy in the window (all cores); of it, work not of this run',
      `${pct(p.machineBusy)}; ${pct(p.othersBusy)} (window ${p.attempt} of up to ${r.options.attempts})`,
      `${pct(f.machineBusy)}; ${pct(f.othersBusy)} (window ${f.attempt})`,
      '',
      `others ≤ ${pct(QUIET)}`,
    ],
  ];
}

function describeRun(r: Report): string[] {
  const o = r.options;
  const perPortfolio = o.clients / o.portfolios;
  return [
    `${n0(o.clients)} load sockets over ${n0(o.portfolios)} portfolios (${n1(perPortfolio)} per portfolio, ` +
      `${o.positions} positions each, ${r.symbols} distinct symbols), ${n0(o.rate)} ticks/s, ` +
      `${o.warmupSeconds} s warm-up then ${o.seconds} s measured; ${o.idleWaves} waves of ${n0(o.idle)} idle sockets for memory.`,
    `Server: ${r.product.server}${
      Object.keys(o.serverEnv).length
        ? ` with ${Object.entries(o.serverEnv)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`
        : ''
    }; ` +
      `${gitState()}. Clients: ${o.clientProcs} fleet process${o.clientProcs > 1 ? 'es' : ''} of \`ws\` sockets${o.probes ? ' and a probe process' : ''}.`,
    `Machine: ${machine()}, Linux ${release()}; ${pct(r.busyBefore)} busy with other work just before the run.`,
  ];
}

export function printReport(r: Report): void {
  const all: Row[] = [['figure', 'product', 'bare uWS floor', 'product / floor', 'target'], ...rows(r)];
  const widths = all[0]!.map((_, c) => Math.max(...all.map((row) => row[c]!.length)));
  console.log(`\nfan-out benchmark: ${r.options.label}`);
  for (const line of describeRun(r)) console.log(line);
  console.log('');
  for (const row of all) console.log(row.map((cell, c) => cell.replaceAll('**', '').padEnd(widths[c]!)).join('  '));
  console.log('');
}

const DISTURBED = 'Measured while other work kept the machine busy';

/** Whether other programs took more than QUIET of the machine during either window. */
export function disturbed(r: Report): boolean {
  return Math.max(r.product.window.othersBusy, r.floor.window.othersBusy) > QUIET;
}

/**
 * Replaces (or appends) this label's section of docs/benchmarks.md and returns the file's path,
 * or undefined when the run was disturbed by other work and the section holds an undisturbed run:
 * a busy machine never replaces a clean figure.
 */
export function writeReport(r: Report): string | undefined {
  const name = `fanout-${r.options.label}`;
  if (disturbed(r) && hasCleanSection(name)) return undefined;
  const command = `npm run bench:fanout -- ${commandLine(r.options)}`.replace(/ -- $/, '');
  const body = [
    `## Fan-out, ${r.options.label}: ${r.started.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    ...(disturbed(r)
      ? [`**${DISTURBED} (last row): these figures are not comparable with others; rerun on a quiet machine.**`, '']
      : []),
    `Command: \`${command}\` (loadtest/fanout/run.ts; how it measures: loadtest/fanout/README.md).`,
    '',
    ...describeRun(r).map((l) => `- ${l}`),
    '',
    '| figure | product | bare uWS floor | product / floor | target |',
    '| --- | --- | --- | --- | --- |',
    ...rows(r).map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
  return writeSection(name, body);
}

function hasCleanSection(name: string): boolean {
  const path = join(PROJECT_ROOT, 'docs/benchmarks.md');
  if (!existsSync(path)) return false;
  const doc = readFileSync(path, 'utf8');
  const from = doc.indexOf(`<!-- bench:${name} begin -->`);
  const to = doc.indexOf(`<!-- bench:${name} end -->`);
  return from >= 0 && to > from && !doc.slice(from, to).includes(DISTURBED);
}

function commandLine(o: Options): string {
  // Flags that change how the run is conducted, not what it measures, are left out.
  const args = process.argv
    .slice(2)
    .join(' ')
    .replace(/--no-write|--(quiet-wait|attempts)[= ]\d+/g, '')
    .split(' ')
    .filter(Boolean);
  return args.length ? args.join(' ') : o.preset === 'moderate' ? '' : `--preset ${o.preset}`;
}

function gitState(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim();
    const dirty = git('status', '--porcelain', '--', 'server', 'workers', 'sql').length > 0;
    return `git ${git('rev-parse', '--short', 'HEAD')}${dirty ? ' with uncommitted changes in server/, workers/ or sql/' : ''}`;
  } catch {
    return 'git state unknown';
  }
}
