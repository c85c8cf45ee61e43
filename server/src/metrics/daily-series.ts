// Risk metrics are daily measures (annualised with √252): a history drawn at minute or hour
// resolution is first reduced to one observation per UTC day, its last value, with the day's flows
// summed. A one-day range therefore has too few days for most figures, which then come back null.
import type { HistoryResponse } from '../history/portfolio-history.js';

const DAY_MS = 86_400_000;

export interface DailySeries {
  timestamps: Float64Array;
  values: Float64Array;
  flows: Float64Array;
}

export function dailySeries(history: Pick<HistoryResponse, 'points'>): DailySeries {
  const { time, value, netFlow } = history.points;
  const days: number[] = [];
  const values: number[] = [];
  const flows: number[] = [];
  for (let i = 0; i < time.length; i++) {
    const day = Math.floor(time[i]! / DAY_MS);
    if (days.length && days[days.length - 1] === day) {
      values[values.length - 1] = value[i]!;
      flows[flows.length - 1]! += netFlow[i]!;
    } else {
      days.push(day);
      values.push(value[i]!);
      flows.push(netFlow[i]!);
    }
  }
  return {
    timestamps: Float64Array.from(days, (d) => d * DAY_MS),
    values: Float64Array.from(values),
    flows: Float64Array.from(flows),
  };
}

/** The benchmark's closes on the same days (the last close of each day; days without one skipped). */
export function dailyBenchmark(
  history: Pick<HistoryResponse, 'points' | 'benchmark'>,
): { timestamps: Float64Array; values: Float64Array } | undefined {
  const closes = history.benchmark?.close;
  if (!closes) return undefined;
  const last = new Map<number, number>();
  history.points.time.forEach((t, i) => {
    const close = closes[i];
    if (close !== null && close !== undefined && close > 0) last.set(Math.floor(t / DAY_MS), close);
  });
  const days = [...last.keys()].sort((a, b) => a - b);
  return {
    timestamps: Float64Array.from(days, (d) => d * DAY_MS),
    values: Float64Array.from(days, (d) => last.get(d)!),
  };
}
