// The highest load a server holds: the tick rate climbs step by step on the sockets already open,
// each step is measured briefly, and the climb stops at the first step that is not held (p99 at or
// above the limit, or any gap, error or unexpected close). The product and the peer climb the same
// steps in the same run, so the ratio of what they held is the comparison.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Fleet } from './fleet.js';
import { measureQuietWindow } from './measure.js';
import type { Redis } from 'ioredis';
import { TickProducer } from './producer.js';

/** The criterion: the highest load held with p99 under 50 ms. */
export const LADDER_P99_LIMIT_MS = 50;

export interface LadderStep {
  /** The rate asked of the producer. */
  rate: number;
  /** Ticks per second actually XADDed during the step (a starved producer sends fewer). */
  ticksPerSecond: number;
  deliveredPerSecond: number;
  /** The probes' p99 (a client with its own machine), and every load socket's. */
  probeP99Ms: number;
  allP99Ms: number;
  /** Gaps, error frames and unexpected closes during the step. */
  faults: number;
  serverCpuShare: number;
  cpuPerDeliveredUs: number;
  othersBusy: number;
  held: boolean;
}

export interface LadderPlan {
  rates: number[];
  settleSeconds: number;
  stepSeconds: number;
}

/** A step is held when its latency stays under the limit and nothing was lost or refused. */
export function stepHeld(step: Pick<LadderStep, 'probeP99Ms' | 'faults' | 'deliveredPerSecond'>): boolean {
  return step.deliveredPerSecond > 0 && step.faults === 0 && step.probeP99Ms < LADDER_P99_LIMIT_MS;
}

/** Measures the rates in order, stopping after the first step not held. */
export async function climb(
  rates: readonly number[],
  measure: (rate: number) => Promise<Omit<LadderStep, 'held'>>,
): Promise<LadderStep[]> {
  const steps: LadderStep[] = [];
  for (const rate of rates) {
    const figures = await measure(rate);
    const step = { ...figures, held: stepHeld(figures) };
    steps.push(step);
    if (!step.held) break;
  }
  return steps;
}

/** The highest step held, or undefined when the first one already failed. */
export function highestHeld(steps: readonly LadderStep[]): LadderStep | undefined {
  return steps.filter((s) => s.held).at(-1);
}

export interface LadderSide {
  /** The server's pid, its fleet (load sockets open) and the other processes of the run. */
  pid: number;
  fleet: Fleet;
  helpers: Record<string, number>;
  /** Where and what to tick: the side's stream, the load portfolios' symbols. */
  redis: Redis;
  stream: string;
  instruments: readonly { symbol: string; price: number }[];
  seed: number;
  /** Gaps + errors + unexpected closes counted before the climb (the fleet counts since connecting). */
  faultsBefore: number;
}

/** Runs the ladder against a server with its load sockets open, with a paced producer of its own. */
export async function runLadder(side: string, plan: LadderPlan, s: LadderSide): Promise<LadderStep[]> {
  const producer = new TickProducer({
    redis: s.redis,
    stream: s.stream,
    ticksPerSecond: plan.rates[0] ?? 0,
    instruments: s.instruments,
    seed: s.seed,
  });
  producer.start();
  try {
    return await climbWith(side, plan, s, producer);
  } finally {
    await producer.stop();
  }
}

function climbWith(side: string, plan: LadderPlan, s: LadderSide, producer: TickProducer): Promise<LadderStep[]> {
  let faultsBefore = s.faultsBefore;
  return climb(plan.rates, async (rate) => {
    producer.setRate(rate);
    await sleep(plan.settleSeconds * 1000);
    const sentBefore = producer.sent;
    const w = await measureQuietWindow(s.pid, s.fleet, { latency: true, helpers: s.helpers, attempts: 1 }, () =>
      sleep(plan.stepSeconds * 1000),
    );
    // Gaps and closes are counted since the sockets opened: a step's own are the increase.
    const faultsNow = w.gaps + w.errors + w.unexpectedCloses;
    const step = {
      rate,
      ticksPerSecond: (producer.sent - sentBefore) / w.seconds,
      deliveredPerSecond: w.delivered / w.seconds,
      probeP99Ms: w.probeLatency.total ? w.probeLatency.percentile(99) : w.latency.percentile(99),
      allP99Ms: w.latency.percentile(99),
      faults: faultsNow - faultsBefore,
      serverCpuShare: (w.serverCpu.user + w.serverCpu.system) / w.seconds,
      cpuPerDeliveredUs: w.cpuPerDeliveredUs,
      othersBusy: w.othersBusy,
    };
    faultsBefore = faultsNow;
    console.error(
      `${side} ladder: ${rate} ticks/s → ${Math.round(step.deliveredPerSecond)} deltas/s, ` +
        `p99 ${step.probeP99Ms.toFixed(1)} ms (probes) / ${step.allP99Ms.toFixed(1)} ms (all), faults ${step.faults}`,
    );
    return step;
  });
}

/** What two climbs say about product / peer: exact, or bounded when a side topped out or never held. */
export interface LoadRatio {
  value: number;
  /** `at least`: the product topped out or the peer held no step; `at most`: the peer topped out. */
  kind: 'exact' | 'at least' | 'at most' | 'unknown';
}

export function loadHeldRatio(rates: readonly number[], product: LadderStep[], peer: LadderStep[]): LoadRatio {
  const top = (steps: LadderStep[]) => steps.length === rates.length && steps.at(-1)!.held;
  // A side that held no step held less than the first one: count it at the first rate, as a bound.
  const held = (steps: LadderStep[]) => highestHeld(steps)?.rate;
  const a = held(product);
  const b = held(peer);
  const first = rates[0]!;
  if (a === undefined && b === undefined) return { value: NaN, kind: 'unknown' };
  if (top(product) && top(peer)) return { value: NaN, kind: 'unknown' };
  if (b === undefined) return { value: a! / first, kind: 'at least' };
  if (a === undefined) return { value: first / b, kind: 'at most' };
  if (top(product)) return { value: a / b, kind: 'at least' };
  if (top(peer)) return { value: a / b, kind: 'at most' };
  return { value: a / b, kind: 'exact' };
}

/** Whether a ratio shows the target met (true), missed (false), or cannot tell (undefined). */
export function ratioMeets(r: LoadRatio, target: number): boolean | undefined {
  if (r.kind === 'exact') return r.value >= target;
  if (r.kind === 'at least') return r.value >= target ? true : undefined;
  if (r.kind === 'at most') return r.value < target ? false : undefined;
  return undefined;
}
