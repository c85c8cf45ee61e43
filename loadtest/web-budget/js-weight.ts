// How much JavaScript each route makes the browser load, measured in a real browser (so it is what
// the router, preloads and lazy imports really fetch), sized as the server sends it: the build's
// precompressed .gz (and .br) next to each file.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';

export interface Weight {
  files: number;
  raw: number;
  gzip: number;
  brotli: number;
}

export interface RouteWeights {
  login: Weight;
  /** Everything a signed-in trader's browser loads for `/` up to a drawn chart (uPlot included). */
  dashboard: Weight;
  /** Of which loaded by the app's own dynamic imports, after the first render (the chart library). */
  dashboardDeferred: Weight;
  /** Loaded only when the trader opens the target editor. */
  onDemand: Weight;
}

function weigh(buildDir: string, paths: Iterable<string>): Weight {
  const weight: Weight = { files: 0, raw: 0, gzip: 0, brotli: 0 };
  for (const path of paths) {
    const file = join(buildDir, path);
    const body = readFileSync(file);
    weight.files++;
    weight.raw += body.length;
    weight.gzip += existsSync(`${file}.gz`) ? statSync(`${file}.gz`).size : gzipSync(body, { level: 9 }).length;
    weight.brotli += existsSync(`${file}.br`) ? statSync(`${file}.br`).size : brotliCompressSync(body).length;
  }
  return weight;
}

/** Paths of the scripts the page fetched from now on. */
function recordScripts(page: Page): Set<string> {
  const seen = new Set<string>();
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (url.pathname.endsWith('.js')) seen.add(url.pathname);
  });
  return seen;
}

interface ManifestEntry {
  file: string;
  imports?: string[];
  isDynamicEntry?: boolean;
}

/**
 * Of the files loaded, those only the app's own dynamic imports (`import()` in src/) brought in:
 * Vite's manifest says which chunks are dynamic entries and what every chunk imports statically.
 */
function lazyFiles(manifestPath: string, loaded: Set<string>): Set<string> {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, ManifestEntry>;
  const byFile = new Map(Object.entries(manifest).map(([key, entry]) => [`/${entry.file}`, key]));
  const lazyRoots = new Set(Object.keys(manifest).filter((k) => k.startsWith('src/') && manifest[k]!.isDynamicEntry));
  const eager = new Set<string>();
  const visit = (key: string) => {
    const entry = manifest[key];
    if (!entry || lazyRoots.has(key) || eager.has(`/${entry.file}`)) return;
    eager.add(`/${entry.file}`);
    for (const imported of entry.imports ?? []) visit(imported);
  };
  for (const path of loaded) {
    const key = byFile.get(path);
    if (key) visit(key);
    else eager.add(path);
  }
  return new Set([...loaded].filter((path) => !eager.has(path)));
}

export async function measureRouteWeights(
  browser: Browser,
  baseUrl: string,
  sessionCookie: { name: string; value: string },
  buildDir: string,
  manifestPath: string,
): Promise<RouteWeights> {
  const anonymous = await browser.newContext();
  const loginPage = await anonymous.newPage();
  const loginScripts = recordScripts(loginPage);
  await loginPage.goto(`${baseUrl}/login`, { waitUntil: 'networkidle' });
  await loginPage.waitForSelector('form');
  await anonymous.close();

  const signedIn = await browser.newContext();
  await signedIn.addCookies([{ ...sessionCookie, url: baseUrl }]);
  const page = await signedIn.newPage();
  const dashboardScripts = recordScripts(page);
  await page.goto(`${baseUrl}/`);
  await page.waitForSelector('[data-testid="position-row"]');
  await page.waitForSelector('[data-testid="performance-chart"] canvas', { timeout: 30_000 });
  await page.waitForLoadState('networkidle');
  const deferred = lazyFiles(manifestPath, dashboardScripts);
  const before = new Set(dashboardScripts);
  // Below the fold: the allocation panel (and the editor behind it) load when the trader scrolls there.
  await page.locator('#allocation-title').scrollIntoViewIfNeeded();
  await page.getByRole('button', { name: 'Edit targets' }).click();
  await page.waitForSelector('[data-testid="target-editor"]');
  const onDemand = [...dashboardScripts].filter((path) => !before.has(path));
  await signedIn.close();

  return {
    login: weigh(buildDir, loginScripts),
    dashboard: weigh(buildDir, before),
    dashboardDeferred: weigh(buildDir, deferred),
    onDemand: weigh(buildDir, onDemand),
  };
}
