// The ranges a trader picks and what each reads: the coarsest aggregate that still draws the range
// as a useful curve (about 1,440 points for a day, 168 to 744 for a week or a month, one per day
// beyond). Calendar arithmetic is in UTC, so YTD starts on January 1st 00:00 UTC.
import type { Resolution } from '../store/candles.js';

export const RANGES = ['1D', '1W', '1M', 'YTD', '1Y', 'MAX'] as const;
export type Range = (typeof RANGES)[number];

export interface RangeWindow {
  /** Inclusive start and exclusive end, ms since the Unix epoch. */
  from: number;
  to: number;
  resolution: Resolution;
}

const DAY_MS = 86_400_000;

export function isRange(value: string): value is Range {
  return (RANGES as readonly string[]).includes(value);
}

/** `firstActivity` (the portfolio's first transaction) starts MAX; without one MAX is empty. */
export function rangeWindow(range: Range, now: number, firstActivity?: number): RangeWindow {
  const shifted = (months: number, years: number) => {
    const d = new Date(now);
    d.setUTCFullYear(d.getUTCFullYear() - years, d.getUTCMonth() - months);
    return d.getTime();
  };
  switch (range) {
    case '1D':
      return { from: now - DAY_MS, to: now, resolution: '1m' };
    case '1W':
      return { from: now - 7 * DAY_MS, to: now, resolution: '1h' };
    case '1M':
      return { from: shifted(1, 0), to: now, resolution: '1h' };
    case 'YTD':
      return { from: Date.UTC(new Date(now).getUTCFullYear(), 0, 1), to: now, resolution: '1d' };
    case '1Y':
      return { from: shifted(0, 1), to: now, resolution: '1d' };
    case 'MAX':
      return { from: Math.min(firstActivity ?? now, now), to: now, resolution: '1d' };
  }
}
