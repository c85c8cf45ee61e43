// The process entry: read the config, start, and shut down cleanly on SIGINT/SIGTERM.
import { startApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './log.js';

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  throw err;
}

const log = createLogger(config.logLevel);
let app: Awaited<ReturnType<typeof startApp>>;
try {
  app = await startApp(config, log);
} catch (err) {
  log.fatal({ err }, 'could not start');
  process.exit(1);
}

log.info(
  {
    url: app.url,
    mode: config.mode,
    database:
      config.mode === 'embedded'
        ? `PGlite + TimescaleDB in ${config.dataDir}`
        : 'PostgreSQL + TimescaleDB (DATABASE_URL)',
    redis: app.redis.where,
    simulator: config.simulator.enabled ? `${config.simulator.ticksPerSecond} ticks/s` : 'off',
  },
  `dashboard at ${app.url}` +
    (config.demo.enabled ? ` (log in as demo / ${config.demo.password === 'demo' ? 'demo' : 'DEMO_PASSWORD'})` : ''),
);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  const timer = setTimeout(() => {
    log.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out, exiting anyway');
    process.exit(1);
  }, config.shutdownTimeoutMs);
  timer.unref();
  await app.close();
  log.info('stopped');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
