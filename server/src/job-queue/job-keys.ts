// Every Redis key of the job queue, derived from one base (RedisKeys.jobs) so a deployment's or a
// test's prefix covers them all. docs/jobs.md describes what each one holds.
export const PRIORITIES = ['high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

export interface JobKeys {
  /** One stream per priority; workers read `high` first. Entries carry only the job id. */
  stream(priority: Priority): string;
  /** What every stream's name starts with (the priority follows). */
  streamPrefix: string;
  /** The consumer group every worker joins on each stream (a group name, not a key). */
  group: string;
  /** A job's record: a hash with its status, progress, attempts and result metadata. */
  job(id: string): string;
  /** A finished job's output (a file), beside its record and with the same lifetime. */
  result(id: string): string;
  /** An owner's jobs, newest last (sorted set scored by creation time). */
  owner(ownerId: number): string;
  /** Jobs waiting out a retry backoff: sorted set of "<priority> <id>" scored by when they may run. */
  delayed: string;
  /** Jobs that failed every attempt (a capped list of JSON entries, newest first). */
  dead: string;
}

export function jobKeys(base: string): JobKeys {
  return {
    stream: (priority) => `${base}:q:${priority}`,
    streamPrefix: `${base}:q:`,
    group: 'job-workers',
    job: (id) => `${base}:job:${id}`,
    result: (id) => `${base}:job:${id}:result`,
    owner: (ownerId) => `${base}:owner:${ownerId}`,
    delayed: `${base}:delayed`,
    dead: `${base}:dead`,
  };
}

export function isPriority(value: string): value is Priority {
  return (PRIORITIES as readonly string[]).includes(value);
}
