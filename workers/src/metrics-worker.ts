// The worker side of the metrics pool: the metric functions, exposed to the parent through comlink.
// Every call runs to completion before the next message is read, so one worker runs one task at a time.
import { workerData } from 'node:worker_threads';
import { allocationDrift, portfolioMetrics } from './metrics/index.js';
import { exposeToParent } from './thread.js';

export interface MetricsWorkerData {
  /** Enables the `__…ForTest` methods; only the pool's own tests set it. */
  testHooks?: boolean;
}

/** The ways a test can make a worker die, each one a real death the pool has to survive. */
export type CrashMode = 'exit' | 'uncaught' | 'out-of-memory';

const testHooks = (workerData as MetricsWorkerData | undefined)?.testHooks === true;

function requireTestHooks(): void {
  if (!testHooks) throw new Error('test hooks are disabled in this worker');
}

const api = {
  portfolioMetrics,
  allocationDrift,
  /** Answers once the module has loaded: the pool's readiness check. */
  ping(): true {
    return true;
  },

  __crashForTest(mode: CrashMode): Promise<never> {
    requireTestHooks();
    if (mode === 'exit') process.exit(70);
    if (mode === 'uncaught') {
      // Thrown outside the comlink call, so nothing catches it and the thread dies, the call pending.
      return new Promise<never>(() =>
        setImmediate(() => {
          throw new Error('worker crashed for a test');
        }),
      );
    }
    const hoard: number[][] = [];
    for (;;) hoard.push(new Array<number>(1_000_000).fill(hoard.length));
  },
  __throwForTest(message: string): never {
    requireTestHooks();
    throw new Error(message);
  },
  /** Keeps the worker busy for `ms` (a long computation), then returns `value`. */
  __busyForTest<T>(ms: number, value: T): T {
    requireTestHooks();
    const end = Date.now() + ms;
    while (Date.now() < end) {
      // spin
    }
    return value;
  },
};

export type MetricsWorkerApi = typeof api;

await exposeToParent(api);
