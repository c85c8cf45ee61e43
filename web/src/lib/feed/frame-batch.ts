// Collects frames as they arrive and hands them over once per animation frame, so a burst of
// deltas costs one state update and one render instead of one each.

/** Browsers pause requestAnimationFrame in background tabs; past this many queued frames we
 * apply them at once so memory stays bounded while nobody is looking. */
const MAX_QUEUED = 500;

export class FrameBatch<T> {
  readonly #flush: (items: T[]) => void;
  #queue: T[] = [];
  #scheduled = 0;

  constructor(flush: (items: T[]) => void) {
    this.#flush = flush;
  }

  push(item: T): void {
    this.#queue.push(item);
    if (this.#queue.length >= MAX_QUEUED) this.#drain();
    else if (this.#scheduled === 0) this.#scheduled = requestAnimationFrame(() => this.#drain());
  }

  clear(): void {
    cancelAnimationFrame(this.#scheduled);
    this.#scheduled = 0;
    this.#queue = [];
  }

  #drain(): void {
    const items = this.#queue;
    this.clear();
    if (items.length > 0) this.#flush(items);
  }
}
