// Long tasks on the dashboard while 1,000 rows update 20 times a second. The page runs its real
// code end to end (socket, per-frame batch, apply, render); only the socket's other end is this
// script, through playwright's WebSocket routing: it answers the subscription with a snapshot of
// ROWS positions and then sends a delta that changes every one of them every 1000/RATE ms.
// A PerformanceObserver('longtask') installed before the page's own scripts records every task
// over 50 ms.
import type { Browser, WebSocketRoute } from 'playwright-core';

export interface LongTaskResult {
  rows: number;
  updatesPerSecond: number;
  seconds: number;
  cpuSlowdown: number;
  deltasSent: number;
  longTasks: number;
  longestMs: number;
  /** Sum over long tasks of the time past 50 ms: what Lighthouse calls total blocking time. */
  blockingMs: number;
  framesPerSecond: number;
}

interface Row {
  symbol: string;
  quantity: number;
  price: number;
  previousClose: number;
  cost: number;
}

const cents = (x: number) => Math.round(x * 100) / 100;

function positions(rows: Row[]) {
  const value = rows.reduce((sum, r) => sum + r.quantity * r.price, 0);
  return rows.map((r) => ({
    symbol: r.symbol,
    price: cents(r.price),
    value: cents(r.quantity * r.price),
    pnl: cents(r.quantity * r.price - r.cost),
    dayChange: cents(r.quantity * (r.price - r.previousClose)),
    weight: cents((100 * r.quantity * r.price) / value),
  }));
}

function totals(rows: Row[]) {
  const value = rows.reduce((sum, r) => sum + r.quantity * r.price, 0);
  const cost = rows.reduce((sum, r) => sum + r.cost, 0);
  const close = rows.reduce((sum, r) => sum + r.quantity * r.previousClose, 0);
  return {
    value: cents(value),
    cost: cents(cost),
    pnl: cents(value - cost),
    dayChange: cents(value - close),
    dayChangePct: cents((100 * (value - close)) / close),
  };
}

/** Plays the server's part of docs/protocol.md for one portfolio with `rows` positions. */
export function syntheticFeed(socket: WebSocketRoute, count: number, rate: number, onDelta: () => void): () => void {
  const rows: Row[] = Array.from({ length: count }, (_, i) => {
    const price = 20 + ((i * 37) % 480);
    return { symbol: `S${String(i).padStart(4, '0')}`, quantity: 10 + (i % 90), price, previousClose: price, cost: 0 };
  });
  for (const r of rows) r.cost = r.quantity * r.price * 0.9;
  let seq = 0;
  let portfolio = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  const frame = (body: object) => socket.send(JSON.stringify({ v: 1, epoch: 'synthetic', portfolio, ...body }));

  socket.send(JSON.stringify({ type: 'hello', v: 1, user: { id: 1, username: 'demo' } }));
  socket.onMessage((message) => {
    const request = JSON.parse(String(message)) as { op: string; portfolios?: (number | { id: number })[] };
    if (request.op === 'ping') socket.send(JSON.stringify({ type: 'pong', v: 1, time: Date.now() }));
    if (request.op !== 'subscribe' || !request.portfolios?.length) return;
    const first = request.portfolios[0]!;
    portfolio = typeof first === 'number' ? first : first.id;
    const snapshot = positions(rows).map((p, i) => ({
      ...p,
      name: `Synthetic Holding ${i}`,
      quantity: rows[i]!.quantity,
      cost: cents(rows[i]!.cost),
      previousClose: rows[i]!.previousClose,
      target: null,
      drift: null,
    }));
    frame({ type: 'snapshot', seq, tickTime: Date.now(), ...totals(rows), positions: snapshot });
    clearInterval(timer);
    timer = setInterval(() => {
      for (const r of rows) r.price = Math.max(1, r.price * (1 + (Math.random() - 0.5) * 0.002));
      const changes = Object.fromEntries(positions(rows).map(({ symbol, ...change }) => [symbol, change]));
      frame({ type: 'delta', seq: ++seq, tickTime: Date.now(), ...totals(rows), positions: changes });
      onDelta();
    }, 1000 / rate);
  });
  return () => clearInterval(timer);
}

export async function measureLongTasks(
  browser: Browser,
  baseUrl: string,
  sessionCookie: { name: string; value: string },
  options: { rows: number; updatesPerSecond: number; seconds: number; cpuSlowdown: number },
): Promise<LongTaskResult> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addCookies([{ ...sessionCookie, url: baseUrl }]);
  // A string, not a function: the script must reach the page exactly as written (a bundler's
  // helpers, such as esbuild's __name, do not exist there).
  await context.addInitScript(`
    window.longTasks = [];
    window.frames = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.longTasks.push(entry.duration);
    }).observe({ type: 'longtask', buffered: true });
    requestAnimationFrame(function count() {
      window.frames++;
      requestAnimationFrame(count);
    });
  `);
  let deltasSent = 0;
  const stops: (() => void)[] = [];
  await context.routeWebSocket(/\/ws$/, (socket) => {
    stops.push(syntheticFeed(socket, options.rows, options.updatesPerSecond, () => deltasSent++));
  });
  const page = await context.newPage();
  if (options.cpuSlowdown > 1) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: options.cpuSlowdown });
  }
  await page.goto(`${baseUrl}/`);
  await page.waitForSelector(`table[aria-rowcount="${options.rows + 1}"]`);
  await page.waitForSelector('[data-testid="performance-chart"] canvas', { timeout: 30_000 });
  // Start counting once the page has settled: loading is Lighthouse's business, updates are ours.
  await page.evaluate('window.longTasks = []; window.frames = 0;');
  const sentBefore = deltasSent;
  const firstTotal = await page.textContent('[data-testid="total-value"]');
  await page.waitForTimeout(options.seconds * 1000);
  const { longTasks, frames } = (await page.evaluate('({ longTasks: window.longTasks, frames: window.frames })')) as {
    longTasks: number[];
    frames: number;
  };
  const moved = (await page.textContent('[data-testid="total-value"]')) !== firstTotal;
  for (const stop of stops) stop();
  await context.close();
  if (!moved) throw new Error('the synthetic feed did not reach the page: its total never changed');

  return {
    ...options,
    deltasSent: deltasSent - sentBefore,
    longTasks: longTasks.length,
    longestMs: Math.max(0, ...longTasks),
    blockingMs: longTasks.reduce((sum, d) => sum + Math.max(0, d - 50), 0),
    framesPerSecond: frames / options.seconds,
  };
}
