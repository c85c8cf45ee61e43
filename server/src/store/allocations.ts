// Target allocations: a weight in percent per held position. Replaced as a whole: a position not
// named in the new set has no target any more.
import type { Database } from '../db/database.js';

export interface Target {
  symbol: string;
  /** Percent of the portfolio's value, at most 2 decimals. */
  weight: number;
}

export async function replaceTargets(db: Database, portfolioId: number, targets: readonly Target[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('-- name: clear-targets\nUPDATE positions SET target_weight = NULL WHERE portfolio_id = $1', [
      portfolioId,
    ]);
    await tx.query(
      `-- name: set-targets
       UPDATE positions x SET target_weight = t.weight
         FROM unnest($2::text[], $3::numeric[]) AS t(symbol, weight)
        WHERE x.portfolio_id = $1 AND x.symbol = t.symbol`,
      [portfolioId, targets.map((t) => t.symbol), targets.map((t) => t.weight)],
    );
  });
}

export async function listTargets(db: Database, portfolioId: number): Promise<Target[]> {
  return db.query<Target>(
    `-- name: list-targets
     SELECT symbol, target_weight AS weight FROM positions
      WHERE portfolio_id = $1 AND target_weight IS NOT NULL ORDER BY symbol`,
    [portfolioId],
  );
}
