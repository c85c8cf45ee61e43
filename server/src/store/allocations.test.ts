// saveTargets under real concurrency: two saves of different target sets racing on one portfolio
// must leave one set whole, never a mix of both. PGlite has a single connection, so this needs the
// machine's PostgreSQL (plain PostgreSQL is enough: the statement touches only `positions`); the
// test is skipped when none answers.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queryable, Row } from '../db/database.js';
import { saveTargets, type Target } from './allocations.js';

const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `targets_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
const SYMBOLS = ['AAA', 'BBB', 'CCC', 'DDD'];

/** Two whole sets that differ on every symbol, so any mix of them shows. */
const SET_A: Target[] = [
  { symbol: 'AAA', weight: 40 },
  { symbol: 'BBB', weight: 30 },
  { symbol: 'CCC', weight: 20 },
  { symbol: 'DDD', weight: 10 },
];
const SET_B: Target[] = [
  { symbol: 'AAA', weight: 10 },
  { symbol: 'BBB', weight: 20 },
  { symbol: 'CCC', weight: 30 },
  { symbol: 'DDD', weight: 40 },
];

let pool: pg.Pool | undefined;

/** The slice of the Database interface saveTargets uses, over a pool of several connections. */
const db = (): Queryable =>
  ({
    query: async <T extends object = Row>(text: string, params?: readonly unknown[]) =>
      (await pool!.query(text, params as unknown[])).rows as T[],
    run: async <T extends object = Row>(statement: { name: string; text: string }, params?: readonly unknown[]) =>
      (await pool!.query({ name: statement.name, text: statement.text, values: params as unknown[] })).rows as T[],
  }) as Queryable;

async function targetsNow(): Promise<Record<string, number | null>> {
  const rows = (await pool!.query('SELECT symbol, target_weight::float8 AS w FROM positions ORDER BY symbol')).rows as {
    symbol: string;
    w: number | null;
  }[];
  return Object.fromEntries(rows.map((r) => [r.symbol, r.w]));
}

const asMap = (set: Target[]) => Object.fromEntries(set.map((t) => [t.symbol, t.weight]));

beforeAll(async () => {
  const probe = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 1_000 });
  try {
    await probe.connect();
    await probe.query(`CREATE SCHEMA ${SCHEMA}`);
    await probe.query(
      `CREATE TABLE ${SCHEMA}.positions (portfolio_id int NOT NULL, symbol text NOT NULL, target_weight numeric(5,2),
       PRIMARY KEY (portfolio_id, symbol))`,
    );
    await probe.query(`INSERT INTO ${SCHEMA}.positions (portfolio_id, symbol) SELECT 1, unnest($1::text[])`, [SYMBOLS]);
    pool = new pg.Pool({ connectionString: PG_URL, max: 4, options: `-c search_path=${SCHEMA}` });
  } catch {
    pool = undefined;
  } finally {
    await probe.end().catch(() => undefined);
  }
});

afterAll(async () => {
  await pool?.query(`DROP SCHEMA ${SCHEMA} CASCADE`).catch(() => undefined);
  await pool?.end();
});

describe('saveTargets on PostgreSQL', () => {
  it('applies racing saves one after the other: one set whole, never a mix', async (ctx) => {
    if (!pool) return ctx.skip();
    for (let round = 0; round < 40; round++) {
      // Each racer finds one row already as it wants it (AAA as in B, BBB as in A) and the others
      // not: a save that compared against its own snapshot instead of the latest row would skip
      // that row, and the other racer's value would survive beside its own.
      await pool.query(
        `UPDATE positions SET target_weight = CASE symbol WHEN 'AAA' THEN 10 WHEN 'BBB' THEN 30 ELSE 25 END`,
      );
      const [a, b] = await Promise.all([saveTargets(db(), 1, SET_A), saveTargets(db(), 1, SET_B)]);
      expect(a.saved && b.saved).toBe(true);
      const now = await targetsNow();
      expect([asMap(SET_A), asMap(SET_B)]).toContainEqual(now);
    }
  });

  it('says whether anything changed, and writes nothing when a symbol is not held', async (ctx) => {
    if (!pool) return ctx.skip();
    expect(await saveTargets(db(), 1, SET_A)).toMatchObject({ saved: true });
    expect(await saveTargets(db(), 1, SET_A)).toEqual({ saved: true, changed: false, targets: SET_A });
    const unheld = await saveTargets(db(), 1, [
      { symbol: 'AAA', weight: 50 },
      { symbol: 'ZZZ', weight: 50 },
    ]);
    expect(unheld).toEqual({ saved: false, unheld: ['ZZZ'] });
    expect(await targetsNow()).toEqual(asMap(SET_A));
    expect(await saveTargets(db(), 1, [])).toEqual({ saved: true, changed: true, targets: [] });
    expect(await targetsNow()).toEqual({ AAA: null, BBB: null, CCC: null, DDD: null });
  });
});
