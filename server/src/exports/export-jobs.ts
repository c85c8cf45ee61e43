// Puts the export machinery together for one process: the queue every gateway feeds, the report
// threads, and (unless JOB_WORKERS=0) the worker loops, whose every change of a job reaches its
// owner's sockets as a `job` notice.
import type { Redis } from 'ioredis';
import { ReportThreads } from '../../../workers/src/reports/report-threads.js';
import type { Config } from '../config.js';
import type { UserNotices } from '../gateway/user-notices.js';
import { jobKeys } from '../job-queue/job-keys.js';
import { JobQueue } from '../job-queue/job-queue.js';
import { JobWorkers } from '../job-queue/job-workers.js';
import type { Logger } from '../log.js';
import { jobFrame } from '../protocol/server-frames.js';
import { exportJobHandler, type ExportDeps } from './export-job.js';
import { EXPORT_JOB } from './export-request.js';
import { exportView } from './export-view.js';

export interface ExportJobsOptions {
  config: Config['jobs'];
  commands: Redis;
  connect(name: string): Redis;
  /** RedisKeys.jobs */
  keyBase: string;
  notices: UserNotices;
  log: Logger;
  deps: Omit<ExportDeps, 'threads'>;
}

export interface ExportJobs {
  queue: JobQueue;
  /** Undefined when this process runs no workers. */
  workers: JobWorkers | undefined;
  stop(): Promise<void>;
}

export async function startExportJobs(o: ExportJobsOptions): Promise<ExportJobs> {
  const queue = new JobQueue({
    commands: o.commands,
    keys: jobKeys(o.keyBase),
    maxAttempts: o.config.maxAttempts,
    ttlSeconds: o.config.resultTtlSeconds,
  });
  if (o.config.workers === 0) return { queue, workers: undefined, stop: async () => undefined };
  const threads = new ReportThreads(o.config.workers);
  const workers = new JobWorkers({
    queue,
    commands: o.commands,
    connect: o.connect,
    handlers: { [EXPORT_JOB]: exportJobHandler({ ...o.deps, threads }) },
    count: o.config.workers,
    log: o.log,
    retryBaseMs: o.config.retryBaseMs,
    retryMaxMs: o.config.retryMaxMs,
    claimIdleMs: o.config.claimIdleMs,
    onChange: (job) => {
      if (job.type !== EXPORT_JOB) return;
      o.notices.send(job.owner, jobFrame(exportView(job))).catch((err: unknown) => {
        o.log.warn({ err: (err as Error).message, job: job.id }, 'could not send a job notice');
      });
    },
  });
  await workers.start();
  o.log.info({ workers: o.config.workers }, 'job workers started');
  return {
    queue,
    workers,
    async stop() {
      await workers.stop();
      await threads.close();
    },
  };
}
