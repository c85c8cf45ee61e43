// Every Redis key the product uses, in one place, behind one prefix (so tests and several
// deployments can share a Redis without touching each other's data).
export interface RedisKeys {
  /** The tick stream producers XADD to (see docs/streams.md). */
  ticks: string;
  /** A session, by SHA-256 of its token. */
  session(tokenHash: string): string;
}

export function redisKeys(prefix: string): RedisKeys {
  return {
    ticks: `${prefix}ticks`,
    session: (tokenHash) => `${prefix}session:${tokenHash}`,
  };
}
