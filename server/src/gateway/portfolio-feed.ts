// Joins the tick stream to the engine and the engine to the sockets: keeps a portfolio hot while
// sockets on this process follow it (and for a short linger after, so a quick reconnect resumes),
// turns ticks into at most one delta per portfolio per flush, keeps recent deltas for resume, and
// publishes each delta once to the portfolio's topic (uWS fans it out without serialising again).
import { randomBytes } from 'node:crypto';
import type { PortfolioBook } from '../engine/portfolio-book.js';
import type { Holding, PortfolioDelta } from '../engine/types.js';
import type { ResumePoint } from '../protocol/client-frames.js';
import { deltaFrame, snapshotFrame } from '../protocol/server-frames.js';
import type { Tick } from '../streams/tick.js';
import { DeltaRing } from './delta-ring.js';
import { FlushScheduler, realClock, type Clock } from './flush-scheduler.js';

export interface FeedOptions {
  book: PortfolioBook;
  loadHoldings(portfolioId: number): Promise<Holding[]>;
  publish(topic: string, frame: string): void;
  /** Longest wait between a tick and its delta under load; 0 flushes every batch. */
  conflationMs: number;
  /** Deltas kept per portfolio for resume. */
  resumeDeltas: number;
  /** How long a portfolio stays hot after its last follower leaves. */
  lingerMs: number;
  clock?: Clock;
}

export interface FeedStats {
  ticks: number;
  deltas: number;
  flushes: number;
}

export const portfolioTopic = (id: number) => `p/${id}`;

/**
 * Something that follows the numbers as they change (the alert evaluator, on the one process that
 * evaluates). Called on the tick path: implementations must be cheap and must not throw.
 */
export interface FeedWatch {
  /** A tick moved a symbol's last price. */
  priceChanged(symbol: string, price: number, time: number): void;
  /** A portfolio was valued from scratch (opened, or reloaded with new holdings or targets). */
  portfolioOpened(id: number): void;
  /** A portfolio's delta, as published. */
  portfolioChanged(delta: PortfolioDelta): void;
}

export class PortfolioFeed {
  private readonly followers = new Map<number, number>();
  private readonly loading = new Map<number, Promise<void>>();
  private readonly rings = new Map<number, DeltaRing>();
  private readonly lingering = new Map<number, unknown>();
  private readonly scheduler: FlushScheduler;
  private readonly clock: Clock;
  private watch: FeedWatch | undefined;
  readonly stats: FeedStats = { ticks: 0, deltas: 0, flushes: 0 };

  constructor(private readonly o: FeedOptions) {
    this.clock = o.clock ?? realClock;
    this.scheduler = new FlushScheduler(o.conflationMs, () => this.flush(), this.clock);
  }

  get conflated(): number {
    return this.scheduler.conflated;
  }

  /** Who else sees every price and delta; undefined stops it. */
  setWatch(watch: FeedWatch | undefined): void {
    this.watch = watch;
  }

  get hotPortfolios(): number {
    return this.o.book.openCount;
  }

  /** One more follower of `id`; opens the portfolio on the first. Resolves when it is hot. */
  async follow(id: number): Promise<void> {
    this.followers.set(id, (this.followers.get(id) ?? 0) + 1);
    this.cancelLinger(id);
    if (this.o.book.isOpen(id)) return;
    let pending = this.loading.get(id);
    if (!pending) {
      pending = this.o
        .loadHoldings(id)
        .then((holdings) => {
          // Everyone may have left while the holdings loaded.
          if ((this.followers.get(id) ?? 0) > 0 && !this.o.book.isOpen(id)) {
            this.o.book.open({ id, holdings }, newEpoch());
            this.rings.set(id, new DeltaRing(this.o.resumeDeltas));
            this.watch?.portfolioOpened(id);
          }
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
    if (!this.o.book.isOpen(id) || this.lingering.has(id)) return;
    this.lingering.set(
      id,
      this.clock.setTimeout(() => {
        this.lingering.delete(id);
        if (this.followers.has(id)) return;
        this.o.book.close(id);
        this.rings.delete(id);
      }, this.o.lingerMs),
    );
  }

  /**
   * The portfolio's holdings changed (a transaction, new targets): if it is hot here, value the new
   * holdings under a new epoch and send every follower the snapshot, which replaces their state.
   */
  async reload(id: number): Promise<void> {
    if (!this.o.book.isOpen(id)) return;
    const holdings = await this.o.loadHoldings(id);
    if (!this.o.book.isOpen(id)) return; // closed while loading
    this.o.book.close(id);
    this.o.book.open({ id, holdings }, newEpoch());
    this.rings.set(id, new DeltaRing(this.o.resumeDeltas));
    this.watch?.portfolioOpened(id);
    this.o.publish(portfolioTopic(id), this.snapshot(id));
  }

  snapshot(id: number): string {
    return snapshotFrame(this.o.book.snapshot(id));
  }

  /**
   * The delta frames a client at `point` missed, or undefined when it needs a snapshot instead
   * (another epoch, or older than the ring remembers).
   */
  replay(id: number, point: ResumePoint): string[] | undefined {
    const { epoch, seq } = this.o.book.sequenceOf(id);
    if (point.epoch !== epoch) return undefined;
    return this.rings.get(id)?.after(point.seq, seq);
  }

  onTicks(ticks: readonly Tick[]): void {
    const watch = this.watch;
    for (const t of ticks) {
      if (this.o.book.applyTick(t.symbol, t.price, t.time) && watch) watch.priceChanged(t.symbol, t.price, t.time);
    }
    this.stats.ticks += ticks.length;
    if (this.o.book.hasPending) this.scheduler.request();
  }

  /** A new trading session: day changes restart from the last prices. */
  closeSession(): void {
    this.o.book.closeSession();
    this.scheduler.request();
  }

  stop(): void {
    this.scheduler.stop();
    for (const timer of this.lingering.values()) this.clock.clearTimeout(timer);
    this.lingering.clear();
  }

  private flush(): void {
    this.stats.flushes++;
    for (const delta of this.o.book.takeDeltas()) {
      const frame = deltaFrame(delta);
      this.rings.get(delta.portfolio)?.push(delta.seq, frame);
      this.o.publish(portfolioTopic(delta.portfolio), frame);
      this.watch?.portfolioChanged(delta);
      this.stats.deltas++;
    }
  }

  private cancelLinger(id: number): void {
    const timer = this.lingering.get(id);
    if (timer === undefined) return;
    this.clock.clearTimeout(timer);
    this.lingering.delete(id);
  }
}

/** A new sequence's name: random, so a restarted process never reuses one. */
function newEpoch(): string {
  return randomBytes(6).toString('base64url');
}
