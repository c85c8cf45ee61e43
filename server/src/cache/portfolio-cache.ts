// API answers that depend on one portfolio's data, cached in two tiers: an in-process LRU (L1,
// short TTL, no round trip) in front of Redis (shared by every gateway, longer TTL).
//
// Keys are versioned: every entry is stored under the portfolio's data version, a Redis counter
// that `changed()` bumps when a transaction or new targets are written. A reader asks for the
// current version, so an entry computed before a write is never read again, even one a slow
// computation stores after the write (deletes would resurrect it). The version itself is held in
// L1 too, so an L1 hit costs no round trip; `forget()` drops it when another gateway announces a
// change (portfolio-changes pub/sub), and its TTL bounds staleness should an announcement be lost.
//
// Some answers also go stale without a write: `Freshness` says which aggregate watermark an entry
// was computed at and how old it may get (history-cache rules, docs/caching.md).
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { RedisKeys } from '../redis/keys.js';

/** One name per kind of answer: a label on the hit and miss counters. */
export type CacheName = 'portfolio' | 'history' | 'portfolio-metrics';
export type CacheTier = 'l1' | 'redis';

export interface Freshness {
  /** An entry computed at another stamp (an aggregate's watermark) is stale. */
  stamp?: number;
  /** An entry older than this is stale (bounds the age of a real-time bucket). */
  maxAgeMs?: number;
}

export interface CacheCounters {
  hit(cache: CacheName, tier: CacheTier): void;
  miss(cache: CacheName): void;
}

export interface PortfolioCacheOptions {
  redis: Redis;
  keys: Pick<RedisKeys, 'cacheVersion' | 'cacheEntry'>;
  /** Off: every read computes (the benchmark's baseline); writes still bump versions. */
  enabled: boolean;
  l1Entries: number;
  l1TtlMs: number;
  redisTtlSeconds: number;
  counters?: CacheCounters;
  /** Called with (cache, portfolio, field) on every read, e.g. to remember what to warm. */
  onRead?: (cache: CacheName, portfolioId: number, field: string) => void;
  now?: () => number;
}

interface Entry {
  at: number;
  stamp: number | null;
  value: unknown;
}

/** Versions outlive every entry stored under them, so a version never restarts under live entries. */
const VERSION_TTL_SECONDS = 30 * 24 * 3600;

export class PortfolioCache {
  private readonly entries: LRUCache<string, Entry>;
  private readonly versions: LRUCache<number, string>;
  /** Bumped by forget(): a version read that raced a change must not be kept. */
  private readonly generations = new Map<number, number>();
  /** One computation per key at a time; concurrent readers share it. */
  private readonly pending = new Map<string, Promise<unknown>>();
  private readonly now: () => number;
  readonly stats = { l1Hits: 0, redisHits: 0, misses: 0 };

  constructor(private readonly o: PortfolioCacheOptions) {
    this.entries = new LRUCache({ max: o.l1Entries, ttl: o.l1TtlMs, ttlAutopurge: false });
    this.versions = new LRUCache({ max: o.l1Entries, ttl: o.l1TtlMs });
    this.now = o.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.o.enabled;
  }

  /**
   * The cached value of (cache, portfolio, field) while it is fresh, else `compute()`'s, stored in
   * both tiers. `undefined` (nothing found) is never stored.
   */
  async read<T>(
    cache: CacheName,
    portfolioId: number,
    field: string,
    freshness: Freshness,
    compute: () => Promise<T>,
  ): Promise<T> {
    if (!this.o.enabled) return compute();
    this.o.onRead?.(cache, portfolioId, field);
    const version = await this.version(portfolioId);
    const key = this.o.keys.cacheEntry(cache, portfolioId, version, field);
    const stamp = freshness.stamp ?? null;
    const fresh = (e: Entry | undefined): e is Entry =>
      e !== undefined &&
      e.stamp === stamp &&
      (freshness.maxAgeMs === undefined || this.now() - e.at < freshness.maxAgeMs);

    const local = this.entries.get(key);
    if (fresh(local)) return this.hit(cache, 'l1', local.value as T);
    const shared = this.pending.get(key);
    if (shared) return shared as Promise<T>;

    const work = (async () => {
      const raw = await this.o.redis.get(key);
      const stored = raw === null ? undefined : (JSON.parse(raw) as Entry);
      if (fresh(stored)) {
        this.keepLocally(key, stored, freshness);
        return this.hit(cache, 'redis', stored.value as T);
      }
      this.stats.misses++;
      this.o.counters?.miss(cache);
      const value = await compute();
      if (value === undefined) return value;
      const entry: Entry = { at: this.now(), stamp, value };
      this.keepLocally(key, entry, freshness);
      // The answer is right whether or not Redis keeps it.
      await this.o.redis.set(key, JSON.stringify(entry), 'EX', this.o.redisTtlSeconds).catch(() => undefined);
      return value;
    })();
    this.pending.set(key, work);
    try {
      return await work;
    } finally {
      this.pending.delete(key);
    }
  }

  /** This process changed the portfolio's data: every cached answer about it is outdated, everywhere. */
  async changed(portfolioId: number): Promise<void> {
    const key = this.o.keys.cacheVersion(portfolioId);
    const [[, version]] = (await this.o.redis.multi().incr(key).expire(key, VERSION_TTL_SECONDS).exec()) as [
      [Error | null, number],
    ];
    this.forget(portfolioId);
    this.versions.set(portfolioId, String(version));
  }

  /** Another process announced a change: drop what this one holds about the portfolio. */
  forget(portfolioId: number): void {
    this.generations.set(portfolioId, (this.generations.get(portfolioId) ?? 0) + 1);
    this.versions.delete(portfolioId);
  }

  private async version(portfolioId: number): Promise<string> {
    const known = this.versions.get(portfolioId);
    if (known !== undefined) return known;
    const generation = this.generations.get(portfolioId);
    const version = (await this.o.redis.get(this.o.keys.cacheVersion(portfolioId))) ?? '0';
    if (this.generations.get(portfolioId) === generation) this.versions.set(portfolioId, version);
    return version;
  }

  private keepLocally(key: string, entry: Entry, freshness: Freshness): void {
    const left = freshness.maxAgeMs === undefined ? this.o.l1TtlMs : freshness.maxAgeMs - (this.now() - entry.at);
    if (left > 0) this.entries.set(key, entry, { ttl: Math.min(this.o.l1TtlMs, left) });
  }

  private hit<T>(cache: CacheName, tier: CacheTier, value: T): T {
    if (tier === 'l1') this.stats.l1Hits++;
    else this.stats.redisHits++;
    this.o.counters?.hit(cache, tier);
    return value;
  }
}
