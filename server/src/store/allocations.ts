// Target allocations: a weight in percent per held position. Replaced as a whole: a position not
// named in the new set has no target any more.
import type { Queryable, Statement } from '../db/database.js';

export interface Target {
  symbol: string;
  /** Percent of the portfolio's value, at most 2 decimals. */
  weight: number;
}

export type SaveTargetsResult =
  /** Saved (or already in place: `changed` false); the portfolio's targets now, by symbol. */
  | { saved: true; changed: boolean; targets: Target[] }
  /** Nothing written: these symbols are not held in the portfolio. */
  | { saved: false; unheld: string[] };

interface Row {
  kind: 'unheld' | 'target' | 'changed';
  symbol: string | null;
  weight: number | null;
}

const SAVE_TARGETS: Statement = {
  name: 'save_targets',
  text: `-- name: save_targets
     WITH asked AS (
       SELECT symbol, weight FROM unnest($2::text[], $3::numeric[]) AS t(symbol, weight)
     ), held AS (
       SELECT symbol, target_weight FROM positions WHERE portfolio_id = $1 FOR UPDATE
     ), unheld AS (
       SELECT a.symbol FROM asked a WHERE NOT EXISTS (SELECT 1 FROM held h WHERE h.symbol = a.symbol)
     ), wanted AS (
       SELECT h.symbol, h.target_weight AS was, a.weight FROM held h LEFT JOIN asked a USING (symbol)
     ), changed AS (
       UPDATE positions x SET target_weight = w.weight
         FROM wanted w
        WHERE x.portfolio_id = $1 AND x.symbol = w.symbol AND w.was IS DISTINCT FROM w.weight
          AND NOT EXISTS (SELECT 1 FROM unheld)
       RETURNING x.symbol
     )
     SELECT 'unheld' AS kind, symbol, NULL::numeric AS weight FROM unheld
     UNION ALL
     SELECT 'target', symbol, weight FROM wanted WHERE weight IS NOT NULL
     UNION ALL
     SELECT 'changed', NULL, count(*)::numeric FROM changed`,
};

/**
 * Replaces the portfolio's targets in one statement (one round trip, atomic on both engines):
 * - `held` locks the portfolio's positions (FOR UPDATE reads the latest committed weights, so two
 *   concurrent saves apply one after the other and the later one wins whole, never a mix);
 * - nothing is written when a symbol asked for is not held;
 * - only rows whose weight really changes are written, and whether any did is returned, so
 *   re-saving the same targets (a client re-submitting its form) invalidates nothing.
 */
export async function saveTargets(
  db: Queryable,
  portfolioId: number,
  targets: readonly Target[],
): Promise<SaveTargetsResult> {
  const rows = await db.run<Row>(SAVE_TARGETS, [
    portfolioId,
    targets.map((t) => t.symbol),
    targets.map((t) => t.weight),
  ]);
  const unheld = rows.filter((r) => r.kind === 'unheld').map((r) => r.symbol!);
  if (unheld.length) return { saved: false, unheld };
  const saved = rows
    .filter((r) => r.kind === 'target')
    .map((r) => ({ symbol: r.symbol!, weight: Number(r.weight) }))
    .sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  const changed = Number(rows.find((r) => r.kind === 'changed')?.weight ?? 0) > 0;
  return { saved: true, changed, targets: saved };
}

export async function listTargets(db: Queryable, portfolioId: number): Promise<Target[]> {
  return db.query<Target>(
    `-- name: list-targets
     SELECT symbol, target_weight AS weight FROM positions
      WHERE portfolio_id = $1 AND target_weight IS NOT NULL ORDER BY symbol`,
    [portfolioId],
  );
}
