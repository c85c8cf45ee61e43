// Joins the tick stream to the engine and the engine to the sockets: keeps a portfolio hot while
// at least one socket on this process follows it, turns each batch of ticks into at most one delta
// per portfolio, and publishes each delta once to the portfolio's topic (uWS fans it out without
// serialising again).
import { randomBytes } from 'node:crypto';
import type { PortfolioBook } from '../engine/portfolio-book.js';
import type { Holding } from '../engine/types.js';
import { deltaFrame, snapshotFrame } from '../protocol/server-frames.js';
import type { Tick } from '../streams/tick.js';

export interface FeedStats {
  ticks: number;
  deltas: number;
}

export const portfolioTopic = (id: number) => `p/${id}`;

export class PortfolioFeed {
  private readonly followers = new Map<number, number>();
  private readonly loading = new Map<number, Promise<void>>();
  readonly stats: FeedStats = { ticks: 0, deltas: 0 };

  constructor(
    private readonly book: PortfolioBook,
    private readonly loadHoldings: (portfolioId: number) => Promise<Holding[]>,
    private readonly publish: (topic: string, frame: string) => void,
  ) {}

  /** One more follower of `id`; opens the portfolio on the first. Resolves when it is hot. */
  async follow(id: number): Promise<void> {
    this.followers.set(id, (this.followers.get(id) ?? 0) + 1);
    if (this.book.isOpen(id)) return;
    let pending = this.loading.get(id);
    if (!pending) {
      pending = this.loadHoldings(id)
        .then((holdings) => {
          // Everyone may have left while the holdings loaded.
          if ((this.followers.get(id) ?? 0) > 0 && !this.book.isOpen(id)) this.book.open({ id, holdings }, newEpoch());
        })
        .finally(() => this.loading.delete(id));
      this.loading.set(id, pending);
    }
    try {
      await pending;
    } catch (err) {
      this.unfollow(id);
      throw err;
    }
  }

  unfollow(id: number): void {
    const n = (this.followers.get(id) ?? 0) - 1;
    if (n > 0) {
      this.followers.set(id, n);
      return;
    }
    this.followers.delete(id);
    this.book.close(id);
  }

  snapshot(id: number): string {
    return snapshotFrame(this.book.snapshot(id));
  }

  onTicks(ticks: readonly Tick[]): void {
    for (const t of ticks) this.book.applyTick(t.symbol, t.price, t.time);
    this.stats.ticks += ticks.length;
    for (const delta of this.book.takeDeltas()) {
      this.publish(portfolioTopic(delta.portfolio), deltaFrame(delta));
      this.stats.deltas++;
    }
  }
}

/** A new sequence's name: random, so a restarted process never reuses one. */
function newEpoch(): string {
  return randomBytes(6).toString('base64url');
}
