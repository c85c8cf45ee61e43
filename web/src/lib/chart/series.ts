// The performance chart's data: the history API's columns as uPlot takes them (time in seconds,
// returns in percent), and live points appended from the socket between two history fetches.

import type { History, Range } from '../api';

/** [time (s), value, time-weighted return (%), benchmark return (%)] */
export type ChartData = [number[], number[], (number | null)[], (number | null)[]];

/** The width of one history bucket per range (docs/history.md): live points share a bucket. */
export const BUCKET_SECONDS: Record<Range, number> = {
  '1D': 60,
  '1W': 3600,
  '1M': 3600,
  YTD: 86_400,
  '1Y': 86_400,
  MAX: 86_400,
};

export function toChartData(history: History): ChartData {
  const { time, value, twr } = history.points;
  const benchmark = history.benchmark?.return;
  return [
    time.map((t) => t / 1000),
    value.slice(),
    twr.map((r) => r * 100),
    time.map((_, i) => (benchmark?.[i] == null ? null : benchmark[i]! * 100)),
  ];
}

/**
 * Appends live values to `data`: one point per bucket, the newest value overwriting the point of
 * the bucket it falls in (the history's own last point included: the feed is fresher than stored
 * candles), so a day-long session on a daily chart adds one point, not thousands. The return
 * chains on from the last history point as if no money moved since (a deposit shows up at the next
 * fetch); the benchmark is not streamed, so live points carry none.
 */
export class LiveTail {
  readonly #data: ChartData;
  readonly #bucket: number;
  readonly #baseValue: number;
  readonly #baseReturn: number;
  readonly #from: number;

  /** `fromMs`: the range's start; a value stamped before it (a snapshot of a quiet market) is not news. */
  constructor(data: ChartData, bucketSeconds: number, fromMs = 0) {
    this.#data = data;
    this.#bucket = bucketSeconds;
    this.#from = fromMs / 1000;
    const last = data[0].length - 1;
    this.#baseValue = data[1][last] ?? 0;
    this.#baseReturn = data[2][last] ?? 0;
  }

  /** Returns whether the data changed. */
  add(atMs: number, value: number): boolean {
    const [time, values, returns, benchmark] = this.#data;
    const at = atMs / 1000;
    if (at < this.#from) return false;
    const last = time.length - 1;
    const growth = this.#baseValue > 0 ? (1 + this.#baseReturn / 100) * (value / this.#baseValue) - 1 : null;
    const twr = growth === null ? null : growth * 100;
    if (last >= 0) {
      const lastBucket = Math.floor(time[last]! / this.#bucket);
      const bucket = Math.floor(at / this.#bucket);
      if (bucket < lastBucket) return false;
      if (bucket === lastBucket) {
        if (values[last] === value && at <= time[last]!) return false;
        time[last] = Math.max(time[last]!, at);
        values[last] = value;
        returns[last] = twr;
        return true;
      }
    }
    time.push(at);
    values.push(value);
    returns.push(twr);
    benchmark.push(null);
    return true;
  }
}
