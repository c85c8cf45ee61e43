import type { TemplatedApp } from 'uWebSockets.js';
import { notFound } from '../http/http-error.js';
import { route } from '../http/routes.js';
import { findPortfolio, listPortfolios, listPositions } from '../store/portfolios.js';
import { idParam, requireUser, type ApiContext } from './context.js';

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
      const portfolio = (await findPortfolio(ctx.db, userId, first.id))!;
      return { body: { ...portfolio, positions: await listPositions(ctx.db, portfolio.id) } };
    },
    ctx,
  );

  route(
    app,
    'get',
    '/api/v1/portfolios/:id',
    async (req) => {
      const userId = await requireUser(ctx, req);
      const id = idParam(req.params.id);
      // Someone else's portfolio answers exactly like a missing one: existence is not leaked.
      const portfolio = id === undefined ? undefined : await findPortfolio(ctx.db, userId, id);
      if (!portfolio) throw notFound('no such portfolio');
      return { body: { ...portfolio, positions: await listPositions(ctx.db, portfolio.id) } };
    },
    ctx,
  );
}
