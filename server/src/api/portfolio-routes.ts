import type { TemplatedApp } from 'uWebSockets.js';
import { notFound } from '../http/http-error.js';
import { route } from '../http/routes.js';
import { listPortfolios } from '../store/portfolios.js';
import { idParam, requireUser, type ApiContext } from './context.js';
import { ownPortfolioView } from './portfolio-view.js';

export function registerPortfolioRoutes(app: TemplatedApp, ctx: ApiContext): void {
  route(
    app,
    'get',
    '/api/v1/portfolios',
    async (req) => {
      const userId = await requireUser(ctx, req);
      return { body: { portfolios: await listPortfolios(ctx.db, userId) } };
    },
    ctx,
  );

  route(
    app,
    'get',
    '/api/v1/portfolio',
    async (req) => {
      // The default portfolio: the user's first (oldest) one.
      const userId = await requireUser(ctx, req);
      const [first] = await listPortfolios(ctx.db, userId);
      if (!first) throw notFound('you have no portfolio yet');
      return { body: await ownPortfolioView(ctx, userId, first.id) };
    },
    ctx,
  );

  route(
    app,
    'get',
    '/api/v1/portfolios/:id',
    async (req) => {
      const userId = await requireUser(ctx, req);
      return { body: await ownPortfolioView(ctx, userId, idParam(req.params.id)) };
    },
    ctx,
  );
}
