// How an export job looks to its owner, over HTTP and in `job` notices alike: what was asked, where
// it stands, and the file once there is one. Queue internals (owner, priority, payload) stay inside.
import type { JobRecord, JobStatus } from '../job-queue/job-record.js';
import type { ExportKind } from './export-request.js';

export interface ExportView {
  id: string;
  kind: ExportKind;
  portfolio: number;
  range: string | null;
  status: JobStatus;
  progress: number;
  attempts: number;
  /** The last failed attempt's reason (also after a retry succeeded). */
  error: string | null;
  createdAt: number;
  updatedAt: number;
  /** While retrying: when the next attempt may start. */
  retryAt: number | null;
  file: { name: string; contentType: string; size: number; url: string } | null;
}

export function exportView(job: JobRecord): ExportView {
  const result = job.result;
  return {
    id: job.id,
    kind: job.payload.kind as ExportKind,
    portfolio: Number(job.payload.portfolio),
    range: (job.payload.range as string | null | undefined) ?? null,
    status: job.status,
    progress: job.progress,
    attempts: job.attempts,
    error: job.error,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    retryAt: job.retryAt,
    file:
      job.status === 'done' && result
        ? {
            name: String(result.fileName),
            contentType: String(result.contentType),
            size: Number(result.size),
            url: `/api/v1/exports/${job.id}/file`,
          }
        : null,
  };
}
