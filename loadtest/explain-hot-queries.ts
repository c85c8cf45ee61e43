// Prints EXPLAIN ANALYZE for every hot query (the named prepared statements of store/), with the
// parameters the history API and the gateway use, so a plan that regresses (a sequential scan, a
// chunk not excluded, a sort that used to be an index) shows up in review.
//
//   npm run db:explain                         a fresh embedded database with 30 days of a 50-line portfolio
//   npm run db:explain -- --data-dir .data     an existing embedded database (read-only statements only)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Database, Statement } from '../server/src/db/database.js';
import { migrate } from '../server/src/db/migrate.js';
import { openPglite } from '../server/src/db/pglite-database.js';
import { rangeWindow, RANGES } from '../server/src/history/ranges.js';
import { UNIVERSE } from '../server/src/market/universe.js';
import { upsertAssets } from '../server/src/store/assets.js';
import { CANDLE_STATEMENTS, MATERIALIZED_STATEMENTS, materializations } from '../server/src/store/candles.js';
import { LATEST_PRICES } from '../server/src/store/ticks.js';
import { CASH_AS_OF, HOLDINGS_AS_OF, TRANSACTIONS_BETWEEN } from '../server/src/store/transactions.js';
import { buildDataset } from './history/dataset.js';

const { values: flags } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    portfolio: { type: 'string' },
    days: { type: 'string', default: '30' },
  },
});

const now = Date.now();
let scratch: string | undefined;
let db: Database;
let portfolioId: number;
let symbols: string[];
if (flags['data-dir']) {
  db = await openPglite(resolve(flags['data-dir'], 'pgdata'));
  const [row] = await db.query<{ id: number }>(
    flags.portfolio ? 'SELECT id FROM portfolios WHERE id = $1' : 'SELECT id FROM portfolios ORDER BY id LIMIT 1',
    flags.portfolio ? [Number(flags.portfolio)] : [],
  );
  if (!row) throw new Error('no portfolio in that database');
  portfolioId = row.id;
  symbols = (
    await db.query<{ symbol: string }>('SELECT symbol FROM positions WHERE portfolio_id = $1', [portfolioId])
  ).map((r) => r.symbol);
} else {
  scratch = mkdtempSync(join(tmpdir(), 'tickdash-explain-'));
  db = await openPglite(join(scratch, 'pgdata'));
  await migrate(db);
  await upsertAssets(db, UNIVERSE);
  console.log(`building ${flags.days} days of ticks for a 50-position portfolio ...`);
  const data = await buildDataset(db, {
    positions: 50,
    days: Number(flags.days),
    ticksPerDay: 78,
    now,
    benchmark: 'SPY',
  });
  portfolioId = data.portfolioId;
  symbols = data.symbols;
}

async function explain(label: string, statement: Statement, params: unknown[]): Promise<void> {
  // EXPLAIN of a prepared statement's text with the same bound parameters: the plan pg would use.
  const rows = await db.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN (ANALYZE, BUFFERS, SUMMARY) ${statement.text.replace(/^\s*--.*\n/, '')}`,
    params,
  );
  console.log(`\n=== ${statement.name}: ${label}`);
  for (const r of rows) console.log(r['QUERY PLAN']);
}

try {
  const wanted = [...symbols, 'SPY'];
  await explain(`${symbols.length} symbols, last day`, LATEST_PRICES, [symbols, new Date(now - 86_400_000)]);
  await explain('now', HOLDINGS_AS_OF, [portfolioId, new Date(now)]);
  await explain('now', CASH_AS_OF, [portfolioId, new Date(now)]);
  await explain('all aggregates', MATERIALIZED_STATEMENTS.materializations, [
    ['candles_1m', 'candles_1h', 'candles_1d'],
  ]);
  const materialized = await materializations(db);
  for (const range of RANGES.filter((r) => r !== 'MAX')) {
    const w = rangeWindow(range, now);
    const [from, to] = [new Date(w.from), new Date(w.to)];
    await explain(`${range}`, TRANSACTIONS_BETWEEN, [portfolioId, from, to]);
    await explain(`${range}, ${wanted.length} symbols`, CANDLE_STATEMENTS.closes[w.resolution], [wanted, from, to]);
    await explain(`${range}, ${wanted.length} symbols`, CANDLE_STATEMENTS.closesBefore[w.resolution], [wanted, from]);
    // What the history runs instead when the aggregate is materialised past `from`.
    const m = materialized[w.resolution];
    if (m && m.watermark > w.from) {
      await explain(
        `${range}, watermark ${new Date(m.watermark).toISOString()}`,
        MATERIALIZED_STATEMENTS.closes(w.resolution, m),
        [wanted, from, to, new Date(m.watermark)],
      );
    }
    const daily = materialized['1d'];
    if (daily && daily.watermark > w.from - 86_400_000) {
      await explain(`${range}`, MATERIALIZED_STATEMENTS.closesBefore(w.resolution, daily), [wanted, from]);
    }
  }
} finally {
  await db.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}
