// Runs one export: loads what the kind needs with the same functions the HTTP API answers with (so
// a CSV holds the API's numbers), then renders on a report thread, off the event loop. Progress
// goes up in steps a trader can follow: loading, rendering, done.
import type { MetricsPool } from '../../../workers/src/pool/metrics-pool.js';
import type { ReportThreads } from '../../../workers/src/reports/report-threads.js';
import type { MetricsData, RenderRequest, ValuedPosition } from '../../../workers/src/reports/types.js';
import type { Database } from '../db/database.js';
import { valueCents } from '../engine/money.js';
import type { PortfolioHistory } from '../history/portfolio-history.js';
import type { JobHandler } from '../job-queue/job-workers.js';
import { UnrecoverableJobError } from '../job-queue/job-workers.js';
import { dailyBenchmark, dailySeries } from '../metrics/daily-series.js';
import { findPortfolio, listPositions } from '../store/portfolios.js';
import { transactionPage, type LedgerPosition, type TransactionRow } from '../store/transactions.js';
import { contentTypeOf, ExportRequestSchema, fileNameOf, type ExportRequest } from './export-request.js';

/** A ledger longer than this is cut (newest kept): a CSV for a spreadsheet, not an archive. */
export const MAX_EXPORTED_TRANSACTIONS = 100_000;

export interface ExportDeps {
  db: Database;
  history: PortfolioHistory;
  pool: MetricsPool;
  threads: ReportThreads;
  riskFreeRate: number;
  defaultBenchmark: string | null;
  /** The last price the server knows for a symbol (the report values positions at it). */
  priceOf(symbol: string): number | undefined;
}

export function exportJobHandler(deps: ExportDeps): JobHandler {
  return async (job, progress) => {
    const parsed = ExportRequestSchema.safeParse(job.payload);
    if (!parsed.success) throw new UnrecoverableJobError('not an export request');
    const request = parsed.data;
    // Checked again here: the portfolio may have changed hands or gone since the job was queued.
    const portfolio = await findPortfolio(deps.db, job.owner, request.portfolio);
    if (!portfolio) throw new UnrecoverableJobError('no such portfolio');
    await progress(10);
    const renderRequest = await load(deps, request, portfolio);
    await progress(60);
    const text = await deps.threads.render(renderRequest);
    await progress(90);
    return {
      data: Buffer.from(text, 'utf8'),
      meta: { fileName: fileNameOf(request, portfolio.name, Date.now()), contentType: contentTypeOf(request.kind) },
    };
  };
}

async function load(
  deps: ExportDeps,
  request: ExportRequest,
  portfolio: { id: number; name: string; baseCurrency: string },
): Promise<RenderRequest> {
  switch (request.kind) {
    case 'positions-csv':
      return { kind: 'positions-csv', positions: await listPositions(deps.db, portfolio.id) };
    case 'transactions-csv':
      return {
        kind: 'transactions-csv',
        transactions: await wholeLedger(deps.db, portfolio.id),
      };
    case 'history-csv':
      return {
        kind: 'history-csv',
        history: await deps.history.get(portfolio.id, request.range!, deps.defaultBenchmark),
      };
    case 'report-html': {
      const [history, positions] = await Promise.all([
        deps.history.get(portfolio.id, request.range!, deps.defaultBenchmark),
        listPositions(deps.db, portfolio.id),
      ]);
      return {
        kind: 'report-html',
        report: {
          portfolio,
          generatedAt: Date.now(),
          history,
          metrics: await metricsOf(deps, history),
          positions: positions.map((p): ValuedPosition => {
            const price = deps.priceOf(p.symbol) ?? null;
            return { ...p, price, value: price === null ? null : valueCents(p.quantity, price) / 100 };
          }),
        },
      };
    }
  }
}

/** Every transaction, newest first as the API pages them, read a page at a time. */
async function wholeLedger(db: Database, portfolioId: number): Promise<TransactionRow[]> {
  const all: TransactionRow[] = [];
  let after: LedgerPosition | undefined;
  do {
    const page = await transactionPage(db, portfolioId, LEDGER_PAGE, after);
    all.push(...page.transactions);
    after = page.next;
  } while (after && all.length < MAX_EXPORTED_TRANSACTIONS);
  return all.slice(0, MAX_EXPORTED_TRANSACTIONS);
}

const LEDGER_PAGE = 5_000;

/** The metrics API's figures for the same history, from the same pool; null when they cannot be had. */
async function metricsOf(
  deps: ExportDeps,
  history: Awaited<ReturnType<PortfolioHistory['get']>>,
): Promise<MetricsData | null> {
  const benchmark = dailyBenchmark(history);
  try {
    const metrics = await deps.pool.portfolioMetrics({
      series: dailySeries(history),
      ...(benchmark ? { benchmark } : {}),
      riskFreeRate: deps.riskFreeRate,
    });
    return {
      ...metrics,
      benchmark:
        metrics.benchmark && history.benchmark ? { symbol: history.benchmark.symbol, ...metrics.benchmark } : null,
    };
  } catch (err) {
    if ((err as Error).name === 'MetricsInputError') return null;
    throw err;
  }
}
