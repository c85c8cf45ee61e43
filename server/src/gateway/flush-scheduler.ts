// Conflation in time: the first batch of ticks after a quiet spell is flushed at once (lowest
// latency); while ticks keep coming, flushes happen at most once per interval and everything in
// between is merged into them by the engine (bounded work per portfolio, whatever the tick rate).
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export class FlushScheduler {
  private lastFlush = -Infinity;
  private timer: unknown;
  /** Requests merged into a later flush instead of flushing at once. */
  conflated = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly flush: () => void,
    private readonly clock: Clock = realClock,
  ) {}

  /** New work is waiting: flush now if the last flush is old enough, else once the interval ends. */
  request(): void {
    if (this.timer !== undefined) {
      this.conflated++;
      return;
    }
    const wait = this.lastFlush + this.intervalMs - this.clock.now();
    if (wait <= 0) this.run();
    else this.timer = this.clock.setTimeout(() => this.run(), wait);
  }

  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private run(): void {
    this.timer = undefined;
    this.lastFlush = this.clock.now();
    this.flush();
  }
}
