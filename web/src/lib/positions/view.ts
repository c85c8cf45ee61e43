// What the positions table shows: the rows that pass the filter, in the chosen order, and which of
// them are inside the scrolled window. Pure, so the table stays a thin view over it.

import type { Position } from '../feed/types';

export type SortKey = 'symbol' | 'name' | 'quantity' | 'price' | 'dayChange' | 'value' | 'pnl' | 'weight';

export interface Sort {
  key: SortKey;
  descending: boolean;
}

/** Day change of one position in percent of its value at the previous close; 0 without a close. */
export function dayChangePct(position: Position): number {
  return position.previousClose > 0 ? (position.price / position.previousClose - 1) * 100 : 0;
}

/**
 * Rows whose symbol or name contains `filter` (case-insensitive), sorted by `sort` (ties keep the
 * snapshot's order). Without a filter or a sort, `positions` itself comes back: no copy per batch.
 */
export function viewPositions(positions: readonly Position[], filter: string, sort: Sort | null): readonly Position[] {
  const needle = filter.trim().toLowerCase();
  let rows = needle
    ? positions.filter((p) => p.symbol.toLowerCase().includes(needle) || p.name.toLowerCase().includes(needle))
    : positions;
  if (sort) {
    const { key, descending } = sort;
    const sign = descending ? -1 : 1;
    rows = rows.slice().sort((a, b) => {
      const x = a[key];
      const y = b[key];
      return sign * (typeof x === 'string' ? x.localeCompare(y as string) : (x as number) - (y as number));
    });
  }
  return rows;
}

/** The first sort of a column is ascending for text and descending for figures (largest first). */
export function nextSort(current: Sort | null, key: SortKey): Sort {
  if (current?.key === key) return { key, descending: !current.descending };
  return { key, descending: key !== 'symbol' && key !== 'name' };
}

/**
 * The rows [start, end) to render for a scroller of `height` px scrolled to `top`, with `overscan`
 * extra rows on each side so a fast scroll does not show blank space before the next frame.
 */
export function rowWindow(
  count: number,
  top: number,
  height: number,
  rowHeight: number,
  overscan: number,
): { start: number; end: number } {
  const start = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const end = Math.min(count, Math.ceil((top + height) / rowHeight) + overscan);
  return { start: Math.min(start, end), end };
}

/**
 * The `count` items with the largest `score`, largest first (ties in input order): one pass and no
 * copy of the list, for a panel that shows a handful of 1,000 rows on every batch.
 */
export function largest<T>(items: readonly T[], count: number, score: (item: T) => number): T[] {
  const top: T[] = [];
  const scores: number[] = [];
  for (const item of items) {
    const s = score(item);
    if (top.length === count && s <= scores[count - 1]!) continue;
    let i = top.length === count ? count - 1 : top.length;
    while (i > 0 && scores[i - 1]! < s) {
      top[i] = top[i - 1]!;
      scores[i] = scores[i - 1]!;
      i--;
    }
    top[i] = item;
    scores[i] = s;
  }
  return top;
}
