// Reads a V8 .cpuprofile (what `node --cpu-prof` writes) into the three views docs/profiling.md
// uses: self time by function, self time by file, and time by area of the gateway (the tick path,
// the flush, GC, the backpressure sweep ...). Plain functions: no I/O.

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  /** Microseconds between consecutive samples (the first one from startTime). */
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface Row {
  name: string;
  ms: number;
  /** Share of the sampled time that was not idle. */
  share: number;
}

/**
 * A stretch of the profile in V8's clock (microseconds of CLOCK_MONOTONIC on Linux, the clock of
 * `process.hrtime` in any process on the machine): run.ts records the load window in it.
 */
export interface Window {
  fromUs: number;
  toUs: number;
}

export interface Summary {
  /** Profiled wall time, and the part of it the process was busy (not idle). */
  totalMs: number;
  busyMs: number;
  areas: Row[];
  functions: Row[];
  files: Row[];
}

/**
 * Areas of the gateway, tried from the sampled function outwards to the root: the nearest frame that
 * matches one decides. So JSON.stringify under the flush counts as flush, parseTick as tick path.
 */
const AREAS: { name: string; test(f: CallFrame, file: string): boolean }[] = [
  { name: 'GC', test: (f) => f.functionName === '(garbage collector)' },
  { name: 'idle', test: (f) => f.functionName === '(idle)' },
  {
    name: 'flush: deltas → frames → publish',
    test: (f, file) =>
      (f.functionName === 'flush' && file.endsWith('portfolio-feed.js')) || file.endsWith('flush-scheduler.js'),
  },
  {
    name: 'tick path: XREAD reply → ticks → engine',
    test: (f, file) =>
      file.endsWith('tick-reader.js') ||
      file.endsWith('streams/tick.js') ||
      (f.functionName === 'onTicks' && file.endsWith('portfolio-feed.js')) ||
      /node_modules\/(ioredis|redis-parser|@ioredis)\//.test(file),
  },
  { name: 'backpressure sweep', test: (_, file) => file.endsWith('slow-readers.js') },
  { name: 'socket handlers', test: (_, file) => file.endsWith('socket-server.js') },
  {
    name: 'HTTP and /metrics',
    test: (_, file) => /\/(api|http|observability)\/|node_modules\/prom-client\//.test(file),
  },
  { name: 'native, not attributed (program)', test: (f) => f.functionName === '(program)' },
];

/** A script URL as a path inside the repository (the private build maps back to its source). */
export function shortFile(url: string): string {
  if (!url) return '(native)';
  let path = url.replace(/^file:\/\//, '');
  const cache = path.indexOf('node_modules/.cache/tickdash-fanout/');
  if (cache >= 0) return path.slice(cache + 'node_modules/.cache/tickdash-fanout/'.length);
  const modules = path.lastIndexOf('node_modules/');
  if (modules >= 0) return path.slice(modules);
  for (const root of ['/server/', '/dist/']) {
    const at = path.indexOf(root);
    if (at >= 0) path = path.slice(at + 1);
  }
  return path;
}

/** Self time by area, function and file; only of the samples inside `window` when one is given. */
export function summarise(profile: CpuProfile, top = 25, window?: Window): Summary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Sample i lasts until sample i + 1 (as Chrome's profiler panel counts it); the last one lasts 0.
  const selfUs = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  let at = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    at += timeDeltas[i]!;
    if (window && (at < window.fromUs || at >= window.toUs)) continue;
    const us = timeDeltas[i + 1] ?? 0;
    selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + us);
  }
  const functions = new Map<string, number>();
  const files = new Map<string, number>();
  const areas = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, us: number) => m.set(k, (m.get(k) ?? 0) + us);
  let idleUs = 0;
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const f = byId.get(id)!.callFrame;
    const file = shortFile(f.url);
    totalUs += us;
    if (f.functionName === '(idle)') idleUs += us;
    const name = f.functionName || '(anonymous)';
    add(functions, f.url ? `${name}  ${file}:${f.lineNumber + 1}` : name, us);
    add(files, f.url ? file : name, us);
    add(areas, areaOf(id, byId, parent), us);
  }
  const busyUs = totalUs - idleUs;
  const rows = (m: Map<string, number>, n: number) =>
    [...m]
      .filter(([k]) => k !== '(idle)' && k !== 'idle')
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: us / 1000, share: busyUs ? us / busyUs : 0 }));
  return {
    totalMs: totalUs / 1000,
    busyMs: busyUs / 1000,
    areas: rows(areas, AREAS.length + 1),
    functions: rows(functions, top),
    files: rows(files, top),
  };
}

function areaOf(id: number, byId: Map<number, ProfileNode>, parent: Map<number, number>): string {
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const f = byId.get(at)!.callFrame;
    const file = shortFile(f.url);
    const area = AREAS.find((a) => a.test(f, file));
    if (area) return area.name;
  }
  return 'other JS';
}

/** The summary as text tables, shares of the busy (not idle) time. */
export function formatSummary(s: Summary): string {
  const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)} %`;
  const ms = (x: number) => x.toFixed(0).padStart(7);
  const table = (title: string, rows: Row[]) =>
    [`${title}`, ...rows.map((r) => `${pct(r.share)} ${ms(r.ms)} ms  ${r.name}`)].join('\n');
  return [
    `profiled ${(s.totalMs / 1000).toFixed(1)} s, busy ${(s.busyMs / 1000).toFixed(1)} s ` +
      `(${((s.busyMs / s.totalMs) * 100).toFixed(0)} % of one core); shares below are of the busy time`,
    table('\nby area (nearest matching frame from the sampled function outwards):', s.areas),
    table('\nby function (self time):', s.functions),
    table('\nby file (self time):', s.files),
  ].join('\n');
}
