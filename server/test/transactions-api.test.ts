// GET and POST /api/v1/portfolios/:id/transactions over real HTTP: newest-first pages behind an
// opaque cursor that stay exact while transactions are recorded between fetches (checked against
// the test's own list of what it wrote), bounded page sizes, and the validation of new transactions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/auth/passwords.js';
import { createPortfolio } from '../src/store/portfolios.js';
import { recordTransactions } from '../src/store/transactions.js';
import { createUser } from '../src/store/users.js';
import { login, startTestApp, type TestApp } from './harness.js';

const MINUTE = 60_000;
const BASE = Date.UTC(2025, 0, 6, 15, 0); // ms
let t: TestApp;
let token: string;
let portfolio: number;
/** What the test wrote: id and time in microseconds, the ledger's own precision. */
const written: { id: number; micros: bigint }[] = [];

beforeAll(async () => {
  t = await startTestApp();
  const userId = await createUser(t.app.db, {
    username: 'pager',
    displayName: 'P',
    passwordHash: await hashPassword('pw-pager'),
  });
  portfolio = await createPortfolio(t.app.db, userId, 'Paged', []);
  // 30 deposits a minute apart, five of them at one instant (ties broken by id) ...
  const times = Array.from({ length: 30 }, (_, i) => (i >= 10 && i < 15 ? BASE - 10 * MINUTE : BASE - i * MINUTE));
  await deposit(times);
  // ... and three within one millisecond, which a cursor in milliseconds could not tell apart.
  for (const micros of [1n, 250n, 999n]) {
    const at = BigInt(BASE - 20 * MINUTE + 30_000) * 1000n + micros;
    const [row] = await t.app.db.query<{ id: number }>(
      `INSERT INTO transactions (portfolio_id, kind, time, amount)
       VALUES ($1, 'deposit', 'epoch'::timestamptz + $2::int8 * INTERVAL '1 microsecond', 1) RETURNING id`,
      [portfolio, at.toString()],
    );
    written.push({ id: row!.id, micros: at });
  }
  token = await login(t.app.url, 'pager', 'pw-pager');
});
afterAll(async () => t?.stop());

/** Records deposits at `times` (ms) as another writer would, straight into the ledger. */
async function deposit(times: number[]): Promise<number[]> {
  const ids = await recordTransactions(
    t.app.db,
    portfolio,
    times.map((time) => ({ kind: 'deposit' as const, time, amount: 10 })),
  );
  ids.forEach((id, i) => written.push({ id, micros: BigInt(times[i]!) * 1000n }));
  return ids;
}

const get = (query: string, auth = token) =>
  fetch(`${t.app.url}/api/v1/portfolios/${portfolio}/transactions${query}`, {
    headers: { authorization: `Bearer ${auth}` },
  });

interface Page {
  transactions: { id: number; kind: string; amount: number; time: number }[];
  next: string | null;
}

/** The ledger order: newest first, ties by id, newest first. */
const newestFirst = (rows: { id: number; micros: bigint }[]) =>
  [...rows].sort((x, y) => (x.micros === y.micros ? y.id - x.id : x.micros > y.micros ? -1 : 1)).map((r) => r.id);

describe('paging through the ledger', () => {
  it('returns every transaction once, newest first, while others are recorded between pages', async () => {
    const atStart = [...written];
    const seen: number[] = [];
    const behind: number[] = []; // recorded after the cursor's position: later pages must bring them
    const ahead: number[] = []; // recorded before it (newer than anything read): never on later pages
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null) {
      const res = await get(`?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as Page;
      expect(page.transactions.length).toBeLessThanOrEqual(7);
      seen.push(...page.transactions.map((r) => r.id));
      cursor = page.next;
      pages++;
      if (cursor === null) break;
      // Between two fetches: one transaction newer than everything, one older than everything.
      ahead.push(...(await deposit([BASE + pages * MINUTE])));
      behind.push(...(await deposit([BASE - (100 + pages) * MINUTE])));
    }
    expect(pages).toBeGreaterThan(4);
    expect(new Set(seen).size).toBe(seen.length); // nothing twice
    const expected = newestFirst([...atStart, ...written.filter((w) => behind.includes(w.id))]);
    expect(seen).toEqual(expected); // nothing skipped, in the ledger's order
    expect(seen.some((id) => ahead.includes(id))).toBe(false);

    // A fresh read starts from the newest again and sees everything.
    const all = (await (await get('?limit=500')).json()) as Page;
    expect(all.transactions.map((r) => r.id)).toEqual(newestFirst(written));
    expect(all.next).toBeNull();
  });

  it('pages by 50 unless asked, and refuses a limit outside 1 to 500 or a cursor it did not issue', async () => {
    const first = (await (await get('')).json()) as Page;
    expect(first.transactions).toHaveLength(Math.min(50, written.length));
    for (const bad of ['0', '501', '-1', '1.5', 'abc', '']) {
      const res = await get(`?limit=${bad}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: { code: 'BAD_REQUEST', message: 'limit must be a whole number from 1 to 500' },
      });
    }
    const forged = Buffer.from('v1:abc:1').toString('base64url');
    for (const bad of ['nope!', forged, Buffer.from('v1:1:0').toString('base64url'), 'x'.repeat(100)]) {
      const res = await get(`?cursor=${bad}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST');
    }
  });

  it('answers only the owner', async () => {
    expect((await get('', 'x'.repeat(43))).status).toBe(401);
    const demo = await login(t.app.url, 'demo', 'demo');
    const res = await get('', demo);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('deposit');
  });
});

describe('recording a transaction', () => {
  const post = (body: unknown, type = 'application/json') =>
    fetch(`${t.app.url}/api/v1/portfolios/${portfolio}/transactions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': type },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it.each([
    ['an unknown kind', { kind: 'gift', amount: 5 }],
    ['a misspelt field', { kind: 'deposit', amount: 5, amout: 5 }],
    ['a deposit without an amount', { kind: 'deposit' }],
    ['a deposit naming a symbol', { kind: 'deposit', amount: 5, symbol: 'AAPL' }],
    ['a negative amount', { kind: 'withdrawal', amount: -5 }],
    ['a fraction of a cent', { kind: 'fee', amount: 0.001 }],
    ['a buy without a price', { kind: 'buy', symbol: 'AAPL', quantity: 1 }],
    ['a buy with an amount of its own', { kind: 'buy', symbol: 'AAPL', quantity: 1, price: 10, amount: 99 }],
    ['a buy without a symbol', { kind: 'buy', quantity: 1, price: 10 }],
    ['an unknown symbol', { kind: 'buy', symbol: 'NOPE', quantity: 1, price: 10 }],
    ['too many decimals in a quantity', { kind: 'buy', symbol: 'AAPL', quantity: 1.123456789, price: 10 }],
    ['a sale of what is not held', { kind: 'sell', symbol: 'AAPL', quantity: 1, price: 10 }],
    ['a time in the future', { kind: 'deposit', amount: 5, time: Date.now() + 3_600_000 }],
    ['a time that is not a whole number of ms', { kind: 'deposit', amount: 5, time: 1.5 }],
    ['a body that is not an object', [1, 2]],
  ])('refuses %s with a 400', async (_, body) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST');
  });

  it('refuses a body that is not JSON, and records a valid one as the newest transaction', async () => {
    expect((await post('{kind:', 'application/json')).status).toBe(400);
    expect((await post('kind=deposit', 'text/plain')).status).toBe(415);
    const res = await post({ kind: 'buy', symbol: 'AAPL', quantity: 2, price: 150.25 });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: number };
    const newest = ((await (await get('?limit=1')).json()) as Page).transactions[0]!;
    expect(newest).toMatchObject({ id, kind: 'buy', amount: 300.5 });
  });
});
