// GET /api/v1/calculations/portfolio-metrics?portfolio=&range=: risk and return figures for one of
// the caller's portfolios over a range, computed on the worker pool from the same history the chart
// shows (so its TWR is the chart's TWR), never on the event loop. The answer is cached per
// portfolio, range and data version, and goes stale with the history it rests on (a new bucket of
// the range's aggregate, e.g. a new day for 1Y): docs/caching.md.
import type { TemplatedApp } from 'uWebSockets.js';
import { PoolBusyError, PoolClosedError } from '../../../workers/src/pool/errors.js';
import type { MetricsPool } from '../../../workers/src/pool/metrics-pool.js';
import { badRequest, HttpError } from '../http/http-error.js';
import { route } from '../http/routes.js';
import { historyFreshness, type PortfolioHistory } from '../history/portfolio-history.js';
import { isRange, RANGES, type Range } from '../history/ranges.js';
import { dailyBenchmark, dailySeries } from '../metrics/daily-series.js';
import { idParam, requireUser, type ApiContext } from './context.js';
import { ownPortfolioView } from './portfolio-view.js';

export interface MetricsContext extends ApiContext {
  history: PortfolioHistory;
  pool: MetricsPool;
  riskFreeRate: number;
  defaultBenchmark: string | null;
}

/** The metrics of one portfolio over one range, from the cache while fresh; no ownership check. */
export function portfolioMetrics(ctx: MetricsContext, portfolioId: number, range: Range, now = Date.now()) {
  const freshness = historyFreshness(range, ctx.history.watermarks, now);
  return ctx.cache.read('portfolio-metrics', portfolioId, range, freshness, () =>
    computeMetrics(ctx, portfolioId, range, now),
  );
}

async function computeMetrics(ctx: MetricsContext, id: number, range: Range, now: number) {
  const history = await ctx.history.get(id, range, ctx.defaultBenchmark, now);
  const benchmark = dailyBenchmark(history);
  let metrics;
  try {
    metrics = await ctx.pool.portfolioMetrics({
      series: dailySeries(history),
      ...(benchmark ? { benchmark } : {}),
      riskFreeRate: ctx.riskFreeRate,
    });
  } catch (err) {
    if (err instanceof PoolBusyError) throw new HttpError(503, 'BUSY', 'metrics are busy, try again shortly');
    // A request that was in flight when the server began shutting down: another gateway answers it.
    if (err instanceof PoolClosedError) throw new HttpError(503, 'NOT_READY', 'the server is shutting down, try again');
    throw err;
  }
  return {
    portfolio: id,
    range,
    ...metrics,
    // The chart's own TWR, chained at the history's resolution (finer than days for short
    // ranges): one TWR across the product. The daily figures below rest on the daily series.
    timeWeightedReturn: history.twr,
    benchmark:
      metrics.benchmark && history.benchmark ? { symbol: history.benchmark.symbol, ...metrics.benchmark } : null,
  };
}

export function registerMetricsRoutes(app: TemplatedApp, ctx: MetricsContext): void {
  route(
    app,
    'get',
    '/api/v1/calculations/portfolio-metrics',
    async (req) => {
      const userId = await requireUser(ctx, req);
      const id = idParam(req.query.get('portfolio') ?? undefined);
      if (id === undefined) throw badRequest('portfolio must be a portfolio id');
      const range = req.query.get('range') ?? '1Y';
      if (!isRange(range)) throw badRequest(`range must be one of ${RANGES.join(', ')}`);
      await ownPortfolioView(ctx, userId, id);
      return { body: await portfolioMetrics(ctx, id, range) };
    },
    ctx,
  );
}
