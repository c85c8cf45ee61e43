// A fixed-size pool of worker threads running the metric functions, so a year of daily returns for
// a thousand portfolios never stalls the event loop that serves sockets. One task per worker at a
// time; the rest wait in a bounded FIFO queue. A task that throws rejects alone; a worker that dies
// rejects only the task it was running and is replaced, and the queue carries on.
import { availableParallelism } from 'node:os';
import type { ResourceLimits } from 'node:worker_threads';
import * as Comlink from 'comlink';
import type { AllocationDrift, MetricsRequest, PortfolioMetrics, Weights } from '../metrics/index.js';
import { MetricsInputError } from '../metrics/index.js';
import type { MetricsWorkerApi, MetricsWorkerData } from '../metrics-worker.js';
import { startThread, type Thread } from '../thread.js';
import { PoolBusyError, PoolClosedError, TaskTimeoutError, WorkerCrashedError } from './errors.js';
import { Fifo } from './fifo.js';
import { buffersOf, takeOwnership } from './ownership.js';
import { Timings, type TimingSummary } from './timings.js';

export interface MetricsPoolOptions {
  /** Worker threads; default one per core but one, at least one (the main thread keeps a core). */
  size?: number;
  /** Tasks that may wait for a worker; past that, submissions reject with PoolBusyError. */
  maxQueue?: number;
  /** A task running longer is abandoned: its worker is terminated and replaced. 0 = no limit. */
  taskTimeoutMs?: number;
  /** Per-worker V8 heap limits, so a runaway task kills its worker, not the process. */
  resourceLimits?: ResourceLimits;
  /** Told about every worker that died or was terminated for a timeout, for the log. */
  onWorkerLost?: (error: WorkerCrashedError | TaskTimeoutError) => void;
  /** Tests only: enables the worker's `__…ForTest` methods. */
  testHooks?: boolean;
}

export const DEFAULT_MAX_QUEUE = 1_000;
/** Metrics over ten years of daily data take milliseconds: 30 s means the worker is stuck. */
export const DEFAULT_TASK_TIMEOUT_MS = 30_000;
/** A year of daily series needs a few MB; the cap only stops a runaway. */
export const DEFAULT_RESOURCE_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 256 };
/** Back-off between replacements while workers keep dying without finishing a task. */
const RESPAWN_BACKOFF_MS = 100;
const RESPAWN_BACKOFF_MAX_MS = 5_000;
/**
 * Workers that die before loading this many times in a row (a broken build, limits too small to
 * load the module) fail the queued tasks rather than leave their callers waiting on a pool that
 * cannot start; it keeps trying, with back-off, for the tasks that come next.
 */
const FAILED_STARTS_BEFORE_REJECTING = 3;

export function defaultPoolSize(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** Methods a task may call: everything the worker exposes but its readiness check. */
type TaskMethod = Exclude<keyof MetricsWorkerApi, 'ping'>;
type TaskArgs<M extends TaskMethod> = Parameters<MetricsWorkerApi[M]>;
type TaskResult<M extends TaskMethod> = Awaited<ReturnType<MetricsWorkerApi[M]>>;

interface Task {
  method: TaskMethod;
  args: unknown[];
  transfers: ArrayBuffer[];
  resolve(value: unknown): void;
  reject(error: unknown): void;
  queuedAt: number;
  startedAt: number;
  settled: boolean;
}

interface Slot {
  id: number;
  thread: Thread<MetricsWorkerApi>;
  task: Task | null;
  timer: NodeJS.Timeout | undefined;
  /** Terminated on purpose (task timeout or close): not a crash. */
  retiring: boolean;
  terminated: Promise<void> | undefined;
  /** The worker's uncaught error, reported with its exit. */
  error: Error | undefined;
  /** Settles when the worker answers its first ping, or rejects when it dies first. */
  started: Promise<void>;
  loaded: boolean;
}

export interface MetricsPoolStats {
  size: number;
  /** Workers alive now (below size while a replacement starts). */
  workers: number;
  busy: number;
  queued: number;
  maxQueue: number;
  completed: number;
  /** Tasks that threw (bad input included). */
  failed: number;
  /** Workers that died on their own (their task, if any, rejected with WorkerCrashedError). */
  crashed: number;
  timedOut: number;
  /** Submissions refused with PoolBusyError. */
  rejectedBusy: number;
  /** From dispatch to result, worker time plus messaging. */
  taskMs: TimingSummary;
  /** From submission to dispatch. */
  queueWaitMs: TimingSummary;
}

type State = 'open' | 'draining' | 'closed';

export class MetricsPool {
  readonly size: number;
  readonly maxQueue: number;
  readonly #taskTimeoutMs: number;
  readonly #resourceLimits: ResourceLimits;
  readonly #onWorkerLost: MetricsPoolOptions['onWorkerLost'];
  readonly #workerData: MetricsWorkerData;
  readonly #slots = new Set<Slot>();
  readonly #idle: Slot[] = [];
  readonly #queue = new Fifo<Task>();
  readonly #respawnTimers = new Set<NodeJS.Timeout>();
  #state: State = 'open';
  #closing: Promise<void> | undefined;
  #drained: (() => void) | undefined;
  #nextId = 1;
  #consecutiveCrashes = 0;
  #failedStarts = 0;
  readonly #counts = { completed: 0, failed: 0, crashed: 0, timedOut: 0, rejectedBusy: 0 };
  readonly #taskTimings = new Timings();
  readonly #waitTimings = new Timings();

  constructor(options: MetricsPoolOptions = {}) {
    this.size = options.size ?? defaultPoolSize();
    this.maxQueue = options.maxQueue ?? DEFAULT_MAX_QUEUE;
    this.#taskTimeoutMs = options.taskTimeoutMs ?? DEFAULT_TASK_TIMEOUT_MS;
    if (!Number.isInteger(this.size) || this.size < 1) throw new RangeError('size must be an integer of at least 1');
    if (!Number.isInteger(this.maxQueue) || this.maxQueue < 0) throw new RangeError('maxQueue must be an integer ≥ 0');
    if (!(this.#taskTimeoutMs >= 0)) throw new RangeError('taskTimeoutMs must be ≥ 0');
    this.#resourceLimits = options.resourceLimits ?? DEFAULT_RESOURCE_LIMITS;
    this.#onWorkerLost = options.onWorkerLost;
    this.#workerData = { testHooks: options.testHooks === true };
    for (let i = 0; i < this.size; i++) this.#spawn();
  }

  /** Resolves once every worker has loaded; rejects if one dies first. Optional: tasks queue anyway. */
  async ready(): Promise<void> {
    await Promise.all([...this.#slots].map((slot) => slot.started));
  }

  /** Every metric for one portfolio over one range. Takes ownership of the request's typed arrays. */
  portfolioMetrics(request: MetricsRequest): Promise<PortfolioMetrics> {
    return this.run('portfolioMetrics', request);
  }

  allocationDrift(current: Weights, target: Weights): Promise<AllocationDrift> {
    return this.run('allocationDrift', current, target);
  }

  /**
   * Runs `method` on the next free worker. The typed arrays in `args` are moved, not copied: from
   * this call on they are detached on the caller's side (unless it rejects with PoolBusyError or
   * PoolClosedError, which leave them alone).
   */
  run<M extends TaskMethod>(method: M, ...args: TaskArgs<M>): Promise<TaskResult<M>> {
    if (this.#state !== 'open') return Promise.reject(new PoolClosedError());
    if (this.#idle.length === 0 && this.#queue.size >= this.maxQueue) {
      this.#counts.rejectedBusy++;
      return Promise.reject(new PoolBusyError(this.maxQueue));
    }
    return new Promise<TaskResult<M>>((resolve, reject) => {
      const task: Task = {
        method,
        args,
        transfers: [],
        resolve: resolve as (value: unknown) => void,
        reject,
        queuedAt: performance.now(),
        startedAt: 0,
        settled: false,
      };
      const slot = this.#idle.pop();
      if (slot) {
        // Straight to the worker: postMessage itself detaches the caller's buffers.
        task.transfers = buffersOf(args);
        this.#dispatch(slot, task);
        return;
      }
      // Throws (DataCloneError) for what cannot cross to a worker; the promise rejects with it.
      const owned = takeOwnership(task.args);
      task.args = owned.value;
      task.transfers = owned.transfers;
      this.#queue.push(task);
    });
  }

  stats(): MetricsPoolStats {
    let busy = 0;
    for (const slot of this.#slots) if (slot.task) busy++;
    return {
      size: this.size,
      workers: this.#slots.size,
      busy,
      queued: this.#queue.size,
      maxQueue: this.maxQueue,
      ...this.#counts,
      taskMs: this.#taskTimings.summary(),
      queueWaitMs: this.#waitTimings.summary(),
    };
  }

  /**
   * Stops taking tasks and terminates the workers. With `drain` (the default) queued and running
   * tasks finish first; without, they reject with PoolClosedError. Calling it again returns the
   * same promise.
   */
  close(options: { drain?: boolean } = {}): Promise<void> {
    this.#closing ??= this.#close(options.drain ?? true);
    return this.#closing;
  }

  async #close(drain: boolean): Promise<void> {
    this.#state = 'draining';
    if (drain && !this.#isIdle()) await new Promise<void>((resolve) => (this.#drained = resolve));
    this.#state = 'closed';
    for (const timer of this.#respawnTimers) clearTimeout(timer);
    this.#respawnTimers.clear();
    for (const task of this.#queue.drain()) this.#settle(task, new PoolClosedError());
    await Promise.all([...this.#slots].map((slot) => this.#terminate(slot)));
  }

  #spawn(): void {
    const id = this.#nextId++;
    const thread = startThread<MetricsWorkerApi>(import.meta.url, '../metrics-worker', this.#workerData, {
      resourceLimits: this.#resourceLimits,
    });
    let died: (error: Error) => void = () => undefined;
    const slot: Slot = {
      id,
      thread,
      task: null,
      timer: undefined,
      retiring: false,
      terminated: undefined,
      error: undefined,
      loaded: false,
      started: new Promise<void>((resolve, reject) => {
        died = reject;
        thread.api.ping().then(() => resolve(), reject);
      }),
    };
    // Nobody may be waiting on readiness; a death is reported through the task and onWorkerLost.
    slot.started.catch(() => undefined);
    thread.worker.on('error', (error) => (slot.error = error));
    thread.worker.on('exit', (code) => {
      died(new WorkerCrashedError(id, code, slot.error));
      this.#onExit(slot, code);
    });
    this.#slots.add(slot);
    // Work goes to a worker once it has loaded, so a task's timeout never counts the start-up
    // (a second or more under tsx on a busy machine).
    slot.started.then(
      () => {
        slot.loaded = true;
        this.#failedStarts = 0;
        if (this.#slots.has(slot) && !slot.retiring) this.#becomeFree(slot);
      },
      () => undefined,
    );
  }

  #terminate(slot: Slot): Promise<void> {
    slot.retiring = true;
    slot.terminated ??= slot.thread.terminate();
    return slot.terminated;
  }

  #dispatch(slot: Slot, task: Task): void {
    slot.task = task;
    task.startedAt = performance.now();
    this.#waitTimings.record(task.startedAt - task.queuedAt);
    if (this.#taskTimeoutMs > 0) slot.timer = setTimeout(() => this.#timeOut(slot, task), this.#taskTimeoutMs);
    // Comlink collects transfer lists per argument; one carrier is enough for the whole message.
    const carrier = task.args.find((arg) => typeof arg === 'object' && arg !== null);
    if (carrier) Comlink.transfer(carrier, task.transfers);
    const call = (slot.thread.api[task.method] as (...args: unknown[]) => Promise<unknown>)(...task.args);
    call.then(
      (result) => this.#finish(slot, task, result, undefined),
      (error: unknown) => this.#finish(slot, task, undefined, error ?? new Error('task failed')),
    );
  }

  #finish(slot: Slot, task: Task, result: unknown, error: unknown): void {
    if (task.settled) return; // already rejected by a timeout or the worker's death
    clearTimeout(slot.timer);
    this.#taskTimings.record(performance.now() - task.startedAt);
    if (error === undefined) {
      this.#counts.completed++;
      this.#consecutiveCrashes = 0;
      this.#settle(task, undefined, result);
    } else {
      this.#counts.failed++;
      this.#settle(task, fromWorker(error));
    }
    slot.task = null;
    this.#becomeFree(slot);
  }

  #timeOut(slot: Slot, task: Task): void {
    if (task.settled) return;
    this.#counts.timedOut++;
    const error = new TaskTimeoutError(slot.id, this.#taskTimeoutMs);
    this.#settle(task, error);
    slot.task = null;
    this.#onWorkerLost?.(error);
    void this.#terminate(slot);
  }

  #onExit(slot: Slot, code: number): void {
    clearTimeout(slot.timer);
    this.#slots.delete(slot);
    const idleAt = this.#idle.indexOf(slot);
    if (idleAt >= 0) this.#idle.splice(idleAt, 1);
    if (this.#state === 'closed' && slot.retiring) {
      if (slot.task) this.#settle(slot.task, new PoolClosedError());
      return;
    }
    let delay = 0;
    if (!slot.retiring) {
      this.#counts.crashed++;
      this.#consecutiveCrashes++;
      const error = new WorkerCrashedError(slot.id, code, slot.error);
      if (slot.task) this.#settle(slot.task, error);
      this.#onWorkerLost?.(error);
      if (!slot.loaded && ++this.#failedStarts >= FAILED_STARTS_BEFORE_REJECTING) {
        for (const task of this.#queue.drain()) this.#settle(task, error);
      }
      if (this.#consecutiveCrashes > 1) {
        delay = Math.min(RESPAWN_BACKOFF_MAX_MS, RESPAWN_BACKOFF_MS * 2 ** (this.#consecutiveCrashes - 2));
      }
    }
    slot.task = null;
    if (this.#state === 'closed') return;
    if (delay === 0) this.#spawn();
    else {
      const timer = setTimeout(() => {
        this.#respawnTimers.delete(timer);
        if (this.#state !== 'closed') this.#spawn();
      }, delay);
      this.#respawnTimers.add(timer);
    }
    this.#checkDrained();
  }

  #becomeFree(slot: Slot): void {
    const next = this.#queue.shift();
    if (next) this.#dispatch(slot, next);
    else {
      this.#idle.push(slot);
      this.#checkDrained();
    }
  }

  #settle(task: Task, error: unknown, result?: unknown): void {
    if (task.settled) return;
    task.settled = true;
    if (error === undefined) task.resolve(result);
    else task.reject(error);
  }

  #isIdle(): boolean {
    if (this.#queue.size > 0) return false;
    for (const slot of this.#slots) if (slot.task) return false;
    return true;
  }

  #checkDrained(): void {
    if (this.#drained && this.#isIdle()) {
      const drained = this.#drained;
      this.#drained = undefined;
      drained();
    }
  }
}

// Comlink rebuilds a worker's error as a plain Error carrying name, message and stack: give input
// errors their class back so the API can answer 400 with `instanceof`.
function fromWorker(error: unknown): unknown {
  if (error instanceof Error && error.name === 'MetricsInputError') {
    const input = new MetricsInputError(error.message);
    input.stack = error.stack;
    return input;
  }
  return error;
}
