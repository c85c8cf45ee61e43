// The API cache over real HTTP: a write (new targets, a transaction) shows in the very next read,
// a write on one gateway drops another gateway's in-process copy (two app instances sharing Redis),
// and the hit and miss counters at /metrics move as the answers are served.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveTargets } from '../src/store/allocations.js';
import { login, startTestApp, type TestApp } from './harness.js';

let a: TestApp;
let b: TestApp;
let tokenA: string;
let tokenB: string;

beforeAll(async () => {
  // Two gateways on one Redis prefix, as behind a load balancer. Each has its own embedded
  // database (they cannot share one), seeded alike; see the cross-gateway test for what that means.
  const prefix = `test:${randomUUID()}:`;
  [a, b] = await Promise.all([
    startTestApp({ REDIS_KEY_PREFIX: prefix, API_CACHE_L1_TTL_MS: '60000' }),
    startTestApp({ REDIS_KEY_PREFIX: prefix, API_CACHE_L1_TTL_MS: '60000' }),
  ]);
  [tokenA, tokenB] = await Promise.all([login(a.app.url, 'demo', 'demo'), login(b.app.url, 'demo', 'demo')]);
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
});

interface Position {
  symbol: string;
  quantity: number;
  targetWeight: number | null;
}

const call = (t: TestApp, token: string, path: string, method = 'GET', body?: unknown) =>
  fetch(`${t.app.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

async function positions(t: TestApp, token: string, portfolio: number): Promise<Position[]> {
  const res = await call(t, token, `/portfolios/${portfolio}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { positions: Position[] }).positions;
}

const targetsOf = (list: Position[]) =>
  Object.fromEntries(list.filter((p) => p.targetWeight !== null).map((p) => [p.symbol, p.targetWeight]));

/** tickdash_cache_{hits,misses}_total of one cache, summed over tiers, from /metrics. */
async function counters(t: TestApp, cache: string): Promise<{ hits: number; misses: number }> {
  const text = await (await fetch(`${t.app.url}/metrics`)).text();
  const sum = (metric: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith(`${metric}{`) && l.includes(`cache="${cache}"`))
      .reduce((total, l) => total + Number(l.split(' ').pop()), 0);
  return { hits: sum('tickdash_cache_hits_total'), misses: sum('tickdash_cache_misses_total') };
}

describe('the API cache', () => {
  it('serves repeated reads from the cache, counted as hits, and shows new targets right after PUT /allocations', async () => {
    const before = await positions(a, tokenA, 1);
    const start = await counters(a, 'portfolio');
    expect(await positions(a, tokenA, 1)).toEqual(before);
    const after = await counters(a, 'portfolio');
    expect(after.hits).toBeGreaterThan(start.hits);
    expect(after.misses).toBe(start.misses);

    const [first, second] = before.map((p) => p.symbol);
    const targets = [
      { symbol: first!, weight: 62.5 },
      { symbol: second!, weight: 37.5 },
    ];
    expect((await call(a, tokenA, '/allocations', 'PUT', { portfolio: 1, targets })).status).toBe(200);
    expect(targetsOf(await positions(a, tokenA, 1))).toEqual({ [first!]: 62.5, [second!]: 37.5 });
    expect((await counters(a, 'portfolio')).misses).toBe(after.misses + 1);
  });

  it('saving the same targets again invalidates nothing', async () => {
    const now = await positions(a, tokenA, 1);
    const targets = now
      .filter((p) => p.targetWeight !== null)
      .map((p) => ({ symbol: p.symbol, weight: p.targetWeight }));
    const start = await counters(a, 'portfolio');
    expect((await call(a, tokenA, '/allocations', 'PUT', { portfolio: 1, targets })).status).toBe(200);
    expect(await positions(a, tokenA, 1)).toEqual(now);
    expect((await counters(a, 'portfolio')).misses).toBe(start.misses);
  });

  it('shows a recorded transaction in the next read of the portfolio and recomputes its metrics', async () => {
    const held = await positions(a, tokenA, 2);
    const symbol = held[0]!.symbol;
    await call(a, tokenA, '/calculations/portfolio-metrics?portfolio=2&range=1M');
    const warm = await counters(a, 'portfolio-metrics');
    expect((await call(a, tokenA, '/calculations/portfolio-metrics?portfolio=2&range=1M')).status).toBe(200);
    expect((await counters(a, 'portfolio-metrics')).hits).toBe(warm.hits + 1);

    const buy = { kind: 'buy', symbol, quantity: 3, price: 10 };
    expect((await call(a, tokenA, '/portfolios/2/transactions', 'POST', buy)).status).toBe(201);
    const quantity = (await positions(a, tokenA, 2)).find((p) => p.symbol === symbol)!.quantity;
    expect(quantity).toBe(held[0]!.quantity + 3);
    expect((await call(a, tokenA, '/calculations/portfolio-metrics?portfolio=2&range=1M')).status).toBe(200);
    expect((await counters(a, 'portfolio-metrics')).misses).toBe(warm.misses + 1);
  });

  it('drops the other gateway’s in-process copy when one gateway records a write', async () => {
    // In production both gateways read one database. Here each has its own, so the write is also
    // applied to b's database directly, without telling anyone: what b serves then shows whether
    // its cache noticed a's announcement.
    const original = await positions(b, tokenB, 3);
    const [first, second] = original.map((p) => p.symbol);
    const targets = [
      { symbol: first!, weight: 30 },
      { symbol: second!, weight: 70 },
    ];
    await saveTargets(b.app.db, 3, targets);
    expect(await positions(b, tokenB, 3)).toEqual(original); // b still serves its cached copy

    expect((await call(a, tokenA, '/allocations', 'PUT', { portfolio: 3, targets })).status).toBe(200);
    await expect.poll(async () => targetsOf(await positions(b, tokenB, 3))).toEqual({ [first!]: 30, [second!]: 70 });
  });
});
