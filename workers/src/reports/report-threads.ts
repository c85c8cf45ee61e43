// Worker threads that render exports, started on first use and replaced when one dies. A render
// whose thread dies rejects (comlink alone would leave it pending forever), so the job fails its
// attempt and the queue retries it.
import type { ResourceLimits } from 'node:worker_threads';
import { startThread, type Thread } from '../thread.js';
import type { ReportWorkerApi } from './report-worker.js';
import type { RenderRequest } from './types.js';

/** A year of minute points is a few MB of strings; the cap only stops a runaway. */
const RESOURCE_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 256 };

interface Slot {
  thread: Thread<ReportWorkerApi>;
  /** Rejects when the thread exits. */
  exited: Promise<never>;
  busy: number;
}

export class ReportRenderError extends Error {
  override name = 'ReportRenderError';
}

export class ReportThreads {
  readonly #slots: (Slot | undefined)[];
  #closed = false;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('size must be an integer of at least 1');
    this.#slots = new Array<Slot | undefined>(size).fill(undefined);
  }

  async render(request: RenderRequest): Promise<string> {
    if (this.#closed) throw new ReportRenderError('report threads are closed');
    const slot = this.#pick();
    slot.busy++;
    try {
      return await Promise.race([slot.thread.api.render(request), slot.exited]);
    } finally {
      slot.busy--;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const slots = this.#slots.splice(0);
    await Promise.all(slots.map((slot) => slot?.thread.terminate()));
  }

  /** The least busy thread, started if its place is empty. */
  #pick(): Slot {
    let best = 0;
    for (let i = 0; i < this.#slots.length; i++) {
      const slot = this.#slots[i];
      if (!slot) return this.#start(i);
      if (slot.busy < this.#slots[best]!.busy) best = i;
    }
    return this.#slots[best]!;
  }

  #start(index: number): Slot {
    const thread = startThread<ReportWorkerApi>(import.meta.url, 'report-worker', undefined, {
      resourceLimits: RESOURCE_LIMITS,
    });
    let error: Error | undefined;
    thread.worker.on('error', (err) => (error = err));
    const exited = new Promise<never>((_, reject) =>
      thread.worker.once('exit', (code) => {
        if (this.#slots[index] === slot) this.#slots[index] = undefined;
        reject(new ReportRenderError(`report worker exited (code ${code})${error ? `: ${error.message}` : ''}`));
      }),
    );
    exited.catch(() => undefined);
    const slot: Slot = { thread, exited, busy: 0 };
    this.#slots[index] = slot;
    return slot;
  }
}
