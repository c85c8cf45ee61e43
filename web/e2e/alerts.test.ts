// Alerts in a real browser (Debian's chromium driven by playwright-core) against the real server:
// the form refuses a bad level with a message, creates a price alert, a tick over the level is
// XADDed to the stream like any producer would, and the toast and the fired history show it.
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, TickDriver, waitForState } from '../../server/test/alert-driver.js';
import { login, startTestApp, type TestApp } from '../../server/test/harness.js';
import { launchChromium, signIn } from './browser.js';

let t: TestApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  t = await startTestApp();
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('alerts in the dashboard', () => {
  it('creates a price alert, then shows a toast and the fired entry when a tick crosses it', async () => {
    await signIn(page, t.app.url);
    const row = page.locator('[data-testid="position-row"]').first();
    const symbol = (await row.getAttribute('data-symbol'))!;
    const price = Number((await row.locator('[data-testid="position-price"]').textContent())!.replace(/[^0-9.]/g, ''));
    const levelCents = Math.round(price * 100 * 1.05);

    // The panel's code is fetched when it nears the screen.
    await page.locator('#alerts-title').scrollIntoViewIfNeeded();
    const form = page.locator('[data-testid="alert-form"]');
    await form.waitFor();
    await page.fill('[data-testid="alert-symbol"]', symbol.toLowerCase());
    await page.fill('[data-testid="alert-amount"]', '-3');
    await page.click('[data-testid="alert-create"]');
    await expect.poll(() => page.textContent('[data-testid="alert-amount-problem"]')).toContain('above 0');

    await page.fill('[data-testid="alert-amount"]', (levelCents / 100).toFixed(2));
    await page.click('[data-testid="alert-create"]');
    await expect.poll(() => page.locator('[data-testid="alert-row"]').count()).toBe(1);

    // The evaluator has checked it (armed) before the tick is sent: the crossing is then its first.
    const token = await login(t.app.url, 'demo', 'demo');
    const id = ((await api(t.app.url, token, 'GET', '/alerts')).body.alerts as { id: number }[])[0]!.id;
    await waitForState(t.app.url, token, id, 'armed');
    await new TickDriver(t.app.redis.connect('e2e-producer'), t.app.keys.ticks).tick(symbol, levelCents + 7);

    const toast = page.locator('[data-testid="alert-toast"]');
    await toast.waitFor({ timeout: 10_000 });
    expect(await toast.textContent()).toContain(`${symbol} above ${levelCents / 100}`);
    await expect.poll(() => page.locator('[data-testid="fired-row"]').count()).toBe(1);
    expect(await page.locator('[data-testid="fired-row"]').textContent()).toContain(String((levelCents + 7) / 100));
  });
});
