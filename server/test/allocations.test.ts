// Target allocations over real HTTP, and the live view following them: a saved target reaches the
// socket as a new snapshot whose drift equals weight − target, computed here independently.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTargets } from '../src/store/allocations.js';
import { login, startTestApp, TestSocket, type TestApp } from './harness.js';

let t: TestApp;
let token: string;

beforeAll(async () => {
  t = await startTestApp();
  token = await login(t.app.url, 'demo', 'demo');
});
afterAll(async () => t?.stop());

const put = (body: unknown, auth = token) =>
  fetch(`${t.app.url}/api/v1/allocations`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` },
    body: JSON.stringify(body),
  });

async function heldSymbols(portfolio: number): Promise<string[]> {
  const res = await fetch(`${t.app.url}/api/v1/portfolios/${portfolio}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return ((await res.json()) as { positions: { symbol: string }[] }).positions.map((p) => p.symbol);
}

/** Splits 100 % over n symbols in whole basis points, the remainder on the first. */
function evenTargets(symbols: string[]) {
  const each = Math.floor(10_000 / symbols.length);
  return symbols.map((symbol, i) => ({
    symbol,
    weight: (each + (i === 0 ? 10_000 - each * symbols.length : 0)) / 100,
  }));
}

describe('target allocations', () => {
  it('saves valid targets and the live view shows drift = weight − target', async () => {
    const symbols = await heldSymbols(1);
    const socket = await TestSocket.open(t.wsUrl, token);
    socket.send({ op: 'subscribe', portfolios: [1] });
    const before = await socket.next((f) => f.type === 'snapshot');

    const targets = evenTargets(symbols);
    const res = await put({ portfolio: 1, targets });
    expect(res.status).toBe(200);
    const saved = (await res.json()) as { targets: { symbol: string; weight: number }[] };
    expect(saved.targets).toEqual([...targets].sort((a, b) => a.symbol.localeCompare(b.symbol)));

    const after = await socket.next((f) => f.type === 'snapshot' && f.epoch !== before.epoch);
    const positions = after.positions as { symbol: string; weight: number; target: number; drift: number }[];
    const target = new Map(targets.map((x) => [x.symbol, x.weight]));
    for (const p of positions) {
      expect(p.target).toBe(target.get(p.symbol));
      // In basis points the subtraction is exact.
      expect(Math.round(p.drift * 100)).toBe(Math.round(p.weight * 100) - Math.round(target.get(p.symbol)! * 100));
    }
    socket.close();
  });

  it('refuses targets that do not sum to 100, symbols not held, duplicates, and bad numbers, with reasons', async () => {
    const [a, b] = await heldSymbols(1);
    const cases: [unknown, RegExp][] = [
      [
        {
          portfolio: 1,
          targets: [
            { symbol: a, weight: 60 },
            { symbol: b, weight: 30 },
          ],
        },
        /sum to 100, they sum to 90\.00/,
      ],
      [
        {
          portfolio: 1,
          targets: [
            { symbol: a, weight: 50 },
            { symbol: 'ZZZZ', weight: 50 },
          ],
        },
        /ZZZZ is not held/,
      ],
      [
        {
          portfolio: 1,
          targets: [
            { symbol: a, weight: 50 },
            { symbol: a, weight: 50 },
          ],
        },
        /appears twice/,
      ],
      [{ portfolio: 1, targets: [{ symbol: a, weight: 100.5 }] }, /at most 100/],
      [
        {
          portfolio: 1,
          targets: [
            { symbol: a, weight: 33.333 },
            { symbol: b, weight: 66.667 },
          ],
        },
        /at most 2 decimals/,
      ],
      [{ portfolio: 'one', targets: [] }, /portfolio/],
    ];
    for (const [body, reason] of cases) {
      const res = await put(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const error = ((await res.json()) as { error: { code: string; issues: { message: string; path: string }[] } })
        .error;
      expect(error.code).toBe('VALIDATION');
      expect(JSON.stringify(error.issues)).toMatch(reason);
    }
  });

  it('writes nothing when one symbol of an otherwise valid set is not held', async () => {
    const symbols = await heldSymbols(1);
    expect((await put({ portfolio: 1, targets: evenTargets(symbols) })).status).toBe(200);
    const before = await listTargets(t.app.db, 1);
    const [first, ...rest] = evenTargets([...symbols.slice(1), 'ZZZZ']);
    const res = await put({ portfolio: 1, targets: [first, ...rest] });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { issues: { path: string; message: string }[] } };
    expect(body.error.issues).toEqual([
      { path: `targets.${symbols.length - 1}.symbol`, message: 'ZZZZ is not held in this portfolio' },
    ]);
    expect(await listTargets(t.app.db, 1)).toEqual(before);
  });

  it("refuses someone else's portfolio as not found, and an anonymous caller", async () => {
    expect((await put({ portfolio: 999_999, targets: [] })).status).toBe(404);
    expect((await put({ portfolio: 1, targets: [] }, 'x'.repeat(43))).status).toBe(401);
  });

  it('clears every target with an empty list', async () => {
    const res = await put({ portfolio: 1, targets: [] });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { targets: unknown[] }).targets).toEqual([]);
  });
});

describe('a recorded transaction', () => {
  it('reaches the live view as a snapshot with the new position', async () => {
    const held = new Set(await heldSymbols(2));
    const symbol = ['NVDA', 'KO', 'XOM', 'JPM', 'PG'].find((s) => !held.has(s))!;
    const socket = await TestSocket.open(t.wsUrl, token);
    socket.send({ op: 'subscribe', portfolios: [2] });
    const before = await socket.next((f) => f.type === 'snapshot');
    const res = await fetch(`${t.app.url}/api/v1/portfolios/2/transactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ kind: 'buy', symbol, quantity: 7, price: 100 }),
    });
    expect(res.status).toBe(201);
    const after = await socket.next((f) => f.type === 'snapshot' && f.epoch !== before.epoch);
    const position = (after.positions as { symbol: string; quantity: number; cost: number }[]).find(
      (p) => p.symbol === symbol,
    );
    expect(position).toMatchObject({ quantity: 7, cost: 700 });
    socket.close();
  });
});
