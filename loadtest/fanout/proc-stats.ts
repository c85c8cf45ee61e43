// CPU time and memory of a process, read from /proc (Linux) from the outside: the measured server
// runs unmodified, and every thread it has (uWS, libuv pool, the PGlite worker) is counted.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

export interface CpuTime {
  /** Seconds in user space and in the kernel, summed over all threads. */
  user: number;
  system: number;
}

export function cpuTime(pid: number): CpuTime {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Field 2 (the command) may hold spaces and parentheses: count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so utime (field 14) and stime (15) are at 11 and 12.
  return {
    user: Number(fields[11]) / CLOCK_TICKS_PER_SECOND,
    system: Number(fields[12]) / CLOCK_TICKS_PER_SECOND,
  };
}

export function cpuSince(before: CpuTime, after: CpuTime): CpuTime {
  return { user: after.user - before.user, system: after.system - before.system };
}

export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/**
 * The kernel's softirq threads by name. Loopback sends run the receiving side's network stack in
 * the sender's context, except when the kernel defers it to these threads (it does under load):
 * that share of the fan-out is then charged to no process of the run.
 */
export function softirqThreads(): Record<string, number> {
  const found: Record<string, number> = {};
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const name = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (name.startsWith('ksoftirqd/')) found[name] = Number(entry);
    } catch {
      // Gone while listing.
    }
  }
  return found;
}

/** Busy and total jiffies of the whole machine, to tell whether the cores were saturated. */
export function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = v[3]! + (v[4] ?? 0); // idle + iowait
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Share of the machine busy over `ms`, 0..1: others' work on a shared machine skews every figure. */
export async function machineBusyOver(ms: number): Promise<number> {
  const before = machineTicks();
  await sleep(ms);
  const after = machineTicks();
  return (after.busy - before.busy) / (after.total - before.total);
}

/** Above this share of the machine busy before a run, others' work would skew its figures. */
export const QUIET = 0.1;
const QUIET_SAMPLE_MS = 3_000;
const QUIET_NOTICE_MS = 30_000;

/** On a shared machine, waits (up to a limit) until nobody else keeps it busy; returns the last reading. */
export async function waitForQuiet(maxSeconds: number): Promise<number> {
  const deadline = Date.now() + maxSeconds * 1000;
  let told = 0;
  for (;;) {
    const busy = await machineBusyOver(QUIET_SAMPLE_MS);
    if (busy <= QUIET) return busy;
    const pct = Math.round(busy * 100);
    if (Date.now() >= deadline) {
      console.error(`warning: the machine is ${pct} % busy with other work; figures will be skewed`);
      return busy;
    }
    if (Date.now() - told > QUIET_NOTICE_MS) {
      console.error(`the machine is ${pct} % busy with other work; waiting up to ${maxSeconds} s for it to quiet down`);
      told = Date.now();
    }
  }
}

/**
 * The median of a few RSS readings taken apart: one reading can land just before or after the
 * allocator returns pages, the median is steady.
 */
export async function settledRss(pid: number, readings = 5, apartMs = 300): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < readings; i++) {
    if (i > 0) await sleep(apartMs);
    values.push(rssBytes(pid));
  }
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)]!;
}

/** Samples RSS every `everyMs` until stopped; returns the highest reading. */
export function peakRssSampler(pid: number, everyMs = 500): { stop(): number } {
  let peak = rssBytes(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssBytes(pid));
    } catch {
      // The process ended; the caller finds out on its own.
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}
