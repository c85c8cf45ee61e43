// Binary search over ascending numbers, shared by the alert evaluator (price levels) and the daily
// closes held in memory (bucket times).

/** The index of the first of the ascending `values` at or above `x` (their length when none is). */
export function firstAtOrAbove(values: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
