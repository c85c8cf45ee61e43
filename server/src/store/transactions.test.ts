// The ledger and positions agree: after the migration that introduced the ledger (opening
// transactions for existing positions), and for the demo, whose positions come from transactions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { migrate, readMigrations } from '../db/migrate.js';
import { openPglite } from '../db/pglite-database.js';
import { seedDemo } from '../demo/demo-data.js';
import { UNIVERSE } from '../market/universe.js';
import { upsertAssets } from './assets.js';
import { cashAsOf, holdingsAsOf } from './transactions.js';

let db: Database;
beforeAll(async () => {
  db = await openPglite(null);
});
afterAll(async () => db?.close());

/** Every portfolio's positions next to what its ledger says. */
async function positionsAndLedger() {
  return db.query<{ portfolio: number; symbol: string; position: number; ledger: number }>(
    `SELECT x.portfolio_id AS portfolio, x.symbol, x.quantity AS position,
            (SELECT sum(CASE kind WHEN 'buy' THEN quantity ELSE -quantity END) FROM transactions t
              WHERE t.portfolio_id = x.portfolio_id AND t.symbol = x.symbol AND kind IN ('buy', 'sell')) AS ledger
       FROM positions x ORDER BY 1, 2`,
  );
}

describe('the ledger', () => {
  it('is opened for positions that existed before it (migration 003)', async () => {
    await migrate(
      db,
      readMigrations().filter((m) => m.version === 1),
    );
    await upsertAssets(db, UNIVERSE);
    await db.exec(`
      INSERT INTO users (username, display_name, password_hash) VALUES ('old', 'Old', 'x');
      INSERT INTO portfolios (user_id, name) VALUES (1, 'Before the ledger');
      INSERT INTO positions (portfolio_id, symbol, quantity, cost_basis) VALUES
        (1, 'AAPL', 40, 6000.1234), (1, 'MSFT', 0.5, 210.005), (1, 'KO', 12.25, 700)`);
    await migrate(db);
    const rows = await positionsAndLedger();
    expect(rows).toHaveLength(3);
    for (const r of rows) expect(r.ledger).toBe(r.position);
    // The deposit paid exactly for the buys: no cash appears from nowhere.
    expect(await cashAsOf(db, 1, new Date(Date.now() + 60_000))).toBe(0);
  });

  it('produces the demo positions, with cash back at zero at the end', async () => {
    expect(await seedDemo(db, UNIVERSE, 'demo-password', { historyDays: 365 })).toBe(true);
    const rows = (await positionsAndLedger()).filter((r) => r.portfolio > 1);
    expect(rows.length).toBeGreaterThan(40);
    for (const r of rows) expect(r.ledger).toBe(r.position);
    const portfolios = [...new Set(rows.map((r) => r.portfolio))];
    for (const p of portfolios) {
      expect(await cashAsOf(db, p, new Date())).toBe(0);
      const held = await holdingsAsOf(db, p, new Date());
      expect(held.map((h) => h.symbol).sort()).toEqual(rows.filter((r) => r.portfolio === p).map((r) => r.symbol));
    }
    const kinds = await db.query<{ kind: string; n: number }>(
      `SELECT kind, count(*)::int AS n FROM transactions WHERE portfolio_id > 1 GROUP BY kind ORDER BY kind`,
    );
    expect(kinds.map((k) => k.kind)).toEqual(['buy', 'deposit', 'dividend', 'withdrawal']);
  });
});
