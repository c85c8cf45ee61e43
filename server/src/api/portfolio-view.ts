// A portfolio with its positions, as GET /portfolios/:id answers it, cached once per portfolio
// (owner included) and checked against the caller on every read: ownership costs no query on a hit.
// Someone else's portfolio answers exactly like a missing one, so existence is not leaked.
import type { PortfolioCache } from '../cache/portfolio-cache.js';
import type { Queryable } from '../db/database.js';
import { notFound } from '../http/http-error.js';
import { listPositions, portfolioWithOwner, type PositionRow } from '../store/portfolios.js';

export interface PortfolioView {
  id: number;
  name: string;
  baseCurrency: string;
  positions: PositionRow[];
}

interface OwnedView {
  owner: number;
  view: PortfolioView;
}

/** The view, from the cache or the database; undefined when there is no such portfolio. */
export function readPortfolioView(
  db: Queryable,
  cache: PortfolioCache,
  portfolioId: number,
): Promise<OwnedView | undefined> {
  return cache.read('portfolio', portfolioId, 'view', {}, async () => {
    const portfolio = await portfolioWithOwner(db, portfolioId);
    if (!portfolio) return undefined;
    const { owner, ...rest } = portfolio;
    return { owner, view: { ...rest, positions: await listPositions(db, portfolioId) } };
  });
}

/** The caller's portfolio `portfolioId` (undefined: not an id), or a 404. */
export async function ownPortfolioView(
  ctx: { db: Queryable; cache: PortfolioCache },
  userId: number,
  portfolioId: number | undefined,
): Promise<PortfolioView> {
  const owned = portfolioId === undefined ? undefined : await readPortfolioView(ctx.db, ctx.cache, portfolioId);
  if (!owned || owned.owner !== userId) throw notFound('no such portfolio');
  return owned.view;
}
