// Portfolio metrics over real HTTP: computed on the worker pool from the same history the chart
// shows, so the TWR is the chart's, and the volatility equals one computed here from that history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/auth/passwords.js';
import { createPortfolio } from '../src/store/portfolios.js';
import { refreshCandles } from '../src/store/candles.js';
import { insertTicks } from '../src/store/ticks.js';
import { recordTransactions } from '../src/store/transactions.js';
import { createUser } from '../src/store/users.js';
import type { Tick } from '../src/streams/tick.js';
import { login, startTestApp, type TestApp } from './harness.js';

const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
let t: TestApp;
let token: string;
let portfolio: number;

beforeAll(async () => {
  t = await startTestApp();
  const userId = await createUser(t.app.db, {
    username: 'quant',
    displayName: 'Q',
    passwordHash: await hashPassword('pw-quant'),
  });
  portfolio = await createPortfolio(t.app.db, userId, 'Measured', []);
  await recordTransactions(t.app.db, portfolio, [
    { kind: 'deposit', time: today - 20 * DAY + 3_600_000, amount: 50_000 },
    { kind: 'buy', time: today - 20 * DAY + 7_200_000, symbol: 'AAPL', quantity: 100, price: 200 },
    { kind: 'buy', time: today - 20 * DAY + 7_200_000, symbol: 'KO', quantity: 400, price: 60 },
    { kind: 'deposit', time: today - 10 * DAY + 3_600_000, amount: 10_000 },
    { kind: 'withdrawal', time: today - 5 * DAY + 3_600_000, amount: 4_000 },
  ]);
  // One tick per symbol a day, at noon, on a fixed zig-zag: prices in whole cents.
  const ticks: Tick[] = [];
  for (let d = 20; d >= 1; d--) {
    const noon = today - d * DAY + 12 * 3_600_000;
    ticks.push({
      id: `${noon}-0`,
      symbol: 'AAPL',
      price: (20_000 + ((d * 37) % 11) * 150 - 700) / 100,
      size: 1,
      time: noon,
    });
    ticks.push({
      id: `${noon}-1`,
      symbol: 'KO',
      price: (6_000 + ((d * 13) % 7) * 40 - 120) / 100,
      size: 1,
      time: noon,
    });
    ticks.push({ id: `${noon}-2`, symbol: 'SPY', price: (56_000 + ((d * 7) % 5) * 300) / 100, size: 1, time: noon });
  }
  await insertTicks(t.app.db, ticks);
  // A backfill of the past, like the demo's: materialise the candles over it, as a backfill must
  // (the server's own refresh may already have passed these hours while they were empty).
  await refreshCandles(t.app.db, today - 21 * DAY, Date.now());
  token = await login(t.app.url, 'quant', 'pw-quant');
});
afterAll(async () => t?.stop());

const get = (path: string, auth = token) =>
  fetch(`${t.app.url}${path}`, { headers: { authorization: `Bearer ${auth}` } });

describe('portfolio metrics', () => {
  it('reports the chart’s TWR and a volatility equal to one computed from the chart’s own daily values', async () => {
    const history = (await (await get(`/api/v1/portfolios/${portfolio}/history?range=1M`)).json()) as {
      twr: number;
      points: { time: number[]; value: number[]; netFlow: number[] };
    };
    const res = await get(`/api/v1/calculations/portfolio-metrics?portfolio=${portfolio}&range=1M`);
    expect(res.status).toBe(200);
    const m = (await res.json()) as Record<string, unknown> & {
      timeWeightedReturn: number;
      annualisedVolatility: number;
      riskFreeRate: number;
    };
    expect(m.timeWeightedReturn).toBeCloseTo(history.twr, 6);
    expect(m.riskFreeRate).toBe(0.04);

    // Independently: last value per UTC day, flows summed, flow at the start of the day.
    const byDay = new Map<number, { value: number; flow: number }>();
    history.points.time.forEach((time, i) => {
      const day = Math.floor(time / DAY);
      const seen = byDay.get(day);
      byDay.set(day, { value: history.points.value[i]!, flow: (seen?.flow ?? 0) + history.points.netFlow[i]! });
    });
    const days = [...byDay.values()];
    const returns = days.slice(1).map((d, i) => d.value / (days[i]!.value + d.flow) - 1);
    const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
    const sd = Math.sqrt(returns.reduce((a, r) => a + (r - mean) ** 2, 0) / (returns.length - 1));
    expect(returns.length).toBeGreaterThan(10);
    expect(m.annualisedVolatility).toBeCloseTo(sd * Math.sqrt(252), 6);
    expect(m).toHaveProperty('maxDrawdown');
    expect(m).toHaveProperty('valueAtRisk95');
    expect((m.benchmark as { symbol: string }).symbol).toBe('SPY');
  });

  it('refuses a bad range, a missing portfolio, someone else’s portfolio and an anonymous caller', async () => {
    expect((await get(`/api/v1/calculations/portfolio-metrics?portfolio=${portfolio}&range=5Y`)).status).toBe(400);
    expect((await get(`/api/v1/calculations/portfolio-metrics?range=1Y`)).status).toBe(400);
    const demo = await login(t.app.url, 'demo', 'demo');
    expect((await get(`/api/v1/calculations/portfolio-metrics?portfolio=${portfolio}&range=1Y`, demo)).status).toBe(
      404,
    );
    expect(
      (await get(`/api/v1/calculations/portfolio-metrics?portfolio=${portfolio}&range=1Y`, 'x'.repeat(43))).status,
    ).toBe(401);
  });
});
