// What a trader can export and how each export is named, typed and queued. Validation here gives
// the API its stable error codes; nothing in this file does I/O.
import { z } from 'zod';
import { RANGES, type Range } from '../history/ranges.js';
import type { Priority } from '../job-queue/job-keys.js';

export const EXPORT_KINDS = ['positions-csv', 'transactions-csv', 'history-csv', 'report-html'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

/** The job type exports run under in the queue. */
export const EXPORT_JOB = 'export';

export interface ExportRequest {
  portfolio: number;
  kind: ExportKind;
  /** History and report only; the others are as of now. */
  range: Range | null;
}

export const ExportRequestSchema = z
  .object({
    portfolio: z.number({ error: 'portfolio must be a portfolio id' }).int().positive().max(Number.MAX_SAFE_INTEGER),
    kind: z.enum(EXPORT_KINDS, { error: `kind must be one of ${EXPORT_KINDS.join(', ')}` }),
    range: z.enum(RANGES, { error: `range must be one of ${RANGES.join(', ')}` }).optional(),
  })
  .strict()
  .transform((r): ExportRequest => ({
    portfolio: r.portfolio,
    kind: r.kind,
    range: usesRange(r.kind) ? (r.range ?? DEFAULT_RANGE) : null,
  }));

export const DEFAULT_RANGE: Range = '1M';

export function usesRange(kind: ExportKind): boolean {
  return kind === 'history-csv' || kind === 'report-html';
}

/** Small CSVs are what a trader waits for with the menu open; a report can take its turn. */
export function priorityOf(kind: ExportKind): Priority {
  return kind === 'report-html' ? 'normal' : 'high';
}

export function contentTypeOf(kind: ExportKind): string {
  return kind === 'report-html' ? 'text/html; charset=utf-8' : 'text/csv; charset=utf-8';
}

/** e.g. `growth-history-1M-2026-11-25.csv`: ASCII only, safe in a Content-Disposition header. */
export function fileNameOf(request: ExportRequest, portfolioName: string, now: number): string {
  const slug =
    portfolioName
      .normalize('NFKD')
      .replace(/\p{M}/gu, '') // accents off: é is e
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || `portfolio-${request.portfolio}`;
  const what = request.kind.replace(/-(csv|html)$/, '');
  const day = new Date(now).toISOString().slice(0, 10);
  const extension = request.kind === 'report-html' ? 'html' : 'csv';
  return [slug, what, request.range, day].filter(Boolean).join('-') + `.${extension}`;
}
