// Picks the adapter for the configured data mode and brings the schema up to date.
import { resolve } from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Database } from './database.js';
import { migrate } from './migrate.js';
import { openPglite } from './pglite-database.js';
import { openPostgres } from './pg-database.js';

export async function connectDatabase(config: Config, log: Logger): Promise<Database> {
  const db = config.databaseUrl
    ? await openPostgres({ url: config.databaseUrl, ...config.db }, log)
    : await openPglite(resolve(config.dataDir, 'pgdata'));
  try {
    const applied = await migrate(db);
    log.info({ engine: db.kind, applied }, applied.length ? 'migrations applied' : 'schema up to date');
    return db;
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}
