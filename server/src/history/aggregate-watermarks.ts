// Knows up to where each candle aggregate is materialised. When a watermark moves, new buckets were
// written and history cached at that resolution is stale. Polled (the database's own scheduler
// refreshes in server mode) and refreshed at once after the embedded job runner ran a refresh.
import type { Database } from '../db/database.js';
import type { Logger } from '../log.js';
import { materializations, type Materialization, type Resolution } from '../store/candles.js';

export class AggregateWatermarks {
  private current: Partial<Record<Resolution, Materialization>> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pending: Promise<void> | undefined;

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
    private readonly everyMs = 10_000,
  ) {}

  /** The watermark of `resolution` as last seen (0 before the first look or when unmaterialised). */
  of(resolution: Resolution): number {
    return this.current?.[resolution]?.watermark ?? 0;
  }

  /**
   * Each aggregate's materialisation table and watermark as last seen (undefined before the first
   * look). A watermark read earlier is still a correct point to split a read at, since it only moves
   * forward: history reads use this instead of asking the catalog on every computation.
   */
  get materialized(): Partial<Record<Resolution, Materialization>> | undefined {
    return this.current;
  }

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.pending;
  }

  /** Looks again now; concurrent callers share one query. */
  refresh(): Promise<void> {
    this.pending ??= materializations(this.db)
      .then((m) => void (this.current = m))
      .catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'reading aggregate watermarks failed'))
      .finally(() => (this.pending = undefined));
    return this.pending;
  }
}
