// What operators and orchestrators ask: is the process alive, is it ready to serve (Redis and the
// database answer, the schema is current), and the Prometheus metrics.
import type { Redis } from 'ioredis';
import type { TemplatedApp } from 'uWebSockets.js';
import type { Database } from '../db/database.js';
import { readMigrations } from '../db/migrate.js';
import { statusLine, route } from '../http/routes.js';
import type { Logger } from '../log.js';
import type { Observability } from '../observability/metrics.js';

export interface OpsContext {
  db: Database;
  redis: Redis;
  observability: Observability;
  log: Logger;
}

const CHECK_TIMEOUT_MS = 2_000;

export function registerOpsRoutes(app: TemplatedApp, ctx: OpsContext): void {
  const expected = readMigrations().map((m) => m.version);

  route(app, 'get', '/healthz', async () => ({ body: { status: 'ok' } }), ctx);

  route(
    app,
    'get',
    '/readyz',
    async () => {
      const [redis, database, schema] = await Promise.all([
        check(async () => void (await ctx.redis.ping())),
        check(async () => void (await ctx.db.query('SELECT 1'))),
        check(async () => {
          const rows = await ctx.db.query<{ version: number }>('SELECT version FROM schema_migrations');
          const applied = new Set(rows.map((r) => r.version));
          const missing = expected.filter((v) => !applied.has(v));
          if (missing.length) throw new Error(`migrations not applied: ${missing.join(', ')}`);
        }),
      ]);
      const checks = { redis, database, schema };
      const ready = Object.values(checks).every((c) => c === 'ok');
      return { status: ready ? 200 : 503, body: { status: ready ? 'ready' : 'not ready', checks } };
    },
    ctx,
  );

  app.get('/metrics', (res) => {
    let aborted = false;
    res.onAborted(() => (aborted = true));
    ctx.observability.registry.metrics().then((text) => {
      if (aborted) return;
      res.cork(() => {
        res.writeStatus(statusLine(200)).writeHeader('Content-Type', ctx.observability.registry.contentType).end(text);
      });
    });
  });
}

/** 'ok', or why not; a dependency that hangs counts as down after CHECK_TIMEOUT_MS. */
async function check(probe: () => Promise<void>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS))),
    ]);
    return 'ok';
  } catch (err) {
    return (err as Error).message;
  } finally {
    clearTimeout(timer);
  }
}
