// Turns a run into one table: printed, and written as this run's section of docs/benchmarks.md
// (through loadtest/bench-section.ts, replacing what an earlier run with the same label wrote).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { machine, writeSection } from '../bench-section.js';
import type { FloorResult } from './floor.js';
import type { LatencyHistogram } from './histogram.js';
import { highestHeld, LADDER_P99_LIMIT_MS, loadHeldRatio, ratioMeets, type LadderStep } from './ladder.js';
import type { IdleMemory } from './measure.js';
import type { Options } from './options.js';
import type { PeerResult } from './peer.js';
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
  /** The Socket.IO peer (--peer socketio). */
  peer?: PeerResult;
  /** Every product/floor pair of a run with --repeat; `product` and `floor` are the median one. */
  pairs?: Pair[];
  /** Why pairs of a repeated run failed before measuring and were run again. */
  failedPairs?: string[];
}

export interface Pair {
  product: ProductResult;
  floor: FloorResult;
}

const pairRatio = (p: Pair) => p.product.window.cpuPerDeliveredUs / p.floor.window.cpuPerDeliveredUs;

/**
 * The pair whose CPU ratio is the median (of an even count, the higher of the middle two), with
 * the first pair's memory per idle connection: only the first measures it.
 */
export function medianPair(pairs: Pair[]): Pair {
  const sorted = [...pairs].sort((a, b) => pairRatio(a) - pairRatio(b));
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const first = pairs[0]!;
  if (median === first) return median;
  return {
    product: { ...median.product, idle: first.product.idle },
    floor: { ...median.floor, idle: first.floor.idle },
  };
}

/** One line per pair of a repeated run, in the order they ran. */
function pairRows(r: Report): string[][] {
  return (r.pairs ?? []).map((pair, i) => {
    const p = pair.product.window;
    const f = pair.floor.window;
    return [
      String(i + 1),
      `${ms(p.probeLatency.percentile(99))} / ${ms(p.latency.percentile(99))}`,
      n1(p.cpuPerDeliveredUs),
      n1(f.cpuPerDeliveredUs),
      `${pairRatio(pair).toFixed(2)}x`,
      `${pct(p.machineBusy)}; ${pct(f.machineBusy)}`,
      `${pct(p.othersBusy)}; ${pct(f.othersBusy)}`,
    ];
  });
}

const PAIR_HEADER = [
  'pair',
  'p99 probes / all (ms)',
  'product µs per delivered delta',
  'floor µs',
  'product / floor',
  'machine busy (product; floor)',
  'of it other work',
];

function pairSummary(r: Report): string | undefined {
  if (!r.pairs) return undefined;
  const ratios = r.pairs.map(pairRatio).sort((a, b) => a - b);
  const p99 = r.pairs.map((p) => p.product.window.probeLatency.percentile(99)).sort((a, b) => a - b);
  const mid = <T>(xs: T[]) => xs[Math.floor(xs.length / 2)]!;
  return (
    `${r.pairs.length} product/floor pairs, one after the other on the same data; the table above is the pair with ` +
    `the median CPU ratio. CPU per delivered delta, product / floor: median ${mid(ratios).toFixed(2)}x ` +
    `(range ${ratios[0]!.toFixed(2)}x to ${ratios[ratios.length - 1]!.toFixed(2)}x; target ≤ ${TARGETS.cpuRatio}x: ` +
    `${verdict(mid(ratios) <= TARGETS.cpuRatio)}); probe p99 median ${ms(mid(p99))} ms ` +
    `(target < ${TARGETS.p99Ms} ms: ${verdict(mid(p99) < TARGETS.p99Ms)}).` +
    (r.failedPairs?.length
      ? ` Run again after failing before their window: ${r.failedPairs.length} (${r.failedPairs.join('; ')}).`
      : '')
  );
}

export const TARGETS = { p99Ms: 25, cpuRatio: 1.25, idleBytes: 3 * 1024, peerCpuRatio: 2, peerLoadRatio: 2 };

/** One figure for every side; `peer` and `vsPeer` are shown only when the run had a peer. */
interface Row {
  figure: string;
  product: string;
  peer?: string;
  floor: string;
  vsPeer?: string;
  ratio: string;
  target: string;
}

const row = (
  figure: string,
  product: string,
  floor: string,
  ratio = '',
  target = '',
  peer: { peer?: string; vsPeer?: string } = {},
): Row => ({ figure, product, floor, ratio, target, ...peer });

function cells(r: Row, withPeer: boolean): string[] {
  return withPeer
    ? [r.figure, r.product, r.peer ?? '—', r.floor, r.vsPeer ?? '', r.ratio, r.target]
    : [r.figure, r.product, r.floor, r.ratio, r.target];
}

function header(withPeer: boolean): string[] {
  return withPeer
    ? ['figure', 'product', 'Socket.IO peer', 'bare uWS floor', 'peer / product', 'product / floor', 'target']
    : ['figure', 'product', 'bare uWS floor', 'product / floor', 'target'];
}

const n0 = (v: number) => (Number.isNaN(v) ? '—' : Math.round(v).toLocaleString('en-US'));
const n1 = (v: number) => v.toFixed(1);
const ms = (v: number) => (Number.isNaN(v) ? '—' : v < 10 ? v.toFixed(1) : v.toFixed(0));
const mb = (bytes: number) => n0(bytes / 2 ** 20);
const kb = (bytes: number) => (bytes / 1024).toFixed(2);
const pct = (share: number) => `${Math.round(share * 100)} %`;
const waves = (m: IdleMemory) => m.waves.map(kb).join(' / ');
const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');

const spread = (h: LatencyHistogram) =>
  h.total ? `${[50, 99, 99.9].map((q) => ms(h.percentile(q))).join(' / ')} / ${ms(h.max)}` : '—';

function latencyRow(figure: string, h: LatencyHistogram, peer: LatencyHistogram | undefined): Row {
  const p99 = h.percentile(99);
  return row(
    `${figure}: p50 / p99 / p99.9 / max`,
    spread(h),
    '—',
    '',
    h.total ? `p99 < ${TARGETS.p99Ms} ms: ${verdict(p99 < TARGETS.p99Ms)}` : '',
    peer ? { peer: spread(peer) } : {},
  );
}

function rows(r: Report): Row[] {
  const p = r.product.window;
  const f = r.floor.window;
  const q = r.peer?.window;
  const cpu = (w: typeof p) => w.serverCpu.user + w.serverCpu.system;
  const cpuRatio = p.cpuPerDeliveredUs / f.cpuPerDeliveredUs;
  const idleRatio = r.product.idle.bytesPerConnection / r.floor.idle.bytesPerConnection;
  const helpers = (w: typeof p) =>
    Object.entries(w.helpersCpu)
      .map(([name, s]) => `${name} ${pct(s / w.seconds)}`)
      .join(', ');
  const cpuShares = (w: typeof p) =>
    `${pct(cpu(w) / w.seconds)} (${pct(w.serverCpu.user / w.seconds)} + ${pct(w.serverCpu.system / w.seconds)})`;
  const rss = (s: { rssStart: number; rssLoaded: number }, w: typeof p) =>
    `${mb(s.rssStart)} / ${mb(s.rssLoaded)} / ${mb(w.rssPeak)}`;
  const faults = (w: typeof p) => `${w.gaps} / ${w.resyncs} / ${w.errors} / ${w.unexpectedCloses}`;
  // Each figure's peer cell, only when the run had a peer.
  const peer = (cell: (peer: PeerResult, w: typeof p) => string, vsPeer?: (peer: PeerResult) => string) =>
    r.peer ? { peer: cell(r.peer, q!), ...(vsPeer ? { vsPeer: vsPeer(r.peer) } : {}) } : {};
  const peerCpuRatio = r.peer && r.peer.window.cpuPerDeliveredUs / p.cpuPerDeliveredUs;
  const cpuTarget =
    `≤ ${TARGETS.cpuRatio}x: ${verdict(cpuRatio <= TARGETS.cpuRatio)}` +
    (peerCpuRatio === undefined
      ? ''
      : `; peer / product ≥ ${TARGETS.peerCpuRatio}x: ${verdict(peerCpuRatio >= TARGETS.peerCpuRatio)}`);
  return [
    latencyRow(
      `tick → client latency, ${r.options.probes} probe sockets in their own process (ms)`,
      p.probeLatency,
      q?.probeLatency,
    ),
    latencyRow(`tick → client latency, all ${n0(r.options.clients)} load sockets (ms)`, p.latency, q?.latency),
    row(
      '↳ where it goes: Redis XADD round trip p99 / max; server event-loop delay p99 / max (ms)',
      `${ms(r.product.producer.xaddRoundTrip.percentile(99))} / ${ms(r.product.producer.xaddRoundTrip.max)}; ` +
        `${ms(r.product.view.loopDelayP99Ms)} / ${ms(r.product.view.loopDelayMaxMs)}`,
      '—',
      '',
      '',
      peer(
        (x) =>
          `${ms(x.producer.xaddRoundTrip.percentile(99))} / ${ms(x.producer.xaddRoundTrip.max)}; ` +
          `${ms(x.view.loopDelayP99Ms)} / ${ms(x.view.loopDelayMaxMs)}`,
      ),
    ),
    row(
      '↳ server flushes per second; tick reader behind the stream at the end (ms)',
      `${n0(r.product.view.flushesPerSecond)}; ${ms(r.product.view.streamLagMs)}`,
      '—',
      '',
      '',
      peer((x) => `${n0(x.view.flushes / x.view.seconds)}; —`),
    ),
    row(
      'ticks XADDed per second',
      n0(r.product.producer.sent / r.product.producer.seconds),
      '—',
      '',
      '',
      peer((x) => n0(x.producer.sent / x.producer.seconds)),
    ),
    row(
      'deltas published per second (one per portfolio per flush)',
      n0(p.captured / p.seconds),
      n0(r.floor.replayed / f.seconds) + ' (replayed)',
      '',
      '',
      peer((_, w) => n0(w.captured / w.seconds)),
    ),
    row(
      'deltas delivered per second',
      n0(p.delivered / p.seconds),
      n0(f.delivered / f.seconds),
      '',
      '',
      peer((_, w) => n0(w.delivered / w.seconds)),
    ),
    row(
      'seq gaps / catch-up snapshots / error frames / unexpected closes',
      faults(p),
      `${f.gaps} / — / ${f.errors} / ${f.unexpectedCloses}`,
      '',
      'all 0',
      peer((_, w) => faults(w)),
    ),
    row(
      'server CPU, % of one core (user + system)',
      cpuShares(p),
      cpuShares(f),
      '',
      '',
      peer((_, w) => cpuShares(w)),
    ),
    row(
      'server CPU per delivered delta (µs)',
      n1(p.cpuPerDeliveredUs),
      n1(f.cpuPerDeliveredUs),
      `${cpuRatio.toFixed(2)}x`,
      cpuTarget,
      peer(
        (_, w) => n1(w.cpuPerDeliveredUs),
        () => `${peerCpuRatio!.toFixed(2)}x`,
      ),
    ),
    row(
      'server RSS: start / with load sockets / peak under load (MB)',
      rss(r.product, p),
      rss(r.floor, f),
      '',
      '',
      peer((x, w) => rss(x, w)),
    ),
    row(
      `memory per idle connection, KB (median of waves 2+ of ${n0(r.product.idle.socketsPerWave)} sockets)`,
      kb(r.product.idle.bytesPerConnection),
      kb(r.floor.idle.bytesPerConnection),
      `${idleRatio.toFixed(2)}x`,
      `< ${TARGETS.idleBytes / 1024} KB: ${verdict(r.product.idle.bytesPerConnection < TARGETS.idleBytes)}`,
      peer(
        (x) => kb(x.idle.bytesPerConnection),
        (x) => `${(x.idle.bytesPerConnection / r.product.idle.bytesPerConnection).toFixed(2)}x`,
      ),
    ),
    row(
      '↳ RSS growth per connection of each wave, KB (first = warm-up)',
      waves(r.product.idle),
      waves(r.floor.idle),
      '',
      '',
      peer((x) => waves(x.idle)),
    ),
    row(
      '↳ of which JS heap in use, KB',
      kb(r.product.idle.heapBytesPerConnection),
      kb(r.floor.idle.heapBytesPerConnection),
      '',
      '',
      peer((x) => kb(x.idle.heapBytesPerConnection)),
    ),
    row(
      'other processes of the run, % of one core',
      helpers(p),
      helpers(f),
      '',
      '',
      peer((_, w) => helpers(w)),
    ),
    row(
      'whole machine busy in the window (all cores); of it, work not of this run',
      `${pct(p.machineBusy)}; ${pct(p.othersBusy)} (window ${p.attempt} of up to ${r.options.attempts})`,
      `${pct(f.machineBusy)}; ${pct(f.othersBusy)} (window ${f.attempt})`,
      '',
      `others ≤ ${pct(QUIET)}`,
      peer((_, w) => `${pct(w.machineBusy)}; ${pct(w.othersBusy)} (window ${w.attempt})`),
    ),
  ];
}

function describeRun(r: Report): string[] {
  const o = r.options;
  const perPortfolio = o.clients / o.portfolios;
  return [
    `${n0(o.clients)} load sockets over ${n0(o.portfolios)} portfolios (${n1(perPortfolio)} per portfolio, ` +
      `${o.positions} positions each, ${r.symbols} distinct symbols), ${n0(o.rate)} ticks/s, ` +
      `${o.warmupSeconds} s warm-up then ${o.seconds} s measured; ${o.idleWaves} waves of ${n0(o.idle)} idle sockets for memory.`,
    `Server: ${r.product.server}${serverSettings(o)}; ` +
      `${gitState()}. Clients: ${o.clientProcs} fleet process${o.clientProcs > 1 ? 'es' : ''} of \`ws\` sockets${o.probes ? ' and a probe process' : ''}.`,
    ...(r.peer
      ? [
          `Peer: ${r.peer.server}, same database, gateway settings and load; its clients are socket.io-client 4 ` +
            `sockets (websocket transport only) in the same fleet and probe processes.`,
        ]
      : []),
    `Machine: ${machine()}, Linux ${release()}; ${pct(r.busyBefore)} busy with other work just before the run.`,
  ];
}

/** What the run set on the server beyond its defaults: node flags and environment. */
function serverSettings(o: Options): string {
  const settings = [...o.serverNodeArgs, ...Object.entries(o.serverEnv).map(([k, v]) => `${k}=${v}`)];
  return settings.length ? ` with ${settings.join(' ')}` : '';
}

/** Steps side by side; the climb of each side stops at its first step not held. */
function ladderRows(r: Report): string[][] {
  const product = r.product.ladder ?? [];
  const peer = r.peer?.ladder ?? [];
  const side = (s: LadderStep | undefined) =>
    s
      ? [
          `${n0(s.ticksPerSecond)} / ${n0(s.deliveredPerSecond)}`,
          `${ms(s.probeP99Ms)} / ${ms(s.allP99Ms)}`,
          `${pct(s.serverCpuShare)}; ${n1(s.cpuPerDeliveredUs)}`,
          `${s.held ? 'held' : '**not held**'}${s.faults ? ` (${s.faults} faults)` : ''}` +
            (s.othersBusy > QUIET ? ` (others ${pct(s.othersBusy)})` : ''),
        ]
      : ['', '', '', ''];
  const rates = (r.options.ladder?.rates ?? []).slice(0, Math.max(product.length, peer.length));
  return rates.map((rate, i) => [n0(rate), ...side(product[i]), ...(r.peer ? side(peer[i]) : [])]);
}

const LADDER_SIDE = ['ticks/s XADDed / deltas/s delivered', 'p99 probes / all (ms)', 'server CPU; µs per delta', ''];

function ladderHeader(r: Report): string[] {
  const named = (who: string) => LADDER_SIDE.map((h, i) => (i === LADDER_SIDE.length - 1 ? who : `${who}: ${h}`));
  return ['ticks/s asked', ...named('product'), ...(r.peer ? named('peer') : [])];
}

/** The highest step each side held and their ratio, with a bound when a side never failed or never held. */
export function ladderSummary(r: Report): string | undefined {
  const plan = r.options.ladder;
  if (!plan || !r.product.ladder) return undefined;
  const describe = (steps: LadderStep[]) => {
    const best = highestHeld(steps);
    if (!best) return `none (not even ${n0(plan.rates[0]!)} ticks/s)`;
    const top = steps.length === plan.rates.length ? ', the top step' : '';
    return `${n0(best.rate)} ticks/s (${n0(best.deliveredPerSecond)} deltas/s delivered${top})`;
  };
  let summary = `Highest load held with p99 < ${LADDER_P99_LIMIT_MS} ms (probes): product ${describe(r.product.ladder)}`;
  if (!r.peer?.ladder) return summary + '.';
  const ratio = loadHeldRatio(plan.rates, r.product.ladder, r.peer.ladder);
  const met = ratioMeets(ratio, TARGETS.peerLoadRatio);
  const value = ratio.kind === 'unknown' ? 'not measured by these steps' : `${ratio.kind} ${ratio.value.toFixed(2)}x`;
  summary += `; Socket.IO peer ${describe(r.peer.ladder)}. Product / peer: ${value.replace('exact ', '')}`;
  return (
    summary +
    ` (target ≥ ${TARGETS.peerLoadRatio}x: ${met === undefined ? 'not shown, widen --ladder-rates' : verdict(met)}).`
  );
}

function printTable(all: string[][]): void {
  const widths = all[0]!.map((_, c) => Math.max(...all.map((row) => row[c]!.length)));
  for (const row of all) console.log(row.map((cell, c) => cell.replaceAll('**', '').padEnd(widths[c]!)).join('  '));
  console.log('');
}

export function printReport(r: Report): void {
  const withPeer = Boolean(r.peer);
  console.log(`\nfan-out benchmark: ${r.options.label}`);
  for (const line of describeRun(r)) console.log(line);
  console.log('');
  printTable([header(withPeer), ...rows(r).map((row) => cells(row, withPeer))]);
  const pairs = pairSummary(r);
  if (pairs) {
    console.log(pairs.replaceAll('**', ''));
    console.log('');
    printTable([PAIR_HEADER, ...pairRows(r)]);
  }
  const summary = ladderSummary(r);
  if (summary) {
    console.log(summary.replaceAll('**', ''));
    console.log('');
    printTable([ladderHeader(r), ...ladderRows(r)]);
  }
}

const DISTURBED = 'Measured while other work kept the machine busy';

/** Whether other programs took more than QUIET of the machine during either window. */
export function disturbed(r: Report): boolean {
  const windows = [...(r.pairs ?? [r]).flatMap((p) => [p.product.window, p.floor.window]), r.peer?.window];
  return Math.max(...windows.map((w) => w?.othersBusy ?? 0)) > QUIET;
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
    markdownTable(
      header(Boolean(r.peer)),
      rows(r).map((row) => cells(row, Boolean(r.peer))),
    ),
    ...pairSection(r),
    ...ladderSection(r),
  ].join('\n');
  return writeSection(name, body);
}

const markdownTable = (head: string[], body: string[][]) =>
  [head, head.map(() => '---'), ...body].map((cells) => `| ${cells.join(' | ')} |`).join('\n');

function pairSection(r: Report): string[] {
  const summary = pairSummary(r);
  return summary ? ['', summary, '', markdownTable(PAIR_HEADER, pairRows(r))] : [];
}

function ladderSection(r: Report): string[] {
  const summary = ladderSummary(r);
  if (!summary) return [];
  const plan = r.options.ladder!;
  return [
    '',
    `Load ladder: on the same load sockets after the window, the tick rate climbs; each step settles ` +
      `${plan.settleSeconds} s and is measured ${plan.stepSeconds} s, and a side stops at its first step not held ` +
      `(probe p99 ≥ ${LADDER_P99_LIMIT_MS} ms, or any gap, error or unexpected close).`,
    '',
    summary,
    '',
    markdownTable(ladderHeader(r), ladderRows(r)),
  ];
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
