// The consumer side of the job queue: `count` loops, each a consumer of the group on every priority
// stream. A loop takes one job at a time, high priority first; the handler's work happens off this
// event loop (the handlers here hand rendering to worker threads). A job that throws is retried
// after an exponential backoff (its id waits in a sorted set, then goes back on its stream); after
// maxAttempts it is dead-lettered. A worker that dies mid-job leaves its stream entry pending in the
// group: once it has been idle for claimIdleMs another loop, in this process or any other, takes it
// over (XAUTOCLAIM) and runs the job again. While a job runs its loop touches the entry every
// claimIdleMs / 3 (XCLAIM to itself), so a long job is never mistaken for a dead one.
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { retryDelayMs } from './backoff.js';
import { PRIORITIES, type JobKeys, type Priority } from './job-keys.js';
import type { JobQueue } from './job-queue.js';
import type { JobRecord } from './job-record.js';

export interface JobOutput {
  /** Stored beside the record; served by whoever asks (any gateway). */
  data: Buffer;
  /** Kept in the record's `result` (file name, content type...). */
  meta: Record<string, unknown>;
}

/** Thrown by a handler when trying again cannot help (the portfolio is gone): dead-lettered at once. */
export class UnrecoverableJobError extends Error {
  override name = 'UnrecoverableJobError';
}

/** Runs one job; `progress` (0 to 100) is stored and announced. Throwing fails the attempt. */
export type JobHandler = (job: JobRecord, progress: (percent: number) => Promise<void>) => Promise<JobOutput>;

export interface JobWorkersOptions {
  queue: JobQueue;
  /** For records, acknowledgements, claims and retries. */
  commands: Redis;
  /** A new connection for each loop's blocking reads; the loop closes it on stop. */
  connect(name: string): Redis;
  handlers: Record<string, JobHandler>;
  /** Loops in this process. */
  count: number;
  log: Logger;
  /** Told after every change of a job's record (to notify its owner). */
  onChange?(job: JobRecord): void;
  /** Unique per process: a consumer's pending entries are taken over only by others. */
  consumerPrefix?: string;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** A pending entry idle this long belongs to a worker presumed dead. */
  claimIdleMs?: number;
  blockMs?: number;
}

export interface JobWorkerStats {
  completed: number;
  failed: number;
  retried: number;
  deadLettered: number;
  reclaimed: number;
}

type Entry = [id: string, fields: string[] | null];
type ReadReply = [stream: string, entries: Entry[]][] | null;
type ClaimReply = [cursor: string, entries: Entry[], deleted?: string[]];

interface Delivery {
  priority: Priority;
  entryId: string;
  jobId: string | undefined;
  claimed: boolean;
}

/** Pause after a failed read or claim (Redis away) before the next try. */
const RETRY_READ_MS = 500;

const DEFAULTS = { retryBaseMs: 1_000, retryMaxMs: 5 * 60_000, claimIdleMs: 30_000, blockMs: 1_000 };

// Moves every due retry back onto its priority stream, atomically, so two processes promoting at
// once never run a job twice and a crash between the two steps never loses one.
const PROMOTE_DUE = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 100)
for _, member in ipairs(due) do
  local space = string.find(member, ' ', 1, true)
  redis.call('ZREM', KEYS[1], member)
  redis.call('XADD', ARGV[2] .. string.sub(member, 1, space - 1), '*', 'job', string.sub(member, space + 1))
end
return #due`;

export class JobWorkers {
  readonly stats: JobWorkerStats = { completed: 0, failed: 0, retried: 0, deadLettered: 0, reclaimed: 0 };
  readonly #o: JobWorkersOptions & typeof DEFAULTS;
  readonly #keys: JobKeys;
  readonly #readers: Redis[] = [];
  readonly #loops: Promise<void>[] = [];
  #running = false;
  #promoter: NodeJS.Timeout | undefined;
  #nextClaimAt = 0;

  constructor(options: JobWorkersOptions) {
    this.#o = { ...DEFAULTS, ...stripUndefined(options) } as JobWorkersOptions & typeof DEFAULTS;
    this.#keys = options.queue.keys;
  }

  async start(): Promise<void> {
    if (this.#running || this.#o.count <= 0) return;
    this.#running = true;
    for (const priority of PRIORITIES) await this.#ensureGroup(priority);
    const prefix = this.#o.consumerPrefix ?? `${hostname()}:${process.pid}:${Date.now().toString(36)}`;
    for (let i = 0; i < this.#o.count; i++) {
      const reader = this.#o.connect(`job-worker-${i}`);
      this.#readers.push(reader);
      this.#loops.push(this.#loop(reader, `${prefix}:${i}`));
    }
    const every = Math.max(50, Math.min(1_000, Math.floor(this.#o.retryBaseMs / 2)));
    this.#promoter = setInterval(() => void this.#promoteDue(), every);
    this.#promoter.unref();
  }

  /** Lets running jobs finish, then stops. Jobs still queued stay in Redis for the next worker. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    clearInterval(this.#promoter);
    // A blocking read returns only after blockMs; dropping the connection ends it now. An entry
    // Redis delivered meanwhile stays pending and is taken over once idle.
    for (const reader of this.#readers) reader.disconnect();
    await Promise.all(this.#loops);
  }

  async #loop(reader: Redis, consumer: string): Promise<void> {
    const waiting: Delivery[] = [];
    while (this.#running) {
      try {
        if (waiting.length === 0) waiting.push(...(await this.#claimIdle(consumer)));
        if (waiting.length === 0) waiting.push(...(await this.#readNext(reader, consumer)));
        const next = waiting.shift();
        if (next) await this.#process(next, consumer);
      } catch (err) {
        if (!this.#running) break;
        this.#o.log.warn({ err: (err as Error).message }, 'job worker waiting to retry');
        await sleep(RETRY_READ_MS);
        // The streams and groups vanish with a Redis that restarted empty: make them again.
        if (this.#running && /NOGROUP|UNBLOCKED/.test((err as Error).message)) {
          for (const p of PRIORITIES) await this.#ensureGroup(p).catch(() => undefined);
        }
      }
    }
  }

  /** The oldest new entry of the highest priority with one; else a blocking read of them all. */
  async #readNext(reader: Redis, consumer: string): Promise<Delivery[]> {
    const { group } = this.#keys;
    for (const priority of PRIORITIES) {
      const reply = (await reader.xreadgroup(
        'GROUP',
        group,
        consumer,
        'COUNT',
        1,
        'STREAMS',
        this.#keys.stream(priority),
        '>',
      )) as ReadReply;
      const found = deliveries(reply, this.#keys, false);
      if (found.length) return found;
    }
    const blockMs = Math.max(10, Math.min(this.#o.blockMs, this.#nextClaimAt - Date.now()));
    const reply = (await reader.xreadgroup(
      'GROUP',
      group,
      consumer,
      'COUNT',
      1,
      'BLOCK',
      blockMs,
      'STREAMS',
      ...PRIORITIES.map((p) => this.#keys.stream(p)),
      ...PRIORITIES.map(() => '>'),
    )) as ReadReply;
    // Should several streams answer at once, their entries are ours now: run them, highest first.
    return deliveries(reply, this.#keys, false);
  }

  /** Entries of workers presumed dead, checked every claimIdleMs / 2 by whichever loop is free. */
  async #claimIdle(consumer: string): Promise<Delivery[]> {
    if (Date.now() < this.#nextClaimAt) return [];
    this.#nextClaimAt = Date.now() + Math.max(100, this.#o.claimIdleMs / 2);
    for (const priority of PRIORITIES) {
      const [, entries] = (await this.#o.commands.xautoclaim(
        this.#keys.stream(priority),
        this.#keys.group,
        consumer,
        this.#o.claimIdleMs,
        '0-0',
        'COUNT',
        1,
      )) as ClaimReply;
      if (entries.length) {
        this.#nextClaimAt = 0; // there may be more: look again as soon as this one is done
        return entries.map(([entryId, fields]) => ({ priority, entryId, jobId: jobIdOf(fields), claimed: true }));
      }
    }
    return [];
  }

  async #process(delivery: Delivery, consumer: string): Promise<void> {
    const { commands, log, queue } = this.#o;
    const job = delivery.jobId ? await queue.get(delivery.jobId) : undefined;
    if (!job || job.status === 'done' || job.status === 'failed') {
      // Expired, unknown, or finished by an attempt that died before acknowledging: nothing to do.
      await this.#acknowledge(commands.multi(), delivery);
      return;
    }
    const now = Date.now();
    if (delivery.claimed) {
      this.stats.reclaimed++;
      job.reclaimed++;
      log.warn({ job: job.id, attempts: job.attempts }, 'took over a job from a worker presumed dead');
      if (job.attempts >= job.maxAttempts) {
        await this.#deadLetter(job, delivery, 'the worker died during the last attempt', now);
        return;
      }
    }
    const handler = this.#o.handlers[job.type];
    if (!handler) {
      await this.#deadLetter(job, delivery, `no handler for jobs of type ${job.type}`, now);
      return;
    }
    job.attempts++;
    await this.#save(job, { status: 'running', progress: 0, retryAt: null }, now);
    // Keeps the entry's idle time low while the job runs, so nobody takes it over.
    const heartbeat = setInterval(
      () => {
        commands
          .xclaim(this.#keys.stream(delivery.priority), this.#keys.group, consumer, 0, delivery.entryId, 'JUSTID')
          .catch(() => undefined);
      },
      Math.max(50, this.#o.claimIdleMs / 3),
    );
    let output: JobOutput;
    try {
      output = await handler(job, async (percent) => {
        const progress = Math.max(0, Math.min(99, Math.round(percent)));
        if (progress !== job.progress) await this.#save(job, { progress });
      });
    } catch (err) {
      clearInterval(heartbeat);
      const message = (err as Error).message || String(err);
      if (err instanceof UnrecoverableJobError) {
        this.stats.failed++;
        await this.#deadLetter(job, delivery, message, Date.now());
      } else await this.#failed(job, delivery, message);
      return;
    }
    clearInterval(heartbeat);
    job.status = 'done';
    job.progress = 100;
    job.result = { ...output.meta, size: output.data.length };
    job.updatedAt = Date.now();
    const transaction = commands
      .multi()
      .set(this.#keys.result(job.id), output.data, 'EX', queue.ttlSeconds)
      .hset(this.#keys.job(job.id), {
        status: 'done',
        progress: '100',
        result: JSON.stringify(job.result),
        reclaimed: String(job.reclaimed),
        updatedAt: String(job.updatedAt),
      })
      .expire(this.#keys.job(job.id), queue.ttlSeconds);
    await this.#acknowledge(transaction, delivery);
    this.stats.completed++;
    this.#o.onChange?.(job);
  }

  async #failed(job: JobRecord, delivery: Delivery, error: string): Promise<void> {
    const now = Date.now();
    this.stats.failed++;
    if (job.attempts >= job.maxAttempts) {
      await this.#deadLetter(job, delivery, error, now);
      return;
    }
    const retryAt = now + retryDelayMs(job.attempts, this.#o.retryBaseMs, this.#o.retryMaxMs);
    this.#o.log.warn({ job: job.id, attempts: job.attempts, error, retryAt }, 'job failed, will retry');
    job.status = 'retrying';
    job.error = error;
    job.retryAt = retryAt;
    job.updatedAt = now;
    const transaction = this.#o.commands
      .multi()
      .hset(this.#keys.job(job.id), {
        status: 'retrying',
        error,
        retryAt: String(retryAt),
        reclaimed: String(job.reclaimed),
        updatedAt: String(now),
      })
      .expire(this.#keys.job(job.id), this.#o.queue.ttlSeconds)
      .zadd(this.#keys.delayed, retryAt, `${job.priority} ${job.id}`);
    await this.#acknowledge(transaction, delivery);
    this.stats.retried++;
    this.#o.onChange?.(job);
  }

  async #deadLetter(job: JobRecord, delivery: Delivery, error: string, now: number): Promise<void> {
    this.#o.log.error({ job: job.id, type: job.type, attempts: job.attempts, error }, 'job dead-lettered');
    job.status = 'failed';
    job.error = error;
    job.retryAt = null;
    job.updatedAt = now;
    const letter = { id: job.id, type: job.type, owner: job.owner, attempts: job.attempts, error, at: now };
    const transaction = this.#o.commands
      .multi()
      .hset(this.#keys.job(job.id), {
        status: 'failed',
        error,
        retryAt: '',
        reclaimed: String(job.reclaimed),
        updatedAt: String(now),
      })
      .expire(this.#keys.job(job.id), this.#o.queue.ttlSeconds)
      .lpush(this.#keys.dead, JSON.stringify(letter))
      .ltrim(this.#keys.dead, 0, DEAD_LETTERS_KEPT - 1);
    await this.#acknowledge(transaction, delivery);
    this.stats.deadLettered++;
    this.#o.onChange?.(job);
  }

  /** Runs `transaction` with the entry's acknowledgement and removal appended: all or nothing. */
  async #acknowledge(transaction: ReturnType<Redis['multi']>, delivery: Delivery): Promise<void> {
    const stream = this.#keys.stream(delivery.priority);
    transaction.xack(stream, this.#keys.group, delivery.entryId).xdel(stream, delivery.entryId);
    const replies = await transaction.exec();
    const failed = replies?.find(([err]) => err);
    if (!replies || failed) throw failed?.[0] ?? new Error('job transaction aborted');
  }

  async #save(job: JobRecord, change: Partial<JobRecord>, now = Date.now()): Promise<void> {
    Object.assign(job, change, { updatedAt: now });
    const fields: Record<string, string> = { updatedAt: String(now), reclaimed: String(job.reclaimed) };
    for (const [k, v] of Object.entries(change)) fields[k] = v === null ? '' : String(v);
    fields.attempts = String(job.attempts);
    await this.#o.commands
      .multi()
      .hset(this.#keys.job(job.id), fields)
      .expire(this.#keys.job(job.id), this.#o.queue.ttlSeconds)
      .exec();
    this.#o.onChange?.(job);
  }

  async #promoteDue(): Promise<void> {
    try {
      await this.#o.commands.eval(PROMOTE_DUE, 1, this.#keys.delayed, Date.now(), this.#keys.streamPrefix);
    } catch (err) {
      this.#o.log.warn({ err: (err as Error).message }, 'could not move due job retries back to their queues');
    }
  }

  async #ensureGroup(priority: Priority): Promise<void> {
    try {
      await this.#o.commands.xgroup('CREATE', this.#keys.stream(priority), this.#keys.group, '0', 'MKSTREAM');
    } catch (err) {
      if (!/BUSYGROUP/.test((err as Error).message)) throw err;
    }
  }
}

/** Dead letters kept for operators (the job records themselves expire with their TTL). */
export const DEAD_LETTERS_KEPT = 1_000;

function deliveries(reply: ReadReply, keys: JobKeys, claimed: boolean): Delivery[] {
  if (!reply) return [];
  const out: Delivery[] = [];
  for (const priority of PRIORITIES) {
    const entries = reply.find(([stream]) => stream === keys.stream(priority))?.[1] ?? [];
    for (const [entryId, fields] of entries) out.push({ priority, entryId, jobId: jobIdOf(fields), claimed });
  }
  return out;
}

function jobIdOf(fields: string[] | null): string | undefined {
  if (!fields) return undefined;
  const at = fields.indexOf('job');
  return at >= 0 && at % 2 === 0 ? fields[at + 1] : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
