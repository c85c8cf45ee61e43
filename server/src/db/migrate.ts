// Applies the numbered files in sql/ in order, each once, recording them in schema_migrations.
// Safe to run twice and from several processes at once (server mode takes an advisory lock).
import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { SQL_DIR } from '../paths.js';
import type { Database } from './database.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
  /** Timescale refuses some DDL (continuous aggregates) inside a transaction block. */
  transactional: boolean;
}

const FILE = /^(\d{3,})_([a-z0-9_]+)\.sql$/;
const NO_TRANSACTION = /^--\s*migrate:no-transaction\b/m;
const LOCK_ID = 7_311_001; // arbitrary, constant: the advisory lock that serialises migrators

export function readMigrations(dir = SQL_DIR): Migration[] {
  return readdirSync(dir)
    .map((file) => ({ file, m: FILE.exec(file) }))
    .filter((f): f is { file: string; m: RegExpExecArray } => f.m !== null)
    .map(({ file, m }) => {
      const sql = readFileSync(join(dir, file), 'utf8');
      return {
        version: Number(m[1]),
        name: m[2]!,
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
        transactional: !NO_TRANSACTION.test(sql),
      };
    })
    .sort((a, b) => a.version - b.version);
}

/** Returns the versions applied by this call (empty when the schema was already current). */
export async function migrate(db: Database, migrations = readMigrations()): Promise<number[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const applied: number[] = [];
  for (const migration of migrations) {
    const done = await db.query<{ checksum: string }>('SELECT checksum FROM schema_migrations WHERE version = $1', [
      migration.version,
    ]);
    if (done[0]) {
      if (done[0].checksum !== migration.checksum) {
        throw new Error(
          `migration ${migration.version}_${migration.name} was changed after it was applied; add a new migration instead`,
        );
      }
      continue;
    }
    if (await applyOne(db, migration)) applied.push(migration.version);
  }
  return applied;
}

async function applyOne(db: Database, migration: Migration): Promise<boolean> {
  const record = 'INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)';
  const args = [migration.version, migration.name, migration.checksum];
  if (!migration.transactional) {
    // Written with IF NOT EXISTS throughout, so a concurrent migrator repeating it is harmless.
    await db.exec(migration.sql);
    await db.query(`${record} ON CONFLICT (version) DO NOTHING`, args);
    return true;
  }
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_ID]);
    const raced = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
    if (raced.length) return false;
    await tx.exec(migration.sql);
    await tx.query(record, args);
    return true;
  });
}
