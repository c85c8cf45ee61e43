// A paced tick producer following the stream contract (tickFields): a fixed number of ticks per
// second, random walks over the symbols the load portfolios hold, `ts` stamped with Date.now() as
// the XADD is issued, so a delta's `tickTime` measures latency from XADD to receipt.
import type { Redis } from 'ioredis';
import { createRandom, type Random } from '../../server/src/market/random.js';
import { tickFields } from '../../server/src/streams/tick.js';
import { LatencyHistogram } from './histogram.js';

export interface ProducerOptions {
  redis: Redis;
  stream: string;
  ticksPerSecond: number;
  instruments: readonly { symbol: string; price: number }[];
  seed: number;
  /** Approximate cap on the stream, as the product's own producers set it. */
  maxLen?: number;
}

export interface ProducerStats {
  sent: number;
  seconds: number;
  /** Round trips of the XADD pipelines, ms: a slow Redis delays every tick before any gateway sees it. */
  xaddRoundTrip: LatencyHistogram;
  /** Ticks dropped because the producer fell more than a burst behind (should be 0). */
  skipped: number;
}

const LEFTOVER_TTL_SECONDS = 3_600;
/** Per-tick relative move: about the size of a real one-second move. */
const STEP = 0.0005;
/** At most this many seconds of owed ticks are sent at once after a stall; the rest are skipped. */
const MAX_BURST_SECONDS = 0.05;

export class TickProducer {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly prices: number[];
  private readonly random: Random;
  private stats: ProducerStats = { sent: 0, seconds: 0, skipped: 0, xaddRoundTrip: new LatencyHistogram() };
  /** The current pace: ticks per second owed since `paceStart`, of which `paceDue` were issued. */
  private rate: number;
  private paceStart = 0;
  private paceDue = 0;

  constructor(private readonly o: ProducerOptions) {
    this.prices = o.instruments.map((i) => i.price);
    this.random = createRandom(o.seed);
    this.rate = o.ticksPerSecond;
  }

  /** Changes the pace from now on (a load ladder's next step); the price walks go on. */
  setRate(ticksPerSecond: number): void {
    this.rate = ticksPerSecond;
    this.paceStart = performance.now();
    this.paceDue = 0;
  }

  /** Ticks sent so far (to rate a stretch of time from two readings). */
  get sent(): number {
    return this.stats.sent;
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<ProducerStats> {
    this.running = false;
    await this.loop;
    return this.stats;
  }

  private async run(): Promise<void> {
    const { redis, stream, instruments } = this.o;
    const maxLen = this.o.maxLen ?? 100_000;
    const started = performance.now();
    this.paceStart = started;
    while (this.running) {
      // Owed ticks since the pace was set, not per wake-up: timer jitter does not change the average rate.
      const owed = Math.floor(((performance.now() - this.paceStart) / 1000) * this.rate) - this.paceDue;
      const batch = Math.min(owed, Math.max(1, Math.ceil(this.rate * MAX_BURST_SECONDS)));
      this.stats.skipped += owed - batch;
      this.paceDue += owed;
      if (batch > 0) {
        const pipeline = redis.pipeline();
        for (let n = 0; n < batch; n++) {
          const i = Math.floor(this.random.next() * instruments.length);
          const price = Math.max(0.01, this.prices[i]! * Math.exp(STEP * this.random.normal()));
          this.prices[i] = price;
          const fields = tickFields({
            symbol: instruments[i]!.symbol,
            price: price.toFixed(4),
            size: 100,
            time: Date.now(),
          });
          pipeline.xadd(stream, 'MAXLEN', '~', maxLen, '*', ...fields);
        }
        // A run killed half-way must not leave its stream in the machine's Redis for good.
        if (this.stats.sent === 0) pipeline.expire(stream, LEFTOVER_TTL_SECONDS);
        const issued = performance.now();
        const failed = (await pipeline.exec())?.find(([err]) => err);
        this.stats.xaddRoundTrip.record(performance.now() - issued);
        if (failed) throw failed[0];
        this.stats.sent += batch;
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    this.stats.seconds = (performance.now() - started) / 1000;
  }
}
