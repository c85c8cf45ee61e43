// The orchestrator's handle on the client fleet: one or more fleet processes (clients.ts) with the
// load sockets dealt over them, plus an optional probe process with a few sockets of its own, and
// their window figures merged as if they were one.
//
// Why a probe: a fleet process holding thousands of sockets handles a flush's burst of frames one
// after another, so the last socket in a burst notices its delta milliseconds after the kernel
// had it. Real clients each have their own machine. The probe's few sockets, in a process with
// little else to do, show the latency a client sees; the fleet's show it with the fleet's queue.
import { join } from 'node:path';
import { forkModule, stopChild } from './children.js';
import type { ConnectArgs, ConnectResult, FleetApi, Group, WindowArgs, WindowStats } from './fleet-api.js';
import { LatencyHistogram } from './histogram.js';
import { ChildApi } from './ipc.js';

export interface FleetWindow extends Omit<WindowStats, 'latency'> {
  /** Every load socket's deltas, probes included. */
  latency: LatencyHistogram;
  /** The probe sockets' deltas only (empty without a probe). */
  probeLatency: LatencyHistogram;
  captureFiles: string[];
}

export class Fleet {
  private constructor(
    private readonly load: ChildApi<FleetApi>[],
    private readonly probe: ChildApi<FleetApi> | undefined,
  ) {}

  static async start(processes: number, withProbe: boolean): Promise<Fleet> {
    const fork = (name: string) => new ChildApi<FleetApi>(forkModule(name, './clients.ts').child);
    const load = Array.from({ length: processes }, (_, i) => fork(processes > 1 ? `fleet ${i + 1}` : 'fleet'));
    const probe = withProbe ? fork('probe') : undefined;
    await Promise.all([...load, ...(probe ? [probe] : [])].map((p) => p.ready));
    return new Fleet(load, probe);
  }

  private get all(): ChildApi<FleetApi>[] {
    return this.probe ? [...this.load, this.probe] : this.load;
  }

  /** The fleet processes by name, for CPU accounting. */
  get pids(): Record<string, number> {
    const name = (i: number) => (this.load.length > 1 ? `fleet ${i + 1}` : 'fleet');
    return {
      ...Object.fromEntries(this.load.map((p, i) => [name(i), p.child.pid!])),
      ...(this.probe ? { probe: this.probe.child.pid! } : {}),
    };
  }

  /** Opens `sockets`: probe sockets in the probe process, the others dealt round-robin. */
  async connect(args: ConnectArgs): Promise<ConnectResult> {
    const probeSockets = this.probe ? args.sockets.filter((s) => s.probe) : [];
    const rest = this.probe ? args.sockets.filter((s) => !s.probe) : args.sockets;
    const n = this.load.length;
    const concurrency = Math.ceil(args.concurrency / n);
    const calls = this.load.map((p, i) =>
      p.call('connect', { ...args, concurrency, sockets: rest.filter((_, k) => k % n === i) }),
    );
    if (probeSockets.length) calls.push(this.probe!.call('connect', { ...args, sockets: probeSockets }));
    const results = await Promise.all(calls);
    const firstError = results.find((r) => r.firstError)?.firstError;
    return {
      opened: sum(results.map((r) => r.opened)),
      failed: sum(results.map((r) => r.failed)),
      ...(firstError ? { firstError } : {}),
      seconds: Math.max(...results.map((r) => r.seconds)),
    };
  }

  private captureFile = (dir: string, i: number) => join(dir, `capture-${i}.tsv`);

  async startWindow(o: Omit<WindowArgs, 'captureFile'> & { captureDir?: string }): Promise<void> {
    await Promise.all(
      this.all.map((p, i) =>
        p.call('startWindow', {
          latency: o.latency,
          ...(o.restartSequences ? { restartSequences: true } : {}),
          ...(o.captureDir ? { captureFile: this.captureFile(o.captureDir, i) } : {}),
        }),
      ),
    );
  }

  async stopWindow(captureDir?: string): Promise<FleetWindow> {
    const parts = await Promise.all(this.all.map((p) => p.call('stopWindow', {})));
    const total = (pick: (w: WindowStats) => number) => sum(parts.map(pick));
    const firstError = parts.find((w) => w.firstError)?.firstError;
    return {
      seconds: Math.max(...parts.map((w) => w.seconds)),
      delivered: total((w) => w.delivered),
      latency: LatencyHistogram.merge(parts.map((w) => w.latency)),
      probeLatency: LatencyHistogram.merge(this.probe ? [parts[parts.length - 1]!.latency] : []),
      captured: total((w) => w.captured),
      gaps: total((w) => w.gaps),
      resyncs: total((w) => w.resyncs),
      errors: total((w) => w.errors),
      ...(firstError ? { firstError } : {}),
      unexpectedCloses: total((w) => w.unexpectedCloses),
      fleetCpu: { user: total((w) => w.fleetCpu.user), system: total((w) => w.fleetCpu.system) },
      captureFiles: captureDir ? this.all.map((_, i) => this.captureFile(captureDir, i)) : [],
    };
  }

  async close(group: Group): Promise<void> {
    await Promise.all(this.all.map((p) => p.call('close', { group })));
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((p) => stopChild(p.child, 'SIGTERM')));
  }
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
