// Cached history responses in Redis, one hash per portfolio with a field per range and benchmark.
// An entry is served only while (1) the portfolio's ledger version is the one it was computed at
// (recording a transaction bumps it), (2) the aggregate it was read from has not materialised new
// buckets since, and (3) it is younger than the resolution's max age, which bounds how stale the
// newest (real-time) bucket can be. Versions rather than deletes: a computation that raced a new
// transaction stores an entry that is already outdated instead of resurrecting old data.
import type { Redis } from 'ioredis';
import type { Resolution } from '../store/candles.js';

/** How old the newest bucket of a cached answer may get. */
export const MAX_AGE_MS: Record<Resolution, number> = { '1m': 15_000, '1h': 60_000, '1d': 300_000 };
/** Idle portfolios' entries expire. */
const KEY_TTL_SECONDS = 24 * 3600;
const VERSION = 'v';

interface Entry {
  version: string;
  watermark: number;
  at: number;
  body: string;
}

export class HistoryCache {
  constructor(
    private readonly redis: Redis,
    private readonly key: (portfolioId: number) => string,
  ) {}

  /** The cached JSON body when still valid, plus the ledger version to store a fresh one under. */
  async get(
    portfolioId: number,
    field: string,
    resolution: Resolution,
    watermark: number,
    now: number,
  ): Promise<{ body?: string; version: string }> {
    const [raw, version] = await this.redis.hmget(this.key(portfolioId), field, VERSION);
    const current = version ?? '0';
    if (!raw) return { version: current };
    const entry = JSON.parse(raw) as Entry;
    const fresh = entry.version === current && entry.watermark === watermark && now - entry.at < MAX_AGE_MS[resolution];
    return fresh ? { body: entry.body, version: current } : { version: current };
  }

  async set(portfolioId: number, field: string, entry: Entry): Promise<void> {
    const key = this.key(portfolioId);
    await this.redis.multi().hset(key, field, JSON.stringify(entry)).expire(key, KEY_TTL_SECONDS).exec();
  }

  /** The portfolio's ledger changed: every cached range is outdated. */
  async invalidate(portfolioId: number): Promise<void> {
    const key = this.key(portfolioId);
    await this.redis.multi().hincrby(key, VERSION, 1).expire(key, KEY_TTL_SECONDS).exec();
  }
}
