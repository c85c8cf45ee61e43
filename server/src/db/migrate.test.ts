// Migrations on the real embedded engine (PGlite with TimescaleDB, in memory).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from './database.js';
import { migrate, readMigrations } from './migrate.js';
import { openPglite } from './pglite-database.js';

let db: Database;
beforeAll(async () => {
  db = await openPglite(null);
});
afterAll(async () => db?.close());

describe('migrations on the embedded engine', () => {
  it('creates the schema with ticks as a hypertable, and a second run changes nothing', async () => {
    const all = readMigrations().map((m) => m.version);
    expect(await migrate(db)).toEqual(all);
    const hypertables = await db.query<{ hypertable_name: string }>(
      `SELECT hypertable_name FROM timescaledb_information.hypertables`,
    );
    expect(hypertables.map((h) => h.hypertable_name)).toContain('ticks');
    const tables = await db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['assets', 'users', 'portfolios', 'positions', 'ticks']),
    );

    const recorded = await db.query('SELECT version, checksum FROM schema_migrations ORDER BY version');
    expect(await migrate(db)).toEqual([]);
    expect(await db.query('SELECT version, checksum FROM schema_migrations ORDER BY version')).toEqual(recorded);
  });

  it('refuses to start when an applied migration was edited', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tickdash-sql-'));
    try {
      writeFileSync(join(dir, '900_probe.sql'), 'CREATE TABLE probe (id int);');
      expect(await migrate(db, readMigrations(dir))).toEqual([900]);
      writeFileSync(join(dir, '900_probe.sql'), 'CREATE TABLE probe (id bigint);');
      await expect(migrate(db, readMigrations(dir))).rejects.toThrow(/900_probe was changed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rolls a failing migration back completely', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tickdash-sql-'));
    try {
      writeFileSync(join(dir, '901_broken.sql'), 'CREATE TABLE half_done (id int);\nSELECT no_such_function();');
      await expect(migrate(db, readMigrations(dir))).rejects.toThrow();
      const left = await db.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'`);
      expect(left).toEqual([]);
      expect(await db.query('SELECT 1 FROM schema_migrations WHERE version = 901')).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
