// The market simulator: a producer like any other, following docs/streams.md. It advances each
// symbol by geometric Brownian motion and XADDs at a steady rate, computed from elapsed time so a
// slow timer never lowers the rate. The server's stream trimmer keeps the stream bounded; `maxLen`
// (XADD MAXLEN ~) is only for running it where no trimmer runs.
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { tickFields } from '../streams/tick.js';
import { gbmStep, roundToTickSize, TRADING_SECONDS_PER_YEAR } from './gbm.js';
import { createRandom, type Random } from './random.js';

export interface SimulatedInstrument {
  symbol: string;
  price: number;
  volatility: number;
}

export interface SimulatorOptions {
  redis: Redis;
  stream: string;
  /** Cap the stream on every XADD; unset when a trimmer owns trimming (docs/streams.md). */
  maxLen?: number;
  ticksPerSecond: number;
  instruments: readonly SimulatedInstrument[];
  seed?: number;
  log: Logger;
  /** Market time runs this many times faster than the wall clock so a demo visibly moves. */
  speed?: number;
}

const FLUSH_EVERY_MS = 20;
/** A calm market drifts up a little: 7 % a year. */
const DRIFT = 0.07;
const DEFAULT_SPEED = 60;
/** At most this many ticks in one pipeline, so a stalled loop does not send a burst of millions. */
const MAX_BATCH = 50_000;

interface SymbolState {
  symbol: string;
  price: number;
  volatility: number;
  lastMarketTime: number;
}

export class MarketSimulator {
  private readonly states: SymbolState[];
  private readonly random: Random;
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private sent = 0;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly o: SimulatorOptions) {
    if (o.instruments.length === 0) throw new Error('the simulator needs at least one instrument');
    this.random = createRandom(o.seed);
    const now = Date.now();
    this.states = o.instruments.map((i) => ({ ...i, lastMarketTime: now }));
  }

  get ticksSent(): number {
    return this.sent;
  }

  start(): void {
    this.startedAt = performance.now();
    this.sent = 0;
    this.timer = setInterval(() => {
      if (!this.inFlight) this.inFlight = this.flush().finally(() => (this.inFlight = undefined));
    }, FLUSH_EVERY_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  private async flush(): Promise<void> {
    const due = Math.floor(((performance.now() - this.startedAt) / 1000) * this.o.ticksPerSecond) - this.sent;
    const n = Math.min(due, MAX_BATCH);
    if (n <= 0) return;
    const now = Date.now();
    const pipeline = this.o.redis.pipeline();
    for (let i = 0; i < n; i++) {
      const tick = this.nextTick(now);
      if (this.o.maxLen) pipeline.xadd(this.o.stream, 'MAXLEN', '~', this.o.maxLen, '*', ...tickFields(tick));
      else pipeline.xadd(this.o.stream, '*', ...tickFields(tick));
    }
    try {
      await pipeline.exec();
      this.sent += due; // ticks skipped past MAX_BATCH count as sent: the rate catches up, not bursts
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'simulator could not write ticks');
    }
  }

  private nextTick(now: number) {
    const state = this.states[Math.floor(this.random.next() * this.states.length)]!;
    const speed = this.o.speed ?? DEFAULT_SPEED;
    const dtYears = ((Math.max(1, now - state.lastMarketTime) / 1000) * speed) / TRADING_SECONDS_PER_YEAR;
    state.price = gbmStep(state.price, DRIFT, state.volatility, dtYears, this.random.normal());
    state.lastMarketTime = now;
    const size = 100 * this.random.int(1, 20);
    return { symbol: state.symbol, price: roundToTickSize(state.price), size, time: now };
  }
}
