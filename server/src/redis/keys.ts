// Every Redis key the product uses, in one place, behind one prefix (so tests and several
// deployments can share a Redis without touching each other's data).
export interface RedisKeys {
  /** The tick stream producers XADD to (see docs/streams.md). */
  ticks: string;
  /** A session, by SHA-256 of its token. */
  session(tokenHash: string): string;
  /** Pub/sub channel: a portfolio's positions or targets changed (its id is the message). */
  portfolioChanges: string;
  /** Pub/sub channel: a frame for one user's sockets on whichever gateway holds them ("<userId> <frame>"). */
  userNotices: string;
  /** Held by the one process that evaluates alerts (SET NX PX, renewed). */
  alertLease: string;
  /** Pub/sub channel: an alert was created, changed or deleted (its id is the message). */
  alertChanges: string;
  /** Base of the job queue's keys: streams, records, results, retries, dead letters (docs/jobs.md). */
  jobs: string;
  /** Failed logins in the current window, per username or per client address. */
  loginFailures(kind: 'user' | 'ip', id: string): string;
  /** The consumer group of the tick persister on `ticks` (a group name, not a key). */
  persistGroup: string;
  /** Rejected ticks with their reason and original fields (docs/streams.md). */
  deadTicks: string;
  /** How many ticks were ever rejected (the dead-letter stream itself is capped). */
  deadTicksCount: string;
  /** A portfolio's data version: bumped by every write, part of every cached answer's key. */
  cacheVersion(portfolioId: number): string;
  /** One cached API answer (docs/caching.md). */
  cacheEntry(cache: string, portfolioId: number, version: string, field: string): string;
  /** Recently read cached answers, warmed again by a starting gateway (sorted set). */
  cacheRecent: string;
}

export function redisKeys(prefix: string): RedisKeys {
  return {
    ticks: `${prefix}ticks`,
    session: (tokenHash) => `${prefix}session:${tokenHash}`,
    portfolioChanges: `${prefix}portfolio-changed`,
    userNotices: `${prefix}user-notices`,
    alertLease: `${prefix}alerts:lease`,
    alertChanges: `${prefix}alerts:changed`,
    jobs: `${prefix}jobs`,
    loginFailures: (kind, id) => `${prefix}login-fail:${kind}:${id}`,
    persistGroup: 'persist',
    deadTicks: `${prefix}ticks:dead`,
    deadTicksCount: `${prefix}ticks:dead:count`,
    cacheVersion: (portfolioId) => `${prefix}cache:version:${portfolioId}`,
    cacheEntry: (cache, portfolioId, version, field) => `${prefix}cache:${cache}:${portfolioId}:${version}:${field}`,
    cacheRecent: `${prefix}cache:recent`,
  };
}
