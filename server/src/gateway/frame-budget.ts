// Per-socket limits on what a client may send: a token bucket for frames (a flood gets
// RATE_LIMITED errors, not service) and a slower one for mistakes (bad frames, refused requests):
// when that one runs dry, the client is persistently misbehaving and only its connection is closed.
export interface Bucket {
  tokens: number;
  updated: number;
}

export interface BucketRule {
  capacity: number;
  perSecond: number;
}

export const FRAME_RULE: BucketRule = { capacity: 40, perSecond: 20 };
export const MISTAKE_RULE: BucketRule = { capacity: 20, perSecond: 0.5 };

export function fullBucket(rule: BucketRule, now: number): Bucket {
  return { tokens: rule.capacity, updated: now };
}

/** Takes one token if there is one; refills by elapsed time first. */
export function take(bucket: Bucket, rule: BucketRule, now: number): boolean {
  bucket.tokens = Math.min(rule.capacity, bucket.tokens + ((now - bucket.updated) / 1000) * rule.perSecond);
  bucket.updated = now;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}
