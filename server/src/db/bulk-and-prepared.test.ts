// The two additions to the Database interface, on both adapters: binary COPY and named prepared
// statements. The pg adapter runs against the machine's PostgreSQL when one answers (plain
// PostgreSQL is enough: nothing here needs TimescaleDB).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { encodeCopyBinary } from './copy-binary.js';
import { isUniqueViolation, type Database } from './database.js';
import { openPglite } from './pglite-database.js';
import { openPostgres } from './pg-database.js';

const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const rows = {
  time: [Date.UTC(2025, 10, 25, 14, 30, 0, 123), Date.UTC(1999, 11, 31, 23, 59, 59, 999), 0],
  symbol: ['AAPL', 'BRK.B', 'X'],
  price: [191.23, 0.000001, 123456789.123456],
  note: ['sim', null, 'ünïcødé ✓'],
};

function encoded(): Uint8Array {
  return encodeCopyBinary(
    [
      { type: 'timestamptz', values: rows.time },
      { type: 'text', values: rows.symbol },
      { type: 'float8', values: rows.price },
      { type: 'text', values: rows.note },
    ],
    rows.time.length,
  );
}

const engines: [string, () => Promise<Database | undefined>][] = [
  ['embedded (PGlite)', () => openPglite(null)],
  [
    'server (pg)',
    async () =>
      (await postgresAnswers())
        ? openPostgres(
            {
              url: PG_URL,
              poolMax: 2,
              connectTimeoutMs: 2_000,
              idleTimeoutMs: 10_000,
              statementTimeoutMs: 10_000,
              connectRetries: 0,
            },
            createLogger('silent'),
          )
        : undefined,
  ],
];

describe.each(engines)('%s', (_, open) => {
  let db: Database | undefined;
  const table = `copy_probe_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  beforeAll(async () => {
    db = await open();
    await db?.exec(
      `CREATE TABLE ${table} (time timestamptz NOT NULL, symbol text NOT NULL, price float8 NOT NULL, note text,
       UNIQUE (symbol, time))`,
    );
  });
  afterAll(async () => {
    await db?.exec(`DROP TABLE IF EXISTS ${table}`);
    await db?.close();
  });

  it('loads binary COPY rows exactly: milliseconds, six-decimal prices, NULL and non-ASCII text', async (ctx) => {
    if (!db) return ctx.skip();
    expect(await db.copyIn(table, ['time', 'symbol', 'price', 'note'], encoded())).toBe(3);
    const back = await db.query<{ ms: number; symbol: string; price: number; note: string | null }>(
      `SELECT (extract(epoch FROM time) * 1000)::float8 AS ms, symbol, price, note FROM ${table} ORDER BY symbol`,
    );
    expect(back).toEqual([
      { ms: rows.time[0], symbol: 'AAPL', price: 191.23, note: 'sim' },
      { ms: rows.time[1], symbol: 'BRK.B', price: 0.000001, note: null },
      { ms: 0, symbol: 'X', price: 123456789.123456, note: 'ünïcødé ✓' },
    ]);
  });

  it('reports a duplicate key as a unique violation and loads none of the batch', async (ctx) => {
    if (!db) return ctx.skip();
    const failure = await db.copyIn(table, ['time', 'symbol', 'price', 'note'], encoded()).catch((e: unknown) => e);
    expect(isUniqueViolation(failure)).toBe(true);
    expect(await db.query(`SELECT count(*)::int AS n FROM ${table}`)).toEqual([{ n: 3 }]);
  });

  it('runs a named prepared statement again and again with new parameters, also inside a transaction', async (ctx) => {
    if (!db) return ctx.skip();
    const statement = {
      name: `probe_by_symbols_${table}`,
      text: `SELECT symbol FROM ${table} WHERE symbol = ANY($1::text[]) AND price > $2 ORDER BY symbol`,
    };
    expect(await db.run(statement, [['AAPL', 'X'], 1])).toEqual([{ symbol: 'AAPL' }, { symbol: 'X' }]);
    expect(await db.run(statement, [['AAPL', 'BRK.B'], 0])).toEqual([{ symbol: 'AAPL' }, { symbol: 'BRK.B' }]);
    const inTx = await db.transaction((tx) => tx.run<{ symbol: string }>(statement, [['X'], 0]));
    expect(inTx).toEqual([{ symbol: 'X' }]);
    // A failing execution leaves the connection usable.
    await expect(db.run({ name: `probe_bad_${table}`, text: 'SELECT 1 / $1::int AS x' }, [0])).rejects.toThrow(
      /division by zero/,
    );
    expect(await db.run(statement, [['X'], 0])).toEqual([{ symbol: 'X' }]);
  });

  it('refuses identifiers that are not plain names', async (ctx) => {
    if (!db) return ctx.skip();
    await expect(db.copyIn(`${table}; DROP TABLE x`, ['time'], encoded())).rejects.toThrow(/not a plain identifier/);
  });
});
