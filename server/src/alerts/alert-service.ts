// Runs the alert evaluator on the one process that holds the evaluator lease: loads the enabled
// alerts, hooks the evaluator into the feed's tick and delta paths, keeps every portfolio with an
// alert valued (by following it like a socket would), stores what fires and tells the trader over
// the socket and by email. Other processes only announce alert changes. See docs/alerts.md.
import type { Redis } from 'ioredis';
import type { Database } from '../db/database.js';
import type { PortfolioBook } from '../engine/portfolio-book.js';
import type { QuoteBoard } from '../engine/quote-board.js';
import type { PortfolioFeed } from '../gateway/portfolio-feed.js';
import { portfolioChanges, type PortfolioChanges } from '../gateway/portfolio-changes.js';
import type { UserNotices } from '../gateway/user-notices.js';
import type { Logger } from '../log.js';
import { alertFrame } from '../protocol/server-frames.js';
import { findEnabledAlert, listEnabledAlerts, portfolioName, recordFiring, setArmed } from '../store/alerts.js';
import { AlertEvaluator, type AlertEvent } from './alert-evaluator.js';
import type { AlertMailer } from './alert-mailer.js';
import { EvaluatorLease } from './evaluator-lease.js';
import { describeRule } from './rules.js';

export interface AlertServiceOptions {
  db: Database;
  /** Commands and publishing. */
  redis: Redis;
  /** A connection of its own for the change channel. */
  subscriber: Redis;
  leaseKey: string;
  changesChannel: string;
  leaseMs: number;
  hysteresisBp: number;
  feed: PortfolioFeed;
  book: PortfolioBook;
  quotes: QuoteBoard;
  notices: UserNotices;
  mailer: AlertMailer | undefined;
  log: Logger;
}

export class AlertService {
  private evaluator: AlertEvaluator | undefined;
  /** Portfolios this service follows in the feed to keep them valued. */
  private readonly followed = new Set<number>();
  /** Stores and reloads in order, off the tick path: one alert's fire and re-arm never swap. */
  private queue: Promise<void> = Promise.resolve();
  private changes!: PortfolioChanges;
  private readonly lease: EvaluatorLease;

  private constructor(private readonly o: AlertServiceOptions) {
    this.lease = new EvaluatorLease(
      o.redis,
      o.leaseKey,
      o.leaseMs,
      { onGained: () => this.startEvaluating(), onLost: () => this.stopEvaluating() },
      o.log,
    );
  }

  static async start(o: AlertServiceOptions): Promise<AlertService> {
    const service = new AlertService(o);
    service.changes = await portfolioChanges(
      o.redis,
      o.subscriber,
      o.changesChannel,
      (id) => service.enqueue(() => service.reload(id)),
      o.log,
    );
    service.lease.start();
    return service;
  }

  /** Tells the evaluating process (wherever it runs) that alert `id` was created, changed or deleted. */
  announce(id: number): Promise<void> {
    return this.changes.announce(id);
  }

  /** Whether this process evaluates alerts, and how many it watches. */
  get status(): { evaluating: boolean; watching: number } {
    return { evaluating: this.evaluator !== undefined, watching: this.evaluator?.size ?? 0 };
  }

  /** Resolves when every store and send queued so far is done (tests, shutdown). */
  settled(): Promise<void> {
    return this.queue;
  }

  async stop(): Promise<void> {
    await this.lease.stop();
    await this.changes.stop();
    await this.queue;
    await this.o.mailer?.close();
  }

  private async startEvaluating(): Promise<void> {
    const { quotes, book, feed } = this.o;
    const evaluator = new AlertEvaluator(
      { price: (s) => quotes.get(s), previousClose: (s) => quotes.previousClose(s) },
      this.o.hysteresisBp,
      (event) => this.enqueue(() => this.store(event)),
    );
    for (const alert of await listEnabledAlerts(this.o.db)) evaluator.add(alert);
    this.evaluator = evaluator;
    feed.setWatch({
      priceChanged: (symbol, price, time) => evaluator.priceChanged(symbol, price, time),
      portfolioOpened: (id) => evaluator.watchesPortfolio(id) && evaluator.portfolioOpened(book.snapshot(id)),
      portfolioChanged: (delta) => evaluator.portfolioChanged(delta),
    });
    this.followWatched();
  }

  private stopEvaluating(): void {
    this.o.feed.setWatch(undefined);
    this.evaluator = undefined;
    for (const id of this.followed) this.o.feed.unfollow(id);
    this.followed.clear();
  }

  private async reload(id: number): Promise<void> {
    if (!this.evaluator) return;
    const alert = await findEnabledAlert(this.o.db, id);
    const evaluator = this.evaluator;
    if (!evaluator) return; // the lease went while the alert loaded
    if (alert) evaluator.add(alert);
    else evaluator.remove(id);
    this.followWatched();
  }

  /** Follows every watched portfolio and lets go of the ones no alert watches any more. */
  private followWatched(): void {
    const evaluator = this.evaluator;
    if (!evaluator) return;
    const watched = new Set(evaluator.watchedPortfolios);
    for (const id of this.followed) {
      if (watched.has(id)) continue;
      this.followed.delete(id);
      this.o.feed.unfollow(id);
    }
    for (const id of watched) {
      if (this.followed.has(id)) continue;
      this.followed.add(id);
      this.o.feed
        .follow(id)
        // Already open for a socket: the feed did not announce it, so value it for the alerts here.
        .then(() => this.evaluator === evaluator && evaluator.portfolioOpened(this.o.book.snapshot(id)))
        .catch((err: unknown) => {
          this.followed.delete(id); // follow() undid itself
          this.o.log.error({ err, portfolio: id }, 'could not value a portfolio for its alerts');
        });
    }
  }

  private enqueue(work: () => Promise<void>): void {
    this.queue = this.queue.then(work).catch((err: unknown) => this.o.log.error({ err }, 'alert store failed'));
  }

  private async store(event: AlertEvent): Promise<void> {
    const { alert } = event;
    if (event.type === 'armed') return setArmed(this.o.db, alert.id, event.armed);
    const rule = alert.rule;
    const description = describeRule(
      rule,
      'portfolio' in rule ? await portfolioName(this.o.db, rule.portfolio) : undefined,
    );
    const firing = await recordFiring(this.o.db, alert.id, new Date(event.time), event.value, description);
    if (!firing) return; // another process recorded this crossing, or the alert was just disabled
    const frame = alertFrame({
      alert: alert.id,
      firing: firing.id,
      kind: alert.rule.kind,
      description,
      value: event.value,
      time: event.time,
    });
    await this.o.notices.send(firing.userId, frame);
    if (this.o.mailer && firing.email) {
      this.o.mailer.send({
        to: firing.email,
        subject: `Alert: ${description}`,
        text: `${description}\nValue: ${event.value}\nTime: ${new Date(event.time).toISOString()}\n`,
      });
    }
  }
}
