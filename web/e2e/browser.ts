// What every browser test needs: Debian's chromium, launched the way this machine allows (no
// sandbox as root, no background networking: the closed network refuses it), against the built
// page; and a trader signed in through the login form.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../server/src/paths.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Chromium, after checking the page is built and the browser installed (with what to do if not). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(join(PROJECT_ROOT, 'web/build/index.html')))
    throw new Error('web app not built: run `npm run build:web` first');
  if (!existsSync(CHROMIUM))
    throw new Error(`no chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
  return chromium.launch({
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
}

/** Signs in through the login form on the page it is on (or `/login`), and waits to leave it. */
export async function signIn(page: Page, baseUrl: string, username = 'demo', password = 'demo'): Promise<void> {
  if (!new URL(page.url(), baseUrl).pathname.startsWith('/login')) await page.goto(`${baseUrl}/login`);
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', password);
  await page.click('button[type="submit"]');
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}
