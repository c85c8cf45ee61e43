// The floor side of a run: the bare uWS server (floor-server.ts) in its own process, the same
// number of load and idle sockets on the same topics, and a replay of the frames the product
// published, measured exactly as the product was (measure.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import { forkModule, stopChild } from './children.js';
import type { FloorApi } from './floor-api.js';
import { Fleet } from './fleet.js';
import { collectGarbage, INSPECT_ARG } from './inspector.js';
import { ChildApi } from './ipc.js';
import { measureQuietWindow, openSockets, type LoadWindow, type Sockets } from './measure.js';
import type { Options } from './options.js';
import type { LoadData } from './prepare.js';
import { idlePlan, loadPlan } from './plan.js';

/** Frames still in flight when the last one is published. */
const DRAIN_MS = 200;

export interface FloorResult extends Sockets {
  window: LoadWindow;
  replayed: number;
}

/** The product's flush interval when its metrics do not say (its CONFLATION_MS default). */
const DEFAULT_FLUSH_MS = 8;

/** `flushesPerSecond`: how often the product published during its window (its bursts). */
export async function runFloor(
  o: Options,
  data: LoadData,
  capture: { files: string[]; flushesPerSecond: number },
): Promise<FloorResult> {
  const started = forkModule('floor', './floor-server.ts', [INSPECT_ARG]);
  const floor = new ChildApi<FloorApi>(started.child);
  await floor.ready;
  const inspector = await started.stderr.inspector;
  const pid = floor.child.pid!;
  const fleet = await Fleet.start(o.clientProcs, o.probes > 0);
  try {
    const { port } = await floor.call('address', {});
    const wsUrl = `ws://127.0.0.1:${port}/ws`;
    console.error(`floor: opening ${o.clients} load and ${o.idle} idle sockets`);
    const sockets = await openSockets(
      pid,
      () => collectGarbage(inspector),
      fleet,
      { wsUrl, concurrency: o.concurrency },
      { load: loadPlan(o, data, false), idle: idlePlan(o, data, false), idleWaves: o.idleWaves },
    );
    const { frames } = await floor.call('load', { files: capture.files });
    const burstMs = capture.flushesPerSecond > 0 ? 1000 / capture.flushesPerSecond : DEFAULT_FLUSH_MS;
    console.error(`floor: replaying ${frames} captured deltas in bursts every ${burstMs.toFixed(1)} ms`);
    const window = await measureQuietWindow(
      pid,
      fleet,
      // Each replay starts the captured sequences over: the clients take the first frame as given.
      { latency: false, helpers: fleet.pids, attempts: o.attempts, restartSequences: true },
      async () => {
        const { published } = await floor.call('replay', { burstMs });
        await sleep(DRAIN_MS);
        return published;
      },
    );
    return { ...sockets, window, replayed: window.result };
  } finally {
    await stopChild(floor.child, 'SIGTERM');
    await fleet.stop();
  }
}
