// artillery lives in this folder's own package (about 600 MB with its dependencies, playwright and
// the AWS SDK among them), installed from its lockfile on first use so the product's install stays
// lean. Its playwright dependency would download a browser and fail without the skip flag.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const HERE = new URL('.', import.meta.url).pathname;
export const ARTILLERY_BIN = join(HERE, 'node_modules/artillery/bin/run');

/** The environment every artillery process (install or run) gets. */
export const ARTILLERY_ENV = {
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
  ARTILLERY_DISABLE_TELEMETRY: 'true',
};

export function ensureArtillery(): void {
  if (existsSync(ARTILLERY_BIN)) return;
  console.error('installing artillery into loadtest/artillery (first run only) …');
  const started = performance.now();
  // The shared npm lock: never two installs at once on this machine.
  execFileSync('flock', ['/tmp/npm.lock', 'npm', 'ci', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: HERE,
    stdio: 'inherit',
    env: { ...process.env, ...ARTILLERY_ENV },
  });
  console.error(`artillery installed in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}
