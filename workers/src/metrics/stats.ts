// The few statistics the metrics share. Two passes (mean first, then squared deviations) rather than
// one running sum of squares, which loses precision when returns are small next to their mean.

/** Trading days per year: the annualisation factor for daily figures. */
export const TRADING_DAYS = 252;

/**
 * A daily standard deviation below this is floating-point noise, not risk: a series growing by the
 * same 1 % every day yields about 1e-18, and dividing by it would report a Sharpe of 1e16.
 */
export const ZERO_DEVIATION = 1e-12;

export function mean(a: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]!;
  return sum / a.length;
}

/** Sample variance (divides by n − 1); NaN for fewer than two values, so callers check first. */
export function sampleVariance(a: Float64Array): number {
  const m = mean(a);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - m) ** 2;
  return sum / (a.length - 1);
}

/** Sample covariance of two equally long arrays (divides by n − 1). */
export function sampleCovariance(a: Float64Array, b: Float64Array): number {
  const ma = mean(a);
  const mb = mean(b);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - ma) * (b[i]! - mb);
  return sum / (a.length - 1);
}

/** Sample standard deviation with noise below ZERO_DEVIATION reported as exactly 0. */
export function sampleStdev(a: Float64Array): number {
  const s = Math.sqrt(sampleVariance(a));
  return s < ZERO_DEVIATION ? 0 : s;
}
