// Lighthouse against the built app served by the real server, with Debian's chromium, on the
// mobile preset (Lighthouse's default: a mid-range phone on slow 4G, simulated) and the desktop
// preset. The dashboard is measured signed in: the session cookie goes as an extra header on every
// request, the socket's upgrade included. Lighthouse is loaded from this folder's own install.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Preset = 'mobile' | 'desktop';

export interface LighthouseScores {
  page: string;
  preset: Preset;
  performance: number;
  accessibility: number;
  /** Milliseconds (CLS unitless), as Lighthouse reports them after simulation. */
  fcp: number;
  lcp: number;
  tbt: number;
  cls: number;
  speedIndex: number;
  /** What the trace says the largest paint was, to see what the page showed Lighthouse. */
  lcpElement: string;
}

const CHROME_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Trace problems Lighthouse itself says to retry (NO_NAVSTART, NO_FCP on a cold start). */
const RETRIES = 2;

export async function runLighthouse(
  chromePath: string,
  url: string,
  preset: Preset,
  cookie: string | null,
  reportDir: string,
): Promise<LighthouseScores> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await runOnce(chromePath, url, preset, cookie, reportDir);
    } catch (error) {
      if (attempt >= RETRIES || !(error instanceof LighthouseRuntimeError)) throw error;
      console.warn(`lighthouse ${preset} ${url}: ${error.message}; again`);
    }
  }
}

class LighthouseRuntimeError extends Error {}

async function runOnce(
  chromePath: string,
  url: string,
  preset: Preset,
  cookie: string | null,
  reportDir: string,
): Promise<LighthouseScores> {
  const { default: lighthouse, desktopConfig } = await import('lighthouse');
  const { launch } = await import('chrome-launcher');
  const chrome = await launch({ chromePath, chromeFlags: CHROME_FLAGS, logLevel: 'error' });
  try {
    const result = await lighthouse(
      url,
      {
        port: chrome.port,
        output: 'json',
        logLevel: 'error',
        onlyCategories: ['performance', 'accessibility'],
        extraHeaders: cookie ? { Cookie: cookie } : null,
      },
      preset === 'desktop' ? desktopConfig : undefined,
    );
    if (!result) throw new Error(`lighthouse returned nothing for ${url}`);
    const { lhr } = result;
    if (lhr.runtimeError)
      throw new LighthouseRuntimeError(`lighthouse: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
    const page = new URL(url).pathname;
    mkdirSync(reportDir, { recursive: true });
    writeFileSync(join(reportDir, `${preset}${page.replace(/\//g, '-') || '-'}.json`), JSON.stringify(lhr));
    const metric = (id: string) => lhr.audits[id]?.numericValue ?? NaN;
    const element = lhr.audits['largest-contentful-paint-element']?.details as
      { items?: { items?: { node?: { snippet?: string } }[] }[] } | undefined;
    return {
      page,
      preset,
      performance: Math.round((lhr.categories.performance?.score ?? 0) * 100),
      accessibility: Math.round((lhr.categories.accessibility?.score ?? 0) * 100),
      fcp: metric('first-contentful-paint'),
      lcp: metric('largest-contentful-paint'),
      tbt: metric('total-blocking-time'),
      cls: metric('cumulative-layout-shift'),
      speedIndex: metric('speed-index'),
      lcpElement: element?.items?.[0]?.items?.[0]?.node?.snippet ?? '',
    };
  } finally {
    chrome.kill();
  }
}
