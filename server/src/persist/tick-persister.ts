// Stores every tick of the stream in the database exactly once: a consumer group delivers each
// entry to one persister, a batch is inserted in one statement, and only after the commit is it
// acknowledged (XACK). Reading and preparing the next batch and acknowledging the previous one
// overlap the insert, so the database is rarely left waiting (see hand()). A persister that dies
// between commit and acknowledgement leaves its batch pending in the group; a restart (same
// consumer name) or any other persister (XAUTOCLAIM, once the entries have been idle long enough)
// delivers it again, and the insert skips what is stored already. At least once in, exactly one
// row out. Rejected ticks are dead-lettered here, once, in the same Redis transaction as the
// acknowledgement. docs/streams.md has the contract, docs/history.md the rest.
import type { Redis } from 'ioredis';
import type { Database } from '../db/database.js';
import type { Logger } from '../log.js';
import { encodeTicks, insertTicks, type TickInsertMethod } from '../store/ticks.js';
import { parseTick, type Tick } from '../streams/tick.js';
import { queueDeadLetters, type DeadLetter } from './dead-letters.js';

export interface TickPersisterOptions {
  /** For the blocking group reads; the persister owns it and closes it on stop. */
  reader: Redis;
  /** For acknowledgements, claims and dead letters. */
  commands: Redis;
  stream: string;
  group: string;
  /** Stable across restarts, unique per process: its pending entries are retried first on start. */
  consumer: string;
  deadTicks: string;
  deadTicksCount: string;
  db: Database;
  isKnownSymbol(symbol: string): boolean;
  log: Logger;
  /**
   * Entries per read, claim and insert. Memory is bounded by three batches: one read and
   * prepared, one in the database and the ids of one being acknowledged.
   */
  batchSize?: number;
  blockMs?: number;
  /** Another consumer's pending entry idle this long is taken over (its persister is presumed dead). */
  claimIdleMs?: number;
  claimEveryMs?: number;
  retryMinMs?: number;
  retryMaxMs?: number;
  insertMethod?: TickInsertMethod;
  /** Called after each batch is committed and acknowledged (benchmarks measure lag with it). */
  onPersisted?(batch: PersistedBatch): void;
  /**
   * Test seam between commit and acknowledgement. Throwing here ends the persister as if its
   * process died at that moment: nothing more is acknowledged.
   */
  afterCommit?(ticks: readonly Tick[]): Promise<void>;
}

export interface PersistedBatch {
  ticks: readonly Tick[];
  /** Rows that were new (fewer than ticks.length on a replay). */
  inserted: number;
  rejected: number;
  /** Date.now() when the acknowledgement returned. */
  at: number;
}

export interface PersisterStats {
  batches: number;
  /** New rows stored. */
  persisted: number;
  /** Ticks delivered again that were stored already (replays after a crash). */
  duplicates: number;
  rejected: number;
  /** Pending entries taken over from consumers presumed dead. */
  claimed: number;
  /** Pending entries that were trimmed from the stream before anyone stored them (lost). */
  lost: number;
  dbFailures: number;
  redisFailures: number;
}

type Entry = [id: string, fields: string[] | null];
type GroupReply = [stream: string, entries: Entry[]][] | null;
type ClaimReply = [cursor: string, entries: Entry[], deleted?: string[]];

/** A batch on its way through the pipeline. */
interface Batch {
  ids: string[];
  ticks: Tick[];
  dead: DeadLetter[];
  now: number;
  /** The ticks in binary COPY format; taken (and left undefined) by the first insert attempt. */
  copy: Uint8Array | undefined;
}

const DEFAULTS = {
  batchSize: 5_000,
  blockMs: 1_000,
  claimIdleMs: 30_000,
  claimEveryMs: 15_000,
  retryMinMs: 100,
  retryMaxMs: 5_000,
} as const;

export class TickPersister {
  readonly stats: PersisterStats = {
    batches: 0,
    persisted: 0,
    duplicates: 0,
    rejected: 0,
    claimed: 0,
    lost: 0,
    dbFailures: 0,
    redisFailures: 0,
  };
  private readonly o: TickPersisterOptions & typeof DEFAULTS;
  private running = false;
  private loop: Promise<void> | undefined;
  private reading = false;
  private wake: (() => void) | undefined;
  private claimCursor = '0-0';
  /** The batch in the database now (settles once stored and its acknowledgement started). */
  private storing: Promise<void> | undefined;
  /** The acknowledgement in flight; it never rejects (withRetry). */
  private acking: Promise<void> | undefined;
  /** What ended the persister, when afterCommit (or a bug) threw. */
  private crash: unknown;
  /** Ids of the entries read and not yet acknowledged (three batches at most). */
  private readonly inPipeline = new Set<string>();
  private nextClaimAt = 0;
  /** The reading connection dropped since this consumer's pending list was last read back. */
  private redisInterrupted = false;

  constructor(options: TickPersisterOptions) {
    this.o = { ...DEFAULTS, ...stripUndefined(options) } as TickPersisterOptions & typeof DEFAULTS;
    // The client sends a read again after a reconnect without failing it, so listen for the drop.
    this.o.reader.on('reconnecting', () => (this.redisInterrupted = true));
  }

  /** Resolves when the persister has stopped, by stop() or by a crash (see afterCommit). */
  get done(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.crash = undefined;
    this.inPipeline.clear();
    this.loop = this.run().catch((err: unknown) => {
      this.running = false;
      this.o.log.error({ err }, 'tick persister stopped by an error');
    });
  }

  /** Finishes the batch in hand (unless the database is down: it stays pending) and stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    // A blocking read returns only after blockMs; dropping the connection ends it now. Entries
    // Redis delivered meanwhile stay pending for this consumer and come back on the next start.
    if (this.reading) this.o.reader.disconnect();
    await this.loop;
    this.o.reader.disconnect();
  }

  private async run(): Promise<void> {
    if (!(await this.withRetry('redis', () => this.ensureGroup()))) return;
    // First what this consumer was given before a restart and never acknowledged.
    await this.handOwnPending();
    while (this.running) {
      if (this.redisInterrupted) {
        // A read whose reply was lost with the connection (a Redis restart) still delivered its
        // entries to us: they sit in our pending list, and '>' never returns them again.
        this.redisInterrupted = false;
        await this.storing;
        await this.acking;
        await this.handOwnPending();
      }
      const entries = (await this.claimIdle()) ?? (await this.withRetry('redis', () => this.readGroup('>', true)));
      if (!entries?.length) continue;
      await this.hand(entries);
    }
    // Stopping: the batch being stored is finished and acknowledged (unless the database is down).
    await this.storing;
    await this.acking;
    if (this.crash) throw this.crash;
  }

  /** Hands on this consumer's pending entries (delivered earlier, never acknowledged). */
  private async handOwnPending(): Promise<void> {
    for (let after = '0-0'; this.running;) {
      const entries = await this.withRetry('redis', () => this.readGroup(after, false));
      if (!entries?.length) break;
      after = entries[entries.length - 1]![0];
      await this.hand(entries);
    }
  }

  /**
   * The pipeline (docs/streams.md): while the database stores batch n, this thread reads and
   * prepares batch n+1 and acknowledges batch n-1. One insert at a time, one acknowledgement at a
   * time, and a batch's acknowledgement starts only after its own commit returned.
   */
  private async hand(entries: Entry[]): Promise<void> {
    const batch = this.prepare(entries);
    await this.storing;
    if (this.crash) return; // it stays pending, like everything read after the crash
    this.storing = this.store(batch).catch((err: unknown) => {
      // As if the process died here: nothing more is stored or acknowledged.
      this.crash = err;
      this.running = false;
      this.wake?.();
    });
  }

  /** Validation and the COPY encoding, done while the previous batch is in the database. */
  private prepare(entries: Entry[]): Batch {
    const now = Date.now();
    const ticks: Tick[] = [];
    const dead: DeadLetter[] = [];
    const ids: string[] = new Array(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const [id, fields] = entries[i]!;
      ids[i] = id;
      this.inPipeline.add(id);
      if (!fields) {
        // Delivered to us, then trimmed from the stream by someone else before we stored it.
        this.stats.lost++;
        this.o.log.error({ id }, 'a pending tick was trimmed from the stream before it was stored: lost');
        continue;
      }
      const result = parseTick(id, fields, this.o.isKnownSymbol, now);
      if (result.ok) ticks.push(result.tick);
      else dead.push({ origin: 'stream', id, reason: result.reason, fields });
    }
    const copy = this.o.insertMethod === 'unnest' || ticks.length === 0 ? undefined : encodeTicks(ticks);
    return { ids, ticks, dead, now, copy };
  }

  private async store(batch: Batch): Promise<void> {
    const inserted = await this.withRetry('db', () => {
      // The encoded bytes go to the database's thread on the first attempt; a retry encodes again.
      const copy = batch.copy;
      batch.copy = undefined;
      return insertTicks(this.o.db, batch.ticks, this.o.insertMethod, copy);
    });
    if (inserted === undefined) return; // stopping while the database is down: the batch stays pending
    await this.o.afterCommit?.(batch.ticks);
    // Committed: acknowledge it while the next batch goes in, after the previous acknowledgement.
    await this.acking;
    this.acking = this.acknowledge(batch, inserted);
  }

  private async acknowledge(batch: Batch, inserted: number): Promise<void> {
    const { ids, ticks, dead, now } = batch;
    const acked = await this.withRetry('redis', async () => {
      const transaction = this.o.commands.multi();
      queueDeadLetters(transaction, this.o, dead, now);
      transaction.xack(this.o.stream, this.o.group, ...ids);
      const replies = await transaction.exec();
      const failed = replies?.find(([err]) => err);
      if (!replies || failed) throw failed?.[0] ?? new Error('acknowledgement transaction aborted');
      return true;
    });
    for (const id of ids) this.inPipeline.delete(id);
    if (!acked) return; // stopping while Redis is down: stored, still pending, skipped on replay
    this.stats.batches++;
    this.stats.persisted += inserted;
    this.stats.duplicates += ticks.length - inserted;
    this.stats.rejected += dead.length;
    if (dead.length) this.o.log.warn({ rejected: dead.length, first: dead[0]!.reason }, 'ticks dead-lettered');
    this.o.onPersisted?.({ ticks, inserted, rejected: dead.length, at: Date.now() });
  }

  /** One page of other consumers' entries idle past claimIdleMs, on start and every claimEveryMs. */
  private async claimIdle(): Promise<Entry[] | undefined> {
    if (Date.now() < this.nextClaimAt) return undefined;
    const reply = await this.withRetry(
      'redis',
      async () =>
        (await this.o.commands.xautoclaim(
          this.o.stream,
          this.o.group,
          this.o.consumer,
          this.o.claimIdleMs,
          this.claimCursor,
          'COUNT',
          this.o.batchSize,
        )) as ClaimReply,
    );
    if (!reply) return undefined;
    const [cursor, entries, deleted = []] = reply;
    this.claimCursor = cursor;
    if (cursor === '0-0') this.nextClaimAt = Date.now() + this.o.claimEveryMs;
    if (deleted.length) {
      // Redis has already removed them from the pending list.
      this.stats.lost += deleted.length;
      this.o.log.error(
        { count: deleted.length },
        'pending ticks were trimmed from the stream before they were stored: lost',
      );
    }
    // Our own entries still in the pipeline can be idle that long too (a slow insert): they are
    // on their way already, so they are neither taken over nor stored again.
    const orphans = entries.filter(([id]) => !this.inPipeline.has(id));
    if (orphans.length) {
      this.stats.claimed += orphans.length;
      this.o.log.warn({ count: orphans.length }, 'took over pending ticks from a persister presumed dead');
      return orphans;
    }
    return undefined;
  }

  /** '>' reads new entries (blocking); an id reads this consumer's own pending entries after it. */
  private async readGroup(after: string, block: boolean): Promise<Entry[]> {
    const { reader, group, consumer, batchSize, blockMs, stream } = this.o;
    const args = block ? ['BLOCK', blockMs] : [];
    this.reading = block;
    try {
      const reply = (await reader.xreadgroup(
        'GROUP',
        group,
        consumer,
        'COUNT',
        batchSize,
        ...(args as ['BLOCK', number]),
        'STREAMS',
        stream,
        after,
      )) as GroupReply;
      return reply?.[0]?.[1] ?? [];
    } catch (err) {
      // The group vanishes with a Redis that restarted empty: make it again and carry on.
      if (/NOGROUP/.test((err as Error).message)) await this.ensureGroup();
      throw err;
    } finally {
      this.reading = false;
    }
  }

  private async ensureGroup(): Promise<true> {
    try {
      // From the start of the stream: ticks written before the first persister ran are stored too.
      await this.o.commands.xgroup('CREATE', this.o.stream, this.o.group, '0', 'MKSTREAM');
    } catch (err) {
      if (!/BUSYGROUP/.test((err as Error).message)) throw err;
    }
    return true;
  }

  /**
   * Runs `work` until it succeeds, backing off (capped) between attempts; undefined when the
   * persister stops first. Nothing is acknowledged while this waits, so nothing is lost. The first
   * attempt runs even when stopping, so the batch in hand is finished if the database answers.
   */
  private async withRetry<T>(kind: 'db' | 'redis', work: () => Promise<T>): Promise<T | undefined> {
    for (let attempt = 0; attempt === 0 || this.running; attempt++) {
      try {
        const result = await work();
        if (attempt > 0) this.o.log.info({ kind, attempts: attempt + 1 }, 'tick persister recovered');
        return result;
      } catch (err) {
        if (!this.running) return undefined;
        if (kind === 'db') this.stats.dbFailures++;
        else this.stats.redisFailures++;
        const delayMs = Math.min(this.o.retryMaxMs, this.o.retryMinMs * 2 ** Math.min(attempt, 10));
        if (attempt === 0 || delayMs === this.o.retryMaxMs) {
          this.o.log.warn({ kind, err: (err as Error).message, delayMs }, 'tick persister waiting to retry');
        }
        await this.sleep(delayMs);
      }
    }
    return undefined;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
