// Portfolios and their positions. Every read that serves a user takes the user's id, so a query can
// never return someone else's portfolio.
import type { Queryable } from '../db/database.js';
import type { Holding } from '../engine/types.js';

export interface PortfolioSummary {
  id: number;
  name: string;
  baseCurrency: string;
  positionCount: number;
}

export interface PositionRow {
  symbol: string;
  name: string;
  sector: string;
  quantity: number;
  costBasis: number;
  /** Target allocation in percent, when set. */
  targetWeight: number | null;
}

export async function listPortfolios(db: Queryable, userId: number): Promise<PortfolioSummary[]> {
  return db.query<PortfolioSummary>(
    `SELECT p.id, p.name, p.base_currency AS "baseCurrency",
            (SELECT count(*) FROM positions x WHERE x.portfolio_id = p.id)::int AS "positionCount"
       FROM portfolios p WHERE p.user_id = $1 ORDER BY p.id`,
    [userId],
  );
}

/** The portfolio when it belongs to `userId`; undefined otherwise (absent or someone else's). */
export async function findPortfolio(
  db: Queryable,
  userId: number,
  portfolioId: number,
): Promise<{ id: number; name: string; baseCurrency: string } | undefined> {
  const rows = await db.query<{ id: number; name: string; baseCurrency: string }>(
    `SELECT id, name, base_currency AS "baseCurrency" FROM portfolios WHERE id = $1 AND user_id = $2`,
    [portfolioId, userId],
  );
  return rows[0];
}

/** A portfolio with its owner, whoever asks: for answers cached once and checked per caller. */
export async function portfolioWithOwner(
  db: Queryable,
  portfolioId: number,
): Promise<{ id: number; name: string; baseCurrency: string; owner: number } | undefined> {
  const rows = await db.query<{ id: number; name: string; baseCurrency: string; owner: number }>(
    `SELECT id, name, base_currency AS "baseCurrency", user_id AS owner FROM portfolios WHERE id = $1`,
    [portfolioId],
  );
  return rows[0];
}

export async function listPositions(db: Queryable, portfolioId: number): Promise<PositionRow[]> {
  return db.query<PositionRow>(
    `SELECT x.symbol, a.name, a.sector, x.quantity, x.cost_basis AS "costBasis", x.target_weight AS "targetWeight"
       FROM positions x JOIN assets a USING (symbol)
      WHERE x.portfolio_id = $1 ORDER BY x.symbol`,
    [portfolioId],
  );
}

export async function loadHoldings(db: Queryable, portfolioId: number): Promise<Holding[]> {
  return (await listPositions(db, portfolioId)).map(({ symbol, name, quantity, costBasis, targetWeight }) => ({
    symbol,
    name,
    quantity,
    costBasis,
    targetWeight,
  }));
}

export async function createPortfolio(
  db: Queryable,
  userId: number,
  name: string,
  positions: readonly { symbol: string; quantity: number; costBasis: number; targetWeight?: number }[],
): Promise<number> {
  const [row] = await db.query<{ id: number }>(`INSERT INTO portfolios (user_id, name) VALUES ($1, $2) RETURNING id`, [
    userId,
    name,
  ]);
  const id = row!.id;
  await db.query(
    `INSERT INTO positions (portfolio_id, symbol, quantity, cost_basis, target_weight)
     SELECT $1::bigint, * FROM unnest($2::text[], $3::numeric[], $4::numeric[], $5::numeric[])`,
    [
      id,
      positions.map((p) => p.symbol),
      positions.map((p) => p.quantity),
      positions.map((p) => p.costBasis),
      positions.map((p) => p.targetWeight ?? null),
    ],
  );
  return id;
}
