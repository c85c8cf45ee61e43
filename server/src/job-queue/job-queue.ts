// The producer side of the job queue and its read side: enqueue writes a job's record and adds its
// id to the stream of its priority, in one MULTI; get, list and result read what the workers wrote.
// Any gateway can enqueue and answer, whether or not it runs workers (docs/jobs.md).
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { JobKeys, Priority } from './job-keys.js';
import { fromHash, toHash, type JobRecord } from './job-record.js';

export interface JobQueueOptions {
  commands: Redis;
  keys: JobKeys;
  /** Attempts before a job is dead-lettered (a crashed attempt counts). */
  maxAttempts: number;
  /** How long a job's record and result are kept after its last change. */
  ttlSeconds: number;
  /** Jobs remembered per owner for listing (older ones drop out of the list, not out of Redis). */
  keepPerOwner?: number;
}

export interface NewJob {
  type: string;
  owner: number;
  priority: Priority;
  payload: Record<string, unknown>;
}

export interface DeadJob {
  id: string;
  type: string;
  owner: number;
  attempts: number;
  error: string;
  at: number;
}

const DEFAULT_KEEP_PER_OWNER = 50;

export class JobQueue {
  readonly keys: JobKeys;
  readonly maxAttempts: number;
  readonly ttlSeconds: number;
  readonly #redis: Redis;
  readonly #keep: number;

  constructor(options: JobQueueOptions) {
    this.#redis = options.commands;
    this.keys = options.keys;
    this.maxAttempts = options.maxAttempts;
    this.ttlSeconds = options.ttlSeconds;
    this.#keep = options.keepPerOwner ?? DEFAULT_KEEP_PER_OWNER;
  }

  async enqueue(job: NewJob, now = Date.now()): Promise<JobRecord> {
    const record: JobRecord = {
      id: randomUUID(),
      ...job,
      status: 'queued',
      progress: 0,
      attempts: 0,
      maxAttempts: this.maxAttempts,
      error: null,
      result: null,
      reclaimed: 0,
      createdAt: now,
      updatedAt: now,
      retryAt: null,
    };
    const { keys } = this;
    const owner = keys.owner(job.owner);
    const replies = await this.#redis
      .multi()
      .hset(keys.job(record.id), toHash(record))
      .expire(keys.job(record.id), this.ttlSeconds)
      .zadd(owner, now, record.id)
      .zremrangebyrank(owner, 0, -this.#keep - 1)
      .expire(owner, this.ttlSeconds)
      .xadd(keys.stream(job.priority), '*', 'job', record.id)
      .exec();
    const failed = replies?.find(([err]) => err);
    if (!replies || failed) throw failed?.[0] ?? new Error('enqueue transaction aborted');
    return record;
  }

  async get(id: string): Promise<JobRecord | undefined> {
    return fromHash(await this.#redis.hgetall(this.keys.job(id)));
  }

  /** The owner's most recent jobs, newest first (expired ones skipped). */
  async list(owner: number, limit = 20): Promise<JobRecord[]> {
    const ids = await this.#redis.zrevrange(this.keys.owner(owner), 0, limit - 1);
    if (ids.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.keys.job(id));
    const replies = (await pipeline.exec()) ?? [];
    return replies.flatMap(([err, hash]) => {
      const job = err ? undefined : fromHash(hash as Record<string, string>);
      return job && job.owner === owner ? [job] : [];
    });
  }

  /** A finished job's output, or undefined once it expired. */
  async result(id: string): Promise<Buffer | undefined> {
    return (await this.#redis.getBuffer(this.keys.result(id))) ?? undefined;
  }

  /** The most recent dead letters, newest first. */
  async deadLetters(limit = 100): Promise<DeadJob[]> {
    return (await this.#redis.lrange(this.keys.dead, 0, limit - 1)).map((s) => JSON.parse(s) as DeadJob);
  }
}
