// Time-weighted return: the growth of money left alone in the portfolio, so deposits and
// withdrawals do not count as performance. The series is cut at every bucket; a bucket's external
// flow F_i (deposits minus withdrawals during it) is treated as arriving at its start, so
//   r_i = V_i / (V_{i-1} + F_i) - 1   and   TWR_n = (1 + r_1)(1 + r_2)...(1 + r_n) - 1.
// A bucket with no money at its start (V_{i-1} + F_i <= 0) has no return. docs/history.md has more.

/** Cumulative TWR at each point (0 at the first); values and flows in cents, same length. */
export function timeWeightedReturns(values: readonly number[], flows: readonly number[]): number[] {
  const out: number[] = new Array(values.length);
  let growth = 1;
  for (let i = 0; i < values.length; i++) {
    if (i > 0) {
      const start = values[i - 1]! + flows[i]!;
      if (start > 0) growth *= values[i]! / start;
    }
    out[i] = growth - 1;
  }
  return out;
}
