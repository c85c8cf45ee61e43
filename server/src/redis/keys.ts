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
  /** Failed logins in the current window, per username or per client address. */
  loginFailures(kind: 'user' | 'ip', id: string): string;
  /** The consumer group of the tick persister on `ticks` (a group name, not a key). */
  persistGroup: string;
  /** Rejected ticks with their reason and original fields (docs/streams.md). */
  deadTicks: string;
  /** How many ticks were ever rejected (the dead-letter stream itself is capped). */
  deadTicksCount: string;
  /** A portfolio's cached history responses, one hash field per range and benchmark. */
  history(portfolioId: number): string;
}

export function redisKeys(prefix: string): RedisKeys {
  return {
    ticks: `${prefix}ticks`,
    session: (tokenHash) => `${prefix}session:${tokenHash}`,
    portfolioChanges: `${prefix}portfolio-changed`,
    userNotices: `${prefix}user-notices`,
    loginFailures: (kind, id) => `${prefix}login-fail:${kind}:${id}`,
    persistGroup: 'persist',
    deadTicks: `${prefix}ticks:dead`,
    deadTicksCount: `${prefix}ticks:dead:count`,
    history: (portfolioId) => `${prefix}history:${portfolioId}`,
  };
}
