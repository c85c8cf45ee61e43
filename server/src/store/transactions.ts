// A portfolio's transactions: the ledger that holdings and cash at any past time come from. Every
// write goes through recordTransaction, which keeps `positions` equal to the sum of the buys and
// sells in the same database transaction (average cost: a sale takes its share of the cost basis).
import type { Database, Queryable, Statement, Transaction } from '../db/database.js';
import { valueCents } from '../engine/money.js';

export const TRANSACTION_KINDS = ['buy', 'sell', 'deposit', 'withdrawal', 'dividend', 'fee'] as const;
export type TransactionKind = (typeof TRANSACTION_KINDS)[number];

export interface NewTransaction {
  kind: TransactionKind;
  /** Milliseconds since the Unix epoch. */
  time: number;
  /** Required for buy, sell and dividend; optional for a fee. */
  symbol?: string;
  /** Buy and sell only: shares (at most 8 decimals) and price per share (at most 6). */
  quantity?: number;
  price?: number;
  /** The cash that moved (at most 2 decimals). Buys and sells: quantity x price rounded to cents. */
  amount?: number;
}

export interface TransactionRow {
  id: number;
  kind: TransactionKind;
  time: number;
  symbol: string | null;
  quantity: number | null;
  price: number | null;
  amount: number;
}

export class LedgerError extends Error {}

const COLUMNS = `id, kind, (extract(epoch FROM time) * 1000)::float8 AS time, symbol, quantity, price, amount`;

/** Inserts the transactions in order and updates the positions they move; all or none. */
export async function recordTransactions(
  db: Database,
  portfolioId: number,
  transactions: readonly NewTransaction[],
): Promise<number[]> {
  return db.transaction((tx) => applyTransactions(tx, portfolioId, transactions));
}

/** recordTransactions inside a transaction the caller already holds. */
export async function applyTransactions(
  tx: Transaction,
  portfolioId: number,
  transactions: readonly NewTransaction[],
): Promise<number[]> {
  const ids: number[] = [];
  for (const t of transactions) ids.push(await recordOne(tx, portfolioId, t));
  return ids;
}

async function recordOne(tx: Transaction, portfolioId: number, t: NewTransaction): Promise<number> {
  const trade = t.kind === 'buy' || t.kind === 'sell';
  const [row] = await tx.query<{ id: number }>(
    `INSERT INTO transactions (portfolio_id, kind, time, symbol, quantity, price, amount)
     VALUES ($1, $2, 'epoch'::timestamptz + $3::int8 * INTERVAL '1 millisecond', $4, $5, $6, $7::numeric)
     RETURNING id`,
    [
      portfolioId,
      t.kind,
      t.time,
      t.symbol ?? null,
      trade ? t.quantity : null,
      trade ? t.price : null,
      trade ? tradeAmount(t.quantity!, t.price!) : t.amount!.toFixed(2),
    ],
  );
  if (t.kind === 'buy') {
    // Average cost: a buy adds its amount to the cost basis.
    await tx.query(
      `INSERT INTO positions (portfolio_id, symbol, quantity, cost_basis) VALUES ($1, $2, $3, $4::numeric)
       ON CONFLICT (portfolio_id, symbol) DO UPDATE SET
         quantity = positions.quantity + EXCLUDED.quantity, cost_basis = positions.cost_basis + EXCLUDED.cost_basis`,
      [portfolioId, t.symbol, t.quantity, tradeAmount(t.quantity!, t.price!)],
    );
  } else if (t.kind === 'sell') {
    // A sale takes its share of the cost basis; selling everything removes the position. Selling
    // more than is held (going short) is not something this ledger records.
    const [held] = await tx.query<{ quantity: number; enough: boolean; all: boolean }>(
      `SELECT quantity, quantity >= $3::numeric AS enough, quantity = $3::numeric AS all
         FROM positions WHERE portfolio_id = $1 AND symbol = $2 FOR UPDATE`,
      [portfolioId, t.symbol, t.quantity],
    );
    if (!held?.enough) throw new LedgerError(`cannot sell ${t.quantity} ${t.symbol}: holding ${held?.quantity ?? 0}`);
    if (held.all) {
      await tx.query(`DELETE FROM positions WHERE portfolio_id = $1 AND symbol = $2`, [portfolioId, t.symbol]);
    } else {
      await tx.query(
        `UPDATE positions SET cost_basis = round(cost_basis * (quantity - $3::numeric) / quantity, 4),
                              quantity = quantity - $3::numeric
          WHERE portfolio_id = $1 AND symbol = $2`,
        [portfolioId, t.symbol, t.quantity],
      );
    }
  }
  return row!.id;
}

/** quantity x price in cents, rounded half away from zero (docs/money.md), as a decimal string. */
export function tradeAmount(quantity: number, price: number): string {
  return (valueCents(quantity, price) / 100).toFixed(2);
}

/** A position in the ledger, newest first: the time (in microseconds, the column's own precision) and id. */
export interface LedgerPosition {
  micros: bigint;
  id: number;
}

export interface TransactionPage {
  transactions: TransactionRow[];
  /** Where the next (older) page starts; undefined on the last page. */
  next: LedgerPosition | undefined;
}

/**
 * One page of the ledger, newest first, strictly after `after` in that order. Keyset pagination:
 * a transaction recorded between two pages never shifts the next one (no row is skipped or shown
 * twice), and a deep page costs what the first does (no OFFSET).
 */
export async function transactionPage(
  db: Queryable,
  portfolioId: number,
  limit: number,
  after?: LedgerPosition,
): Promise<TransactionPage> {
  // One row more than asked says whether there is a next page.
  // `time <= bound` is implied by the row comparison; spelt out, it lets the (portfolio_id, time)
  // index start at the cursor.
  const bound = `'epoch'::timestamptz + $3::int8 * INTERVAL '1 microsecond'`;
  const rows = await db.query<TransactionRow & { micros: string }>(
    `-- name: transaction-page
     SELECT ${COLUMNS}, (extract(epoch FROM time) * 1000000)::int8::text AS micros
       FROM transactions
      WHERE portfolio_id = $1 ${after ? `AND time <= ${bound} AND (time, id) < (${bound}, $4::int8)` : ''}
      ORDER BY time DESC, id DESC
      LIMIT $2`,
    after ? [portfolioId, limit + 1, after.micros.toString(), after.id] : [portfolioId, limit + 1],
  );
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    transactions: page.map(({ micros: _, ...row }) => row),
    next: more && last ? { micros: BigInt(last.micros), id: last.id } : undefined,
  };
}

/** A portfolio's holdings at an instant: shares per symbol from every buy and sell before it. */
export const HOLDINGS_AS_OF: Statement = {
  name: 'holdings_as_of',
  text: `-- name: holdings_as_of
    SELECT symbol,
           sum(CASE kind WHEN 'buy' THEN quantity ELSE -quantity END) AS quantity,
           (array_agg(price ORDER BY time DESC, id DESC))[1] AS "lastTradePrice"
      FROM transactions
     WHERE portfolio_id = $1 AND kind IN ('buy', 'sell') AND time < $2
     GROUP BY symbol
    HAVING sum(CASE kind WHEN 'buy' THEN quantity ELSE -quantity END) <> 0`,
};

/** Cash at an instant: every transaction's cash effect before it, in the portfolio's currency. */
export const CASH_AS_OF: Statement = {
  name: 'cash_as_of',
  text: `-- name: cash_as_of
    SELECT coalesce(sum(CASE WHEN kind IN ('deposit', 'sell', 'dividend') THEN amount ELSE -amount END), 0) AS cash
      FROM transactions
     WHERE portfolio_id = $1 AND time < $2`,
};

/** The transactions in [from, to), oldest first. */
export const TRANSACTIONS_BETWEEN: Statement = {
  name: 'transactions_between',
  text: `-- name: transactions_between
    SELECT ${COLUMNS} FROM transactions
     WHERE portfolio_id = $1 AND time >= $2 AND time < $3
     ORDER BY time, id`,
};

export interface HoldingAsOf {
  symbol: string;
  quantity: number;
  lastTradePrice: number | null;
}

export async function holdingsAsOf(db: Queryable, portfolioId: number, at: Date): Promise<HoldingAsOf[]> {
  return db.run<HoldingAsOf>(HOLDINGS_AS_OF, [portfolioId, at]);
}

export async function cashAsOf(db: Queryable, portfolioId: number, at: Date): Promise<number> {
  return (await db.run<{ cash: number }>(CASH_AS_OF, [portfolioId, at]))[0]?.cash ?? 0;
}

export async function transactionsBetween(
  db: Queryable,
  portfolioId: number,
  from: Date,
  to: Date,
): Promise<TransactionRow[]> {
  return db.run<TransactionRow>(TRANSACTIONS_BETWEEN, [portfolioId, from, to]);
}

/** When the portfolio's first transaction happened (ms), or undefined for an empty ledger. */
export async function firstTransactionTime(db: Queryable, portfolioId: number): Promise<number | undefined> {
  const rows = await db.query<{ time: number | null }>(
    `SELECT (extract(epoch FROM min(time)) * 1000)::float8 AS time FROM transactions WHERE portfolio_id = $1`,
    [portfolioId],
  );
  return rows[0]?.time ?? undefined;
}
