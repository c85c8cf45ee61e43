// How long a failed job waits before its next attempt: exponential from `baseMs`, capped at `maxMs`.
// No jitter: jobs fail for their own reasons (one bad portfolio), not all at once after an outage,
// and a fixed schedule is what an operator reading a job's record expects to see.

/** The wait after the `attempt`-th failed attempt (1-based): base, 2 x base, 4 x base, ... capped. */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
}
