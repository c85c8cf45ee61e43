// Task timings for the pool's stats, on Node's own HDR histogram (microsecond resolution).
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

export interface TimingSummary {
  count: number;
  /** Milliseconds; 0 while nothing was recorded. */
  last: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

export class Timings {
  #histogram: RecordableHistogram = createHistogram();
  #last = 0;

  record(ms: number): void {
    this.#last = ms;
    // The histogram takes integers of at least 1.
    this.#histogram.record(Math.max(1, Math.round(ms * 1000)));
  }

  summary(): TimingSummary {
    const h = this.#histogram;
    if (h.count === 0) return { count: 0, last: 0, mean: 0, p50: 0, p99: 0, max: 0 };
    return {
      count: h.count,
      last: this.#last,
      mean: h.mean / 1000,
      p50: h.percentile(50) / 1000,
      p99: h.percentile(99) / 1000,
      max: h.max / 1000,
    };
  }
}
