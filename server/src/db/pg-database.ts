// Server mode: PostgreSQL with TimescaleDB over a pg.Pool.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Logger } from '../log.js';
import { copyStatement, NUMERIC_OIDS, type Database, type Statement, type Transaction } from './database.js';

export interface PgOptions {
  url: string;
  poolMax: number;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  statementTimeoutMs: number;
  connectRetries: number;
}

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === NUMERIC_OIDS.int8 || oid === NUMERIC_OIDS.numeric) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export async function openPostgres(options: PgOptions, log: Logger): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax,
    connectionTimeoutMillis: options.connectTimeoutMs,
    idleTimeoutMillis: options.idleTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
    types,
    application_name: 'tickdash',
    // Named statements planned per execution, as in pglite-worker.ts: chunk exclusion at plan time.
    options: '-c plan_cache_mode=force_custom_plan',
  });
  // An idle client that loses its server must not crash the process; the pool replaces it.
  pool.on('error', (err) => log.warn({ err: err.message }, 'idle database connection failed'));
  await waitForDatabase(pool, options.connectRetries, log);

  const run = async <T extends object>(q: pg.Pool | pg.PoolClient, text: string, params?: readonly unknown[]) =>
    (await q.query<T>(text, params as unknown[] | undefined)).rows;
  // pg prepares a named statement once per connection and reuses it on that connection after.
  const runNamed = async <T extends object>(
    q: pg.Pool | pg.PoolClient,
    statement: Statement,
    params?: readonly unknown[],
  ) => (await q.query<T>({ name: statement.name, text: statement.text, values: params as unknown[] | undefined })).rows;
  // A checked-out client is not covered by the pool's listener: when its server goes away between
  // two queries it emits 'error', which would end the process. The next query on it fails instead.
  const checkout = async () => {
    const client = await pool.connect();
    const onError = (err: Error) => log.warn({ err: err.message }, 'database connection in use failed');
    client.on('error', onError);
    return {
      client,
      release(err?: unknown) {
        client.off('error', onError);
        // A broken connection (an error the server did not send: no severity) is thrown away
        // rather than handed to the next caller; one that merely ran a failing statement is kept.
        const broken = err instanceof Error && !('severity' in err);
        client.release(broken ? err : undefined);
      },
    };
  };
  const copyIn = async (client: pg.PoolClient, table: string, columns: readonly string[], data: Uint8Array) => {
    const stream = client.query(copyFrom(copyStatement(table, columns, 'STDIN')));
    await pipeline(Readable.from([Buffer.from(data.buffer, data.byteOffset, data.byteLength)]), stream);
    return stream.rowCount;
  };

  return {
    kind: 'postgres',
    query: (text, params) => run(pool, text, params),
    run: (statement, params) => runNamed(pool, statement, params),
    async exec(script) {
      await pool.query(script);
    },
    async copyIn(table, columns, data) {
      const { client, release } = await checkout();
      let failure: unknown;
      try {
        return await copyIn(client, table, columns, data);
      } catch (err) {
        failure = err;
        throw err;
      } finally {
        release(failure);
      }
    },
    async transaction(work) {
      const { client, release } = await checkout();
      let failure: unknown;
      try {
        await client.query('BEGIN');
        const tx: Transaction = {
          query: (text, params) => run(client, text, params),
          run: (statement, params) => runNamed(client, statement, params),
          exec: async (script) => void (await client.query(script)),
          copyIn: (table, columns, data) => copyIn(client, table, columns, data),
        };
        const result = await work(tx);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        failure = err;
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        release(failure);
      }
    },
    close: () => pool.end(),
  };
}

/** The database may still be starting (docker compose up): retry with capped exponential backoff. */
async function waitForDatabase(pool: pg.Pool, retries: number, log: Logger): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await pool.query('SELECT 1');
      return;
    } catch (err) {
      if (attempt >= retries) throw err;
      const delayMs = Math.min(5_000, 100 * 2 ** attempt);
      log.warn({ attempt: attempt + 1, delayMs, err: (err as Error).message }, 'database not reachable yet, retrying');
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}
