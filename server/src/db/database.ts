// The database seen by the rest of the server: one small interface, two adapters (pg.Pool for
// PostgreSQL + TimescaleDB, PGlite + TimescaleDB on its own thread). Code above this line never
// knows which one runs.

export type Row = Record<string, unknown>;

/**
 * A hot query with a name: each connection parses and plans it once, then only binds and executes
 * it (store/ files define them; `npm run db:explain` prints their plans).
 */
export interface Statement {
  /** Unique per text; at most 63 characters (PostgreSQL's limit for statement names). */
  readonly name: string;
  readonly text: string;
}

export interface Queryable {
  /** One statement with bound parameters ($1, $2 ...). Never concatenate values into `text`. */
  query<T extends object = Row>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** A named prepared statement with bound parameters. */
  run<T extends object = Row>(statement: Statement, params?: readonly unknown[]): Promise<T[]>;
}

export interface Transaction extends Queryable {
  /** A script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
  /**
   * Bulk load: `data` holds rows in PostgreSQL's binary COPY format (see copy-binary.ts) for
   * `columns` of `table`. All rows or none; returns the number of rows. The embedded adapter moves
   * `data` to the database thread, leaving it detached: encode again to retry.
   */
  copyIn(table: string, columns: readonly string[], data: Uint8Array): Promise<number>;
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

/** An error the database reported, with its SQLSTATE code whichever adapter ran the statement. */
export class DatabaseError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'DatabaseError';
  }
}

/** SQLSTATE 23505: a row with the same unique key exists. */
export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '23505';
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** The COPY statement for `table (columns)`; names are checked, never user input. */
export function copyStatement(table: string, columns: readonly string[], source: 'STDIN' | "'/dev/blob'"): string {
  for (const name of [table, ...columns]) {
    if (!IDENTIFIER.test(name)) throw new Error(`not a plain identifier: ${JSON.stringify(name)}`);
  }
  return `COPY ${table} (${columns.join(', ')}) FROM ${source} WITH (FORMAT binary)`;
}
