// The symbol universe in the database: kept equal to the simulator's universe on every start.
import type { Database, Queryable } from '../db/database.js';
import type { Instrument } from '../market/universe.js';

export interface AssetRow {
  symbol: string;
  name: string;
  referencePrice: number;
  volatility: number;
}

/** Inserts or updates every instrument in one statement (arrays bound as parameters). */
export async function upsertAssets(db: Queryable, instruments: readonly Instrument[]): Promise<void> {
  await db.query(
    `INSERT INTO assets (symbol, name, sector, exchange, currency, reference_price, volatility)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::numeric[], $7::float8[])
     ON CONFLICT (symbol) DO UPDATE SET
       name = EXCLUDED.name, sector = EXCLUDED.sector, exchange = EXCLUDED.exchange,
       currency = EXCLUDED.currency, reference_price = EXCLUDED.reference_price, volatility = EXCLUDED.volatility`,
    [
      instruments.map((i) => i.symbol),
      instruments.map((i) => i.name),
      instruments.map((i) => i.sector),
      instruments.map((i) => i.exchange),
      instruments.map((i) => i.currency),
      instruments.map((i) => i.referencePrice),
      instruments.map((i) => i.volatility),
    ],
  );
}

export async function listAssets(db: Database): Promise<AssetRow[]> {
  return db.query<AssetRow>(
    `SELECT symbol, name, reference_price AS "referencePrice", volatility FROM assets ORDER BY symbol`,
  );
}
