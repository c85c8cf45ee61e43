// Best and worst single day.
import type { DailyReturns } from './series.js';

export interface DayReturn {
  /** The day the return ends on. */
  at: number;
  return: number;
}

/** The highest and lowest daily return; on a tie, the earliest day. Null without a single return. */
export function bestAndWorstDay(daily: DailyReturns): { best: DayReturn; worst: DayReturn } | null {
  const { timestamps, returns } = daily;
  if (returns.length === 0) return null;
  let best = 0;
  let worst = 0;
  for (let i = 1; i < returns.length; i++) {
    if (returns[i]! > returns[best]!) best = i;
    if (returns[i]! < returns[worst]!) worst = i;
  }
  return {
    best: { at: timestamps[best]!, return: returns[best]! },
    worst: { at: timestamps[worst]!, return: returns[worst]! },
  };
}
