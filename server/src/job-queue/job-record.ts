// A job as stored in its Redis hash, and the conversions both ways. Everything a client or an
// operator asks about a job (status, progress, attempts, the last error, the result's metadata) is
// in this one hash, which expires with the job's result.
import type { Priority } from './job-keys.js';

export const JOB_STATUSES = ['queued', 'running', 'retrying', 'done', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface JobRecord {
  id: string;
  /** Which handler runs it. */
  type: string;
  /** The user who asked for it: only they see it. */
  owner: number;
  priority: Priority;
  status: JobStatus;
  /** 0 to 100. */
  progress: number;
  /** Attempts started so far, a crashed one included. */
  attempts: number;
  maxAttempts: number;
  /** What the handler needs, as given to enqueue. */
  payload: Record<string, unknown>;
  /** The last attempt's error, kept when a later attempt succeeds. */
  error: string | null;
  /** Set when done: what the handler said about its output (file name, type, size...). */
  result: Record<string, unknown> | null;
  /** Times the job was taken over from a worker presumed dead. */
  reclaimed: number;
  createdAt: number;
  updatedAt: number;
  /** While retrying: when the next attempt may start. */
  retryAt: number | null;
}

export function toHash(job: JobRecord): Record<string, string> {
  return {
    id: job.id,
    type: job.type,
    owner: String(job.owner),
    priority: job.priority,
    status: job.status,
    progress: String(job.progress),
    attempts: String(job.attempts),
    maxAttempts: String(job.maxAttempts),
    payload: JSON.stringify(job.payload),
    error: job.error ?? '',
    result: job.result ? JSON.stringify(job.result) : '',
    reclaimed: String(job.reclaimed),
    createdAt: String(job.createdAt),
    updatedAt: String(job.updatedAt),
    retryAt: job.retryAt === null ? '' : String(job.retryAt),
  };
}

/** The record, or undefined for an empty hash (expired, or never there). */
export function fromHash(hash: Record<string, string>): JobRecord | undefined {
  if (!hash.id) return undefined;
  return {
    id: hash.id,
    type: hash.type ?? '',
    owner: Number(hash.owner),
    priority: (hash.priority ?? 'normal') as Priority,
    status: (hash.status ?? 'queued') as JobStatus,
    progress: Number(hash.progress ?? 0),
    attempts: Number(hash.attempts ?? 0),
    maxAttempts: Number(hash.maxAttempts ?? 1),
    payload: hash.payload ? (JSON.parse(hash.payload) as Record<string, unknown>) : {},
    error: hash.error || null,
    result: hash.result ? (JSON.parse(hash.result) as Record<string, unknown>) : null,
    reclaimed: Number(hash.reclaimed ?? 0),
    createdAt: Number(hash.createdAt),
    updatedAt: Number(hash.updatedAt),
    retryAt: hash.retryAt ? Number(hash.retryAt) : null,
  };
}
