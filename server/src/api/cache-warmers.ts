// How a starting gateway recomputes each kind of recently read answer (cache/cache-warmer.ts): the
// same functions the routes call, without the per-caller ownership check (the owner is checked when
// the answer is served, not when it is cached).
import type { CacheName } from '../cache/portfolio-cache.js';
import type { Warmer } from '../cache/cache-warmer.js';
import { isRange } from '../history/ranges.js';
import { portfolioMetrics, type MetricsContext } from './metrics-routes.js';
import { readPortfolioView } from './portfolio-view.js';

export function cacheWarmers(ctx: MetricsContext): Partial<Record<CacheName, Warmer>> {
  return {
    portfolio: (id) => readPortfolioView(ctx.db, ctx.cache, id),
    history: async (id, field) => {
      const [range = '', benchmark = ''] = field.split(':');
      if (isRange(range)) await ctx.history.get(id, range, benchmark || null);
    },
    'portfolio-metrics': async (id, range) => {
      if (isRange(range)) await portfolioMetrics(ctx, id, range);
    },
  };
}
