// Maximum drawdown on the flow-adjusted growth index, so a withdrawal is not mistaken for a loss.

/**
 * The index is a chained product: a series back at an earlier value can land a few ulps below it.
 * A level within this relative distance of the peak counts as the peak (no fall, or recovered).
 */
const LEVEL_TOLERANCE = 1e-12;

export interface Drawdown {
  /** Largest fall from a running peak, as a positive fraction (0.25 = the index lost 25 %). */
  depth: number;
  /** Last day the index stood at that peak before the fall; null when depth is 0. */
  peakAt: number | null;
  /** Day of the lowest point; null when depth is 0. */
  troughAt: number | null;
  /** First day after the trough the index was back at or above the peak; null if it never was. */
  recoveredAt: number | null;
}

/**
 * `index` is the growth index at each of `timestamps` (see growthIndex). The deepest fall wins;
 * among equally deep falls, the earliest. Null for fewer than two observations.
 */
export function maxDrawdown(timestamps: Float64Array, index: Float64Array): Drawdown | null {
  if (index.length < 2) return null;
  let peak = index[0]!;
  let peakAt = 0;
  let depth = 0;
  let worstPeak = peak;
  let worstPeakAt = -1;
  let worstTroughAt = -1;
  for (let i = 1; i < index.length; i++) {
    const v = index[i]!;
    if (v >= peak * (1 - LEVEL_TOLERANCE)) {
      peak = Math.max(peak, v);
      peakAt = i;
      continue;
    }
    const fall = 1 - v / peak;
    if (fall > depth) {
      depth = fall;
      worstPeak = peak;
      worstPeakAt = peakAt;
      worstTroughAt = i;
    }
  }
  if (worstTroughAt < 0) return { depth: 0, peakAt: null, troughAt: null, recoveredAt: null };

  const recoveryLevel = worstPeak * (1 - LEVEL_TOLERANCE);
  let recoveredAt: number | null = null;
  for (let i = worstTroughAt + 1; i < index.length; i++) {
    if (index[i]! >= recoveryLevel) {
      recoveredAt = timestamps[i]!;
      break;
    }
  }
  return { depth, peakAt: timestamps[worstPeakAt]!, troughAt: timestamps[worstTroughAt]!, recoveredAt };
}
