// A clock for tests of timer-driven code: time moves only when the test advances it, and due
// timers fire at their own time, in order.
import type { Clock } from '../src/gateway/flush-scheduler.js';

export class FakeClock implements Clock {
  private time = 0;
  private readonly timers = new Map<object, { at: number; fn: () => void }>();

  now = () => this.time;

  setTimeout = (fn: () => void, ms: number): unknown => {
    const handle = {};
    this.timers.set(handle, { at: this.time + ms, fn });
    return handle;
  };

  clearTimeout = (handle: unknown): void => {
    this.timers.delete(handle as object);
  };

  get pending(): number {
    return this.timers.size;
  }

  advanceTo(until: number): void {
    for (;;) {
      const due = [...this.timers].filter(([, t]) => t.at <= until).sort(([, a], [, b]) => a.at - b.at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].fn();
    }
    this.time = until;
  }

  advance(ms: number): void {
    this.advanceTo(this.time + ms);
  }
}
