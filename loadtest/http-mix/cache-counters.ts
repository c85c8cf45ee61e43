// The server's cache counters, read from its /metrics (what a Prometheus scrape would see): hits by
// tier and misses, per cache and summed over every cache.
export interface CacheCounts {
  l1: number;
  redis: number;
  misses: number;
}

export type CacheCountsByName = Record<string, CacheCounts>;

const LINE = /^tickdash_cache_(hits|misses)_total\{([^}]*)\} (\S+)$/;

export async function cacheCounters(url: string): Promise<CacheCountsByName> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const counts: CacheCountsByName = {};
  for (const line of text.split('\n')) {
    const match = LINE.exec(line);
    if (!match) continue;
    const cache = /cache="([^"]+)"/.exec(match[2]!)?.[1] ?? '?';
    const c = (counts[cache] ??= { l1: 0, redis: 0, misses: 0 });
    const value = Number(match[3]);
    if (match[1] === 'misses') c.misses += value;
    else if (match[2]!.includes('tier="l1"')) c.l1 += value;
    else c.redis += value;
  }
  return counts;
}

/** after − before, per cache. */
export function countsBetween(before: CacheCountsByName, after: CacheCountsByName): CacheCountsByName {
  const out: CacheCountsByName = {};
  for (const [name, a] of Object.entries(after)) {
    const b = before[name] ?? { l1: 0, redis: 0, misses: 0 };
    out[name] = { l1: a.l1 - b.l1, redis: a.redis - b.redis, misses: a.misses - b.misses };
  }
  return out;
}

export function total(counts: CacheCountsByName): CacheCounts {
  const sum = { l1: 0, redis: 0, misses: 0 };
  for (const c of Object.values(counts)) {
    sum.l1 += c.l1;
    sum.redis += c.redis;
    sum.misses += c.misses;
  }
  return sum;
}

export function hitRate(c: CacheCounts | undefined): number {
  if (!c) return NaN;
  const hits = c.l1 + c.redis;
  return hits + c.misses === 0 ? NaN : hits / (hits + c.misses);
}
