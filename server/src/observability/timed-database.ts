// Times every query by name: a prepared statement by its own name, a plain query by a leading
// `-- name: some-name` comment in its SQL (as sqlc and pgtyped do). The name is the label, so the
// label set stays as small as the code.
import type { Database, Transaction } from '../db/database.js';
import type { Observability } from './metrics.js';

const NAME = /^\s*--\s*name:\s*([a-z0-9_-]+)/i;
const names = new Map<string, string>();

export function queryName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = NAME.exec(text)?.[1] ?? 'unnamed';
    if (names.size < 10_000) names.set(text, name);
  }
  return name;
}

export function timedDatabase(db: Database, o: Observability): Database {
  const time = <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const end = o.dbDuration.startTimer({ query: name });
    return run().then(
      (result) => (end({ outcome: 'ok' }), result),
      (err: unknown) => {
        end({ outcome: 'error' });
        throw err;
      },
    );
  };
  const timedTx = (tx: Transaction): Transaction => ({
    query: (text, params) => time(queryName(text), () => tx.query(text, params)),
    run: (statement, params) => time(statement.name, () => tx.run(statement, params)),
    exec: (script) => tx.exec(script),
    copyIn: (table, columns, data) => tx.copyIn(table, columns, data),
  });
  return {
    ...db,
    kind: db.kind,
    query: (text, params) => time(queryName(text), () => db.query(text, params)),
    run: (statement, params) => time(statement.name, () => db.run(statement, params)),
    exec: (script) => db.exec(script),
    transaction: (work) => db.transaction((tx) => work(timedTx(tx))),
    close: () => db.close(),
  };
}
