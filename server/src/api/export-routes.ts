// Exports of a portfolio (CSV positions, transactions, history; an HTML performance report), made
// in the background by the job queue (docs/jobs.md). POST queues one and answers 202 at once; its
// progress arrives as `job` notices on the owner's sockets and at GET /exports/:id; the file is
// served by any gateway from Redis. Another user's export or portfolio is simply not found.
import type { TemplatedApp } from 'uWebSockets.js';
import { HttpError, badRequest, notFound } from '../http/http-error.js';
import { route, type Request } from '../http/routes.js';
import type { JobQueue } from '../job-queue/job-queue.js';
import type { JobRecord } from '../job-queue/job-record.js';
import { EXPORT_JOB, ExportRequestSchema, priorityOf } from '../exports/export-request.js';
import { exportView } from '../exports/export-view.js';
import { findPortfolio } from '../store/portfolios.js';
import { requireUser, type ApiContext } from './context.js';

export interface ExportContext extends ApiContext {
  jobs: JobQueue;
}

/** Exports one user may have queued or running at once: enough for a menu, not for a flood. */
export const MAX_ACTIVE_EXPORTS = 10;
const RECENT_EXPORTS = 20;
const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function registerExportRoutes(app: TemplatedApp, ctx: ExportContext): void {
  /** The caller's export job with that id; anyone else's, or an expired one, is not found. */
  const ownExport = async (req: Request): Promise<JobRecord> => {
    const userId = await requireUser(ctx, req);
    const id = req.params.id ?? '';
    const job = JOB_ID.test(id) ? await ctx.jobs.get(id) : undefined;
    if (!job || job.owner !== userId || job.type !== EXPORT_JOB) throw notFound('no such export');
    return job;
  };

  route(
    app,
    'post',
    '/api/v1/exports',
    async (req) => {
      const userId = await requireUser(ctx, req);
      const parsed = ExportRequestSchema.safeParse(req.body);
      if (!parsed.success) throw badRequest(parsed.error.issues.map((i) => i.message).join('; '));
      const request = parsed.data;
      if (!(await findPortfolio(ctx.db, userId, request.portfolio))) throw notFound('no such portfolio');
      const recent = await ctx.jobs.list(userId, MAX_ACTIVE_EXPORTS * 2);
      const active = recent.filter((j) => j.status === 'queued' || j.status === 'running' || j.status === 'retrying');
      if (active.length >= MAX_ACTIVE_EXPORTS) {
        throw new HttpError(429, 'RATE_LIMITED', `at most ${MAX_ACTIVE_EXPORTS} exports may be in progress at once`);
      }
      const job = await ctx.jobs.enqueue({
        type: EXPORT_JOB,
        owner: userId,
        priority: priorityOf(request.kind),
        // Stored as the request schema reads it back in the worker (no range: none).
        payload: {
          portfolio: request.portfolio,
          kind: request.kind,
          ...(request.range ? { range: request.range } : {}),
        },
      });
      return { status: 202, body: exportView(job), headers: { Location: `/api/v1/exports/${job.id}` } };
    },
    ctx,
  );

  route(
    app,
    'get',
    '/api/v1/exports',
    async (req) => {
      const userId = await requireUser(ctx, req);
      const jobs = await ctx.jobs.list(userId, RECENT_EXPORTS);
      return { body: { exports: jobs.filter((j) => j.type === EXPORT_JOB).map(exportView) } };
    },
    ctx,
  );

  route(app, 'get', '/api/v1/exports/:id', async (req) => ({ body: exportView(await ownExport(req)) }), ctx);

  route(
    app,
    'get',
    '/api/v1/exports/:id/file',
    async (req) => {
      const view = exportView(await ownExport(req));
      if (!view.file) throw new HttpError(409, 'NOT_READY', `the export is ${view.status}, not done`);
      const data = await ctx.jobs.result(view.id);
      if (!data) throw notFound('the export has expired');
      return {
        raw: data,
        headers: {
          'Content-Type': view.file.contentType,
          // The name is ASCII by construction (export-request.ts fileNameOf).
          'Content-Disposition': `attachment; filename="${view.file.name}"`,
          // A report is HTML from our origin: it may style itself and nothing else.
          'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
        },
      };
    },
    ctx,
  );
}
