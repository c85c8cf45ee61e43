// Follows the tick stream with XREAD BLOCK from the last id it saw, handing each batch to the
// caller. Every gateway reads every tick (no consumer group). A Redis outage pauses it; it resumes
// from the same id once Redis answers again, so nothing the stream still holds is skipped.
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { parseTick, type Tick } from './tick.js';

export interface TickReaderOptions {
  redis: Redis;
  stream: string;
  /** Read entries after this id ('$' = only new ones). */
  fromId: string;
  isKnownSymbol(symbol: string): boolean;
  onTicks(ticks: Tick[]): void;
  onRejected(id: string, reason: string): void;
  log: Logger;
  blockMs?: number;
  batchSize?: number;
  /**
   * Least time between the starts of two reads that find ticks waiting. While the stream is busy a
   * read right after the previous one returns a handful of entries, and each read costs a command
   * written to Redis (a loopback send, far dearer than parsing a tick): the feed flushes at most
   * once per conflation interval anyway, so reading more often than that buys no latency. A read
   * after a quiet spell still starts (and returns) at once.
   */
  minReadIntervalMs?: number;
}

type XReadReply = [stream: string, entries: [id: string, fields: string[]][]][] | null;

export class TickReader {
  private running = false;
  private lastId: string;
  private loop: Promise<void> | undefined;

  constructor(private readonly o: TickReaderOptions) {
    this.lastId = o.fromId;
  }

  /** How far behind the stream this reader was at its last read, in ms (0 when caught up). */
  lagMs = 0;

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the current read; the blocking connection is dropped so it returns at once. */
  async stop(): Promise<void> {
    this.running = false;
    this.o.redis.disconnect();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { redis, stream, log } = this.o;
    const block = this.o.blockMs ?? 1_000;
    const count = this.o.batchSize ?? 2_000;
    const pace = this.o.minReadIntervalMs ?? 0;
    let failures = 0;
    let readStarted = 0;
    while (this.running) {
      if (pace > 0) {
        const wait = readStarted + pace - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        readStarted = performance.now();
      }
      let reply: XReadReply;
      try {
        reply = (await redis.xread('COUNT', count, 'BLOCK', block, 'STREAMS', stream, this.lastId)) as XReadReply;
        failures = 0;
      } catch (err) {
        if (!this.running) break;
        failures++;
        log.warn({ err: (err as Error).message, failures }, 'tick stream read failed, retrying');
        await new Promise((r) => setTimeout(r, Math.min(2_000, 50 * 2 ** Math.min(failures, 6))));
        continue;
      }
      const entries = reply?.[0]?.[1];
      if (!entries?.length) {
        this.lagMs = 0;
        readStarted = 0; // nothing was waiting: the next read blocks for the next tick at once
        continue;
      }
      this.lastId = entries[entries.length - 1]![0];
      const now = Date.now();
      // A stream id starts with the ms at which Redis added the entry.
      this.lagMs = Math.max(0, now - Number(this.lastId.slice(0, this.lastId.indexOf('-'))));
      const ticks: Tick[] = [];
      for (const [id, fields] of entries) {
        const result = parseTick(id, fields, this.o.isKnownSymbol, now);
        if (result.ok) ticks.push(result.tick);
        else this.o.onRejected(id, result.reason);
      }
      if (ticks.length) {
        try {
          this.o.onTicks(ticks);
        } catch (err) {
          // A bug in one batch's handling must not stop the feed for everyone.
          log.error({ err }, 'tick batch handler failed');
        }
      }
    }
  }
}

/**
 * The newest price per symbol among the last `count` entries of the stream, and the id to continue
 * reading after, so a gateway starting up has prices and misses nothing in between.
 */
export async function readStreamTail(
  redis: Redis,
  stream: string,
  count: number,
  isKnownSymbol: (symbol: string) => boolean,
): Promise<{ lastId: string; latest: Map<string, Tick> }> {
  const entries = (await redis.xrevrange(stream, '+', '-', 'COUNT', count)) as [string, string[]][];
  const latest = new Map<string, Tick>();
  const now = Date.now();
  for (const [id, fields] of entries) {
    const result = parseTick(id, fields, isKnownSymbol, now);
    if (result.ok && !latest.has(result.tick.symbol)) latest.set(result.tick.symbol, result.tick);
  }
  return { lastId: entries[0]?.[0] ?? '0-0', latest };
}
