// Embedded mode: PGlite with TimescaleDB on a worker thread, reached through comlink. PGlite has a
// single connection, so transactions run one after another and other statements wait behind them;
// otherwise they would land inside someone else's BEGIN ... COMMIT.
import * as Comlink from 'comlink';
import { startThread } from '../../../workers/src/thread.js';
import { copyStatement, DatabaseError, type Database, type Transaction } from './database.js';
import type { PgliteWorkerApi, WorkerFailure } from './pglite-worker.js';

/** The worker throws plain objects so the SQLSTATE code survives the thread boundary. */
function rethrow(err: unknown): never {
  if (err instanceof Error) throw err;
  const f = err as WorkerFailure;
  throw new DatabaseError(f.message, f.code, f.detail);
}

/** `dataDir` null keeps the database in memory (tests). */
export async function openPglite(dataDir: string | null): Promise<Database> {
  const thread = startThread<PgliteWorkerApi>(import.meta.url, 'pglite-worker');
  const remote = thread.api;
  await remote.open(dataDir);

  // Tail of the queue of transactions; plain statements wait behind it.
  let transactions: Promise<unknown> = Promise.resolve();
  const direct: Transaction = {
    query: async <T extends object>(text: string, params?: readonly unknown[]) =>
      (await remote.query(text, params ? [...params] : undefined).catch(rethrow)) as T[],
    run: async <T extends object>(statement: { name: string; text: string }, params?: readonly unknown[]) =>
      (await remote.run(statement.name, statement.text, params ? [...params] : []).catch(rethrow)) as T[],
    exec: (script) => remote.exec(script).catch(rethrow),
    copyIn: (table, columns, data) =>
      // The bytes move to the database's thread instead of being copied (the buffer is left empty).
      remote.copyIn(copyStatement(table, columns, "'/dev/blob'"), Comlink.transfer(data, [data.buffer])).catch(rethrow),
  };

  return {
    kind: 'pglite',
    async query<T extends object>(text: string, params?: readonly unknown[]) {
      await transactions;
      return direct.query<T>(text, params);
    },
    async run<T extends object>(statement: { name: string; text: string }, params?: readonly unknown[]) {
      await transactions;
      return direct.run<T>(statement, params);
    },
    async exec(script) {
      await transactions;
      await direct.exec(script);
    },
    async copyIn(table, columns, data) {
      await transactions;
      return direct.copyIn(table, columns, data);
    },
    transaction(work) {
      const run = transactions.then(async () => {
        await direct.exec('BEGIN');
        try {
          const result = await work(direct);
          await direct.exec('COMMIT');
          return result;
        } catch (err) {
          await direct.exec('ROLLBACK').catch(() => undefined);
          throw err;
        }
      });
      transactions = run.catch(() => undefined);
      return run;
    },
    async close() {
      await transactions;
      await remote.close();
      await thread.terminate();
    },
  };
}
