// The two measurements taken the same way of the product and of the floor: memory per idle
// connection, and a window of load with the server's CPU, RSS and what the clients received.
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Fleet, FleetWindow } from './fleet.js';
import type { ConnectArgs, SocketPlan, WindowArgs } from './fleet-api.js';
import {
  cpuSince,
  cpuTime,
  machineTicks,
  QUIET,
  peakRssSampler,
  rssBytes,
  settledRss,
  softirqThreads,
  type CpuTime,
} from './proc-stats.js';

/** Time for the server to finish the upgrades' work. */
const SETTLE_MS = 3_000;
/** V8 gives freed pages back to the system a few seconds after a full GC, not during it. */
const RELEASE_MS = 4_000;

export interface Sockets {
  connectSeconds: number;
  rssStart: number;
  rssLoaded: number;
  idle: IdleMemory;
}

/** Opens the load sockets, then measures memory per idle connection with them in place. */
export async function openSockets(
  pid: number,
  collectGarbage: () => Promise<number>,
  fleet: Fleet,
  connect: Omit<ConnectArgs, 'sockets' | 'group'>,
  plan: { load: SocketPlan[]; idle: SocketPlan[]; idleWaves: number },
): Promise<Sockets> {
  const rssStart = rssBytes(pid);
  const load = await fleet.connect({ ...connect, group: 'load', sockets: plan.load });
  if (load.failed) throw new Error(`${load.failed} of ${plan.load.length} load sockets failed: ${load.firstError}`);
  const rssLoaded = rssBytes(pid);
  const idle = await idleMemory(pid, collectGarbage, fleet, connect, plan.idle, plan.idleWaves);
  return { connectSeconds: load.seconds, rssStart, rssLoaded, idle };
}

export interface IdleMemory {
  socketsPerWave: number;
  failed: number;
  /** RSS growth per connection of each wave; the first one warms allocators and is not counted. */
  waves: number[];
  /** Median of the waves after the first. */
  bytesPerConnection: number;
  /** Growth of the JS heap in use (after a full GC) per connection, same waves: the steadier part. */
  heapBytesPerConnection: number;
}

/**
 * Marginal memory of an idle connection (authenticated, following one portfolio that gets no ticks
 * meanwhile): RSS after each of several waves of idle sockets, each reading after a full GC and a
 * settle. Why waves: the first thousands of upgrades after a start grow the allocators' arenas and
 * the embedded database's heap once (tens of MB that do not grow again), and RSS moves by a few MB
 * on its own; the median of the later waves is the cost that scales with connections. Why not
 * close and reopen: closed sockets leave memory the next ones reuse without RSS showing it.
 */
export async function idleMemory(
  pid: number,
  collectGarbage: () => Promise<number>,
  fleet: Fleet,
  connect: Omit<ConnectArgs, 'sockets' | 'group'>,
  sockets: SocketPlan[],
  waves: number,
): Promise<IdleMemory> {
  const settled = async () => {
    await sleep(SETTLE_MS);
    const heap = await collectGarbage();
    await sleep(RELEASE_MS);
    return { rss: await settledRss(pid), heap };
  };
  const readings = [await settled()];
  const opened: number[] = [];
  let failed = 0;
  for (let w = 0; w < waves; w++) {
    const r = await fleet.connect({ ...connect, group: 'idle', sockets });
    if (r.opened === 0) throw new Error(`no idle socket opened: ${r.firstError}`);
    failed += r.failed;
    opened.push(r.opened);
    readings.push(await settled());
  }
  await fleet.close('idle');
  const perConnection = (pick: (r: (typeof readings)[number]) => number) =>
    opened.map((n, w) => (pick(readings[w + 1]!) - pick(readings[w]!)) / n);
  const rssWaves = perConnection((r) => r.rss);
  return {
    socketsPerWave: sockets.length,
    failed,
    waves: rssWaves,
    bytesPerConnection: median(rssWaves.slice(1)),
    heapBytesPerConnection: median(perConnection((r) => r.heap).slice(1)),
  };
}

export interface LoadWindow extends FleetWindow {
  /** Server CPU seconds spent during the window. */
  serverCpu: CpuTime;
  /** Server CPU per delivered message, in microseconds. */
  cpuPerDeliveredUs: number;
  rssPeak: number;
  /** Share of the whole machine (all cores) that was busy in the window, 0..1. */
  machineBusy: number;
  /** CPU seconds of the other processes of the run (fleet, producer, Redis, softirq threads) in the window. */
  helpersCpu: Record<string, number>;
  /** Share of the machine busy with work that is not the run's (other users of a shared machine). */
  othersBusy: number;
  /** Which attempt this window was (see measureQuietWindow). */
  attempt: number;
}

interface WindowOptions extends WindowArgs {
  captureDir?: string;
  /** Processes of the run besides the server, whose CPU is reported beside it. */
  helpers: Record<string, number>;
}

/**
 * Runs `during` as the measured window, again if others kept the machine busy meanwhile (up to
 * `attempts` windows), and keeps the quietest: on a shared two-core machine another program's
 * burst costs tens of milliseconds of latency and skews CPU figures, and it says nothing about
 * the server.
 */
export async function measureQuietWindow<T>(
  pid: number,
  fleet: Fleet,
  o: WindowOptions & { attempts: number },
  during: () => Promise<T>,
): Promise<LoadWindow & { result: T }> {
  let best: (LoadWindow & { result: T }) | undefined;
  for (let attempt = 1; attempt <= o.attempts; attempt++) {
    const captureDir = o.captureDir && join(o.captureDir, `attempt-${attempt}`);
    if (captureDir) mkdirSync(captureDir, { recursive: true });
    const w = {
      ...(await measureWindow(pid, fleet, { ...o, ...(captureDir ? { captureDir } : {}) }, during)),
      attempt,
    };
    if (!best || w.othersBusy < best.othersBusy) best = w;
    if (w.othersBusy <= QUIET) break;
    const busy = `${Math.round(w.othersBusy * 100)} %`;
    if (attempt < o.attempts) console.error(`window ${attempt}: other work kept ${busy} of the machine busy; again`);
  }
  return best!;
}

/** Runs `during` as the measured window; the clients count what arrives only inside it. */
async function measureWindow<T>(
  pid: number,
  fleet: Fleet,
  o: WindowOptions,
  during: () => Promise<T>,
): Promise<Omit<LoadWindow, 'attempt'> & { result: T }> {
  await fleet.startWindow(o);
  const helpers = { ...o.helpers, ...softirqThreads() };
  const helpersBefore = Object.entries(helpers).map(([name, p]) => [name, p, total(cpuTime(p))] as const);
  const cpuBefore = cpuTime(pid);
  const machineBefore = machineTicks();
  const started = performance.now();
  const rss = peakRssSampler(pid);
  const result = await during();
  const serverCpu = cpuSince(cpuBefore, cpuTime(pid));
  const machineAfter = machineTicks();
  const seconds = (performance.now() - started) / 1000;
  const helpersCpu = Object.fromEntries(helpersBefore.map(([name, p, before]) => [name, total(cpuTime(p)) - before]));
  const rssPeak = rss.stop();
  const clients = await fleet.stopWindow(o.captureDir);
  const machineBusy = (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total);
  const ours = total(serverCpu) + Object.values(helpersCpu).reduce((a, b) => a + b, 0);
  return {
    ...clients,
    serverCpu,
    cpuPerDeliveredUs: (total(serverCpu) / clients.delivered) * 1e6,
    rssPeak,
    machineBusy,
    helpersCpu,
    othersBusy: Math.max(0, machineBusy - ours / (seconds * availableParallelism())),
    result,
  };
}

const total = (t: CpuTime) => t.user + t.system;

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
