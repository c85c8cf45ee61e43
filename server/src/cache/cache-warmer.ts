// Warming: what traders asked for recently is remembered in one sorted set shared by every gateway
// (member "cache|portfolio|field", score the last time it was read), and a starting gateway reads
// the newest of it again in the background, so the first requests after a deploy or a scale-out
// hit instead of queueing behind cold computations. Reads are noted in memory and written in one
// ZADD every few seconds: remembering costs the request path nothing.
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import type { CacheName } from './portfolio-cache.js';

export type Warmer = (portfolioId: number, field: string) => Promise<unknown>;

/** The set keeps this many of the most recently read answers. */
const KEEP = 10_000;

export class CacheWarmer {
  private noted = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly log: Logger,
    private readonly flushEveryMs = 5_000,
  ) {}

  note(cache: CacheName, portfolioId: number, field: string): void {
    this.noted.add(`${cache}|${portfolioId}|${field}`);
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.flushEveryMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.flush();
  }

  /** Writes what was noted since the last flush. */
  async flush(now = Date.now()): Promise<void> {
    if (this.noted.size === 0) return;
    const members = [...this.noted];
    this.noted = new Set();
    const args = members.flatMap((m) => [now, m]);
    await this.redis
      .multi()
      .zadd(this.key, ...args)
      .zremrangebyrank(this.key, 0, -(KEEP + 1))
      .exec()
      .catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'could not note recent reads'));
  }

  /**
   * Reads again the `limit` most recently read answers that have a warmer, one at a time (warming
   * must not crowd out live requests); returns how many it warmed.
   */
  async warm(limit: number, warmers: Partial<Record<CacheName, Warmer>>): Promise<number> {
    if (limit === 0) return 0;
    const members = await this.redis.zrevrange(this.key, 0, limit - 1);
    let warmed = 0;
    for (const member of members) {
      if (this.stopped) break;
      const [cache, id, ...rest] = member.split('|');
      const warmer = warmers[cache as CacheName];
      const portfolioId = Number(id);
      if (!warmer || !Number.isSafeInteger(portfolioId)) continue;
      try {
        await warmer(portfolioId, rest.join('|'));
        warmed++;
      } catch (err) {
        this.log.warn({ err: (err as Error).message, member }, 'warming a cached answer failed');
      }
    }
    return warmed;
  }
}
