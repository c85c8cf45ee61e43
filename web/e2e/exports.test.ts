// Exports through the dashboard in a real browser: open the exports menu, ask for the positions CSV,
// watch the job's progress arrive over the socket as `job` notices, download the file and check it
// against the API's JSON for the same portfolio.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/src/paths.js';
import { csvRecords } from '../../server/test/csv-parse.js';
import { login, startTestApp, type TestApp } from '../../server/test/harness.js';
import { launchChromium, signIn } from './browser.js';

let t: TestApp;
let browser: Browser;
let page: Page;
/** Every `job` notice the page's socket received. */
const jobFrames: { id: string; status: string; progress: number }[] = [];

beforeAll(async () => {
  t = await startTestApp();
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  page.on('websocket', (ws) =>
    ws.on('framereceived', ({ payload }) => {
      const frame = JSON.parse(String(payload)) as { type: string; id: string; status: string; progress: number };
      if (frame.type === 'job') jobFrames.push(frame);
    }),
  );
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('exports from the dashboard', () => {
  it('exports the positions as CSV with progress over the socket, and downloads the API’s numbers', async () => {
    await signIn(page, t.app.url);
    await expect
      .poll(() => page.textContent('[data-testid="connection-state"]'), { timeout: 15_000 })
      .toContain('live');

    await page.click('[data-testid="exports-menu"] summary');
    await page.click('[data-testid="export-positions-csv"]');
    const link = page.locator('[data-testid="export-download"]');
    await link.waitFor({ timeout: 20_000 });
    expect(await page.textContent('[data-testid="export-status"]')).toContain('Ready');
    mkdirSync(join(PROJECT_ROOT, 'artifacts'), { recursive: true });
    await page.screenshot({ path: join(PROJECT_ROOT, 'artifacts/exports-menu.png') });

    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const name = download.suggestedFilename();
    expect(name).toMatch(/^core-growth-positions-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = readFileSync((await download.path())!, 'utf8');

    // The progress came as notices on the page's own socket, ending with the file.
    const done = jobFrames.find((f) => f.status === 'done');
    expect(done).toBeDefined();
    expect(jobFrames.filter((f) => f.id === done!.id).length).toBeGreaterThanOrEqual(2);

    const token = await login(t.app.url, 'demo', 'demo');
    const [first] = (
      (await (
        await fetch(`${t.app.url}/api/v1/portfolios`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as {
        portfolios: { id: number }[];
      }
    ).portfolios;
    const api = (await (
      await fetch(`${t.app.url}/api/v1/portfolios/${first!.id}`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { positions: Record<string, unknown>[] };
    const { header, records } = csvRecords(text);
    expect(header).toEqual(['symbol', 'name', 'sector', 'quantity', 'costBasis', 'targetWeight']);
    expect(records.length).toBeGreaterThan(0);
    expect(records).toEqual(
      api.positions.map((p) =>
        Object.fromEntries(
          header.map((h) => [h, p[h] === null ? '' : typeof p[h] === 'number' ? JSON.stringify(p[h]) : String(p[h])]),
        ),
      ),
    );
  });
});
