// Elects the one process that evaluates alerts when several gateways run: a Redis key taken with
// SET NX PX and renewed well before it expires, only by its holder (compare-and-set in Lua). A
// holder that dies stops renewing and another process takes over within one lease time; a holder
// that shuts down cleanly lets go at once. See docs/alerts.md for why a lease and what covers the
// hand-over.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export interface LeaseEvents {
  /** This process now holds the lease. */
  onGained(): Promise<void> | void;
  /** This process no longer holds it (lost to an expiry, or shutting down). */
  onLost(): Promise<void> | void;
}

export class EvaluatorLease {
  private readonly owner = `${process.pid}:${randomBytes(6).toString('hex')}`;
  private held = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly leaseMs: number,
    private readonly events: LeaseEvents,
    private readonly log: Logger,
  ) {}

  get isHeld(): boolean {
    return this.held;
  }

  start(): void {
    this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    if (!this.held) return;
    this.held = false;
    await this.events.onLost();
    await this.redis.eval(RELEASE, 1, this.key, this.owner).catch(() => undefined);
  }

  /** Try to take or renew the lease every third of its time, one attempt at a time. */
  private tick(): void {
    this.running = this.attempt().finally(() => {
      if (!this.stopped) this.timer = setTimeout(() => this.tick(), Math.max(50, Math.floor(this.leaseMs / 3)));
    });
  }

  private async attempt(): Promise<void> {
    let holds: boolean;
    try {
      holds = this.held
        ? (await this.redis.eval(RENEW, 1, this.key, this.owner, String(this.leaseMs))) === 1
        : (await this.redis.set(this.key, this.owner, 'PX', this.leaseMs, 'NX')) === 'OK';
    } catch (err) {
      // Unsure whether we still hold it: stop evaluating rather than risk two evaluators.
      this.log.warn({ err }, 'alert lease check failed');
      holds = false;
    }
    if (this.stopped || holds === this.held) return;
    this.held = holds;
    try {
      if (holds) await this.events.onGained();
      else await this.events.onLost();
    } catch (err) {
      this.log.error({ err }, holds ? 'could not start evaluating alerts' : 'could not stop evaluating alerts');
      if (holds) {
        // Let another process (or the next attempt here) take over rather than hold an idle lease.
        this.held = false;
        await Promise.resolve(this.events.onLost()).catch(() => undefined);
        await this.redis.eval(RELEASE, 1, this.key, this.owner).catch(() => undefined);
        return;
      }
    }
    this.log.info({ owner: this.owner }, holds ? 'evaluating alerts here' : 'no longer evaluating alerts here');
  }
}
