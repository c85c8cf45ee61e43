// The dashboard in a real browser (Debian's chromium driven by playwright-core) against the real
// server on its embedded default: log in, watch the total move with ticks and equal the sum of the
// rows, switch portfolio. Leaves a screenshot in artifacts/.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/src/paths.js';
import { tickFields } from '../../server/src/streams/tick.js';
import { startTestApp, type TestApp } from '../../server/test/harness.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(PROJECT_ROOT, 'artifacts');

let t: TestApp;
let browser: Browser;
let page: Page;
/** Errors the page logged (a Content-Security-Policy violation shows up here). */
const consoleErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(join(PROJECT_ROOT, 'web/build/index.html')))
    throw new Error('web app not built: run `npm run build:web` first');
  if (!existsSync(CHROMIUM))
    throw new Error(`no chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
  t = await startTestApp();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

const amount = (text: string | null) => Number((text ?? '').replace(/[^0-9.-]/g, ''));

async function rowsSum(): Promise<number> {
  const cells = await page.locator('[data-testid="position-value"]').allTextContents();
  expect(cells.length).toBeGreaterThan(0);
  // Sum in cents: the page shows cents, so the sum of what it shows is exact in integers.
  return cells.reduce((sum, c) => sum + Math.round(amount(c) * 100), 0);
}

describe('the dashboard in a browser', () => {
  it('logs in and shows the live value of the portfolio, equal to the sum of its rows', async () => {
    await page.goto(`${t.app.url}/`);
    await page.waitForURL('**/login');
    await page.fill('input[name="username"]', 'demo');
    await page.fill('input[name="password"]', 'demo');
    await page.click('button[type="submit"]');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    await expect.poll(() => page.textContent('[data-testid="connection-state"]')).toContain('live');

    const total = page.locator('[data-testid="total-value"]');
    const before = amount(await total.textContent());
    expect(before).toBeGreaterThan(0);
    expect(Math.round(before * 100)).toBe(await rowsSum());

    // Move every held symbol up 10 %, through the stream like any producer would.
    const symbols = await page
      .locator('[data-testid="position-row"]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-symbol')!));
    const prices = await page
      .locator('[data-testid="position-row"]')
      .evaluateAll((rows) =>
        rows.map((r) =>
          Number(r.querySelector('[data-testid="position-price"]')!.textContent!.replace(/[^0-9.]/g, '')),
        ),
      );
    const redis = t.app.redis.connect('browser-test-producer');
    const pipeline = redis.pipeline();
    symbols.forEach((symbol, i) => {
      const price = (prices[i]! * 1.1).toFixed(2);
      pipeline.xadd(t.app.keys.ticks, '*', ...tickFields({ symbol, price, size: 100, time: Date.now() }));
    });
    await pipeline.exec();

    await expect
      .poll(async () => amount(await total.textContent()), { timeout: 10_000 })
      .toBeGreaterThan(before * 1.05);
    await expect.poll(async () => Math.round(amount(await total.textContent()) * 100)).toBe(await rowsSum());
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    expect(consoleErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
  });

  it('switches portfolio and shows the other one live', async () => {
    const firstRows = await page.locator('[data-testid="position-row"]').count();
    const switcher = page.locator('[data-testid="portfolio-switcher"]');
    const tag = await switcher.evaluate((el) => el.tagName.toLowerCase());
    const target = tag === 'select' ? switcher : switcher.locator('select');
    const options = await target.locator('option').allTextContents();
    expect(options.length).toBeGreaterThanOrEqual(2);
    await target.selectOption({ label: options[2] ?? options[1]! });
    await expect.poll(() => page.locator('[data-testid="position-row"]').count()).not.toBe(firstRows);
    await expect.poll(() => page.textContent('[data-testid="connection-state"]')).toContain('live');
    await expect
      .poll(async () => Math.round(amount(await page.textContent('[data-testid="total-value"]')) * 100))
      .toBe(await rowsSum());
  });
});
