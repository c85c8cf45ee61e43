// Embedded mode: PGlite with TimescaleDB on a worker thread, reached through comlink. PGlite has a
// single connection, so transactions run one after another and other statements wait behind them;
// otherwise they would land inside someone else's BEGIN ... COMMIT.
import { startThread } from '../../../workers/src/thread.js';
import type { Database, Transaction } from './database.js';
import type { PgliteWorkerApi } from './pglite-worker.js';

/** `dataDir` null keeps the database in memory (tests). */
export async function openPglite(dataDir: string | null): Promise<Database> {
  const thread = startThread<PgliteWorkerApi>(import.meta.url, 'pglite-worker');
  const remote = thread.api;
  await remote.open(dataDir);

  // Tail of the queue of transactions; plain statements wait behind it.
  let transactions: Promise<unknown> = Promise.resolve();
  const direct: Transaction = {
    query: async <T extends object>(text: string, params?: readonly unknown[]) =>
      (await remote.query(text, params ? [...params] : undefined)) as T[],
    exec: (script) => remote.exec(script),
  };

  return {
    kind: 'pglite',
    async query<T extends object>(text: string, params?: readonly unknown[]) {
      await transactions;
      return direct.query<T>(text, params);
    },
    async exec(script) {
      await transactions;
      await remote.exec(script);
    },
    transaction(work) {
      const run = transactions.then(async () => {
        await remote.exec('BEGIN');
        try {
          const result = await work(direct);
          await remote.exec('COMMIT');
          return result;
        } catch (err) {
          await remote.exec('ROLLBACK').catch(() => undefined);
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
