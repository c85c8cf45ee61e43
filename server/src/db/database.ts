// The database seen by the rest of the server: one small interface, two adapters (pg.Pool for
// PostgreSQL + TimescaleDB, PGlite + TimescaleDB on its own thread). Code above this line never
// knows which one runs.

export type Row = Record<string, unknown>;

export interface Queryable {
  /** One statement with bound parameters ($1, $2 ...). Never concatenate values into `text`. */
  query<T extends object = Row>(text: string, params?: readonly unknown[]): Promise<T[]>;
}

export interface Transaction extends Queryable {
  /** A script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

export interface Database extends Transaction {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Both engines hand back bigint and numeric columns as strings unless told otherwise; the adapters
 * parse them to numbers so callers see one shape. Quantities and prices fit a float64 exactly
 * enough (see docs/money.md); ids stay far below 2^53.
 */
export const NUMERIC_OIDS = { int8: 20, numeric: 1700 } as const;
