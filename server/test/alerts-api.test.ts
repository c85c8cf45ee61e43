// /api/v1/alerts over real HTTP: validation with stable codes, and a trader who sees and touches only
// their own alerts on their own portfolios (someone else's answers 404, exactly like a missing one).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/auth/passwords.js';
import { createPortfolio } from '../src/store/portfolios.js';
import { createUser } from '../src/store/users.js';
import { api } from './alert-driver.js';
import { login, startTestApp, type TestApp } from './harness.js';

let t: TestApp;
let demo: string;
let other: string;
let demoPortfolio: number;
let otherPortfolio: number;
let heldSymbol: string;

beforeAll(async () => {
  t = await startTestApp();
  const otherId = await createUser(t.app.db, {
    username: 'other',
    displayName: 'Other',
    passwordHash: await hashPassword('other-pw'),
  });
  otherPortfolio = await createPortfolio(t.app.db, otherId, 'Theirs', [
    { symbol: 'MSFT', quantity: 5, costBasis: 1_000 },
  ]);
  demo = await login(t.app.url, 'demo', 'demo');
  other = await login(t.app.url, 'other', 'other-pw');
  const mine = (await api(t.app.url, demo, 'GET', '/portfolios')).body.portfolios as { id: number }[];
  demoPortfolio = mine[0]!.id;
  const detail = await api(t.app.url, demo, 'GET', `/portfolios/${demoPortfolio}`);
  heldSymbol = (detail.body.positions as { symbol: string }[])[0]!.symbol;
}, 180_000);
afterAll(async () => t?.stop());

describe('alerts API', () => {
  it('creates each kind, lists, changes, disables and deletes them', async () => {
    const rules = [
      { kind: 'price', symbol: 'AAPL', direction: 'above', level: 250.5 },
      { kind: 'day-move', symbol: 'AAPL', direction: 'either', percent: 3 },
      { kind: 'portfolio-value', portfolio: demoPortfolio, direction: 'below', level: 90_000 },
      { kind: 'day-pnl', portfolio: demoPortfolio, direction: 'below', level: -1_500.25 },
      { kind: 'drift', portfolio: demoPortfolio, symbol: heldSymbol, points: 2.5 },
    ];
    const ids: number[] = [];
    for (const rule of rules) {
      const res = await api(t.app.url, demo, 'POST', '/alerts', { ...rule, note: 'watch' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ ...rule, note: 'watch', enabled: true });
      expect(['pending', 'armed', 'fired']).toContain(res.body.state);
      ids.push(res.body.id as number);
    }
    const list = await api(t.app.url, demo, 'GET', '/alerts');
    expect((list.body.alerts as { id: number }[]).map((a) => a.id)).toEqual(ids);

    const off = await api(t.app.url, demo, 'PATCH', `/alerts/${ids[0]}`, { enabled: false });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ id: ids[0], enabled: false, level: 250.5 });
    const replaced = await api(t.app.url, demo, 'PUT', `/alerts/${ids[0]}`, {
      kind: 'price',
      symbol: 'MSFT',
      direction: 'below',
      level: 100,
    });
    expect(replaced.body).toMatchObject({
      id: ids[0],
      symbol: 'MSFT',
      direction: 'below',
      level: 100,
      enabled: true,
      state: 'pending',
    });

    expect((await api(t.app.url, demo, 'DELETE', `/alerts/${ids[1]}`)).status).toBe(204);
    expect((await api(t.app.url, demo, 'GET', `/alerts/${ids[1]}`)).status).toBe(404);
    expect((await api(t.app.url, demo, 'DELETE', `/alerts/${ids[1]}`)).status).toBe(404);
  });

  it('refuses bad alerts with VALIDATION and the fields at fault', async () => {
    const cases: [unknown, string][] = [
      [{ kind: 'price', symbol: 'AAPL', direction: 'sideways', level: 10 }, 'direction'],
      [{ kind: 'price', symbol: 'AAPL', direction: 'above', level: -1 }, 'level'],
      [{ kind: 'price', symbol: 'AAPL', direction: 'above', level: 1.0000001 }, 'level'],
      [{ kind: 'price', symbol: 'NOPE', direction: 'above', level: 10 }, 'symbol'],
      [{ kind: 'day-move', symbol: 'AAPL', direction: 'up', percent: 0 }, 'percent'],
      [{ kind: 'drift', portfolio: demoPortfolio, symbol: 'ZZZZ', points: 1 }, 'symbol'],
      [{ kind: 'portfolio-value', portfolio: 'one', direction: 'above', level: 5 }, 'portfolio'],
      [{ kind: 'moon-phase' }, 'kind'],
      [{ kind: 'price', symbol: 'AAPL', direction: 'above', level: 10, note: 'x'.repeat(201) }, 'note'],
    ];
    for (const [body, path] of cases) {
      const res = await api(t.app.url, demo, 'POST', '/alerts', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error!.code).toBe('VALIDATION');
      expect((res.body.error!.issues as { path: string }[]).map((i) => i.path)).toContain(path);
    }
    const patch = await api(t.app.url, demo, 'PATCH', '/alerts/1', { enabled: 'yes' });
    expect(patch.status).toBe(400);
    expect(patch.body.error!.code).toBe('VALIDATION');
    const fired = await api(t.app.url, demo, 'GET', '/alerts/fired?limit=0');
    expect(fired.status).toBe(400);
    expect(fired.body.error!.code).toBe('BAD_REQUEST');
  });

  it("never shows or touches another trader's alerts or portfolios", async () => {
    const theirs = await api(t.app.url, other, 'POST', '/alerts', {
      kind: 'portfolio-value',
      portfolio: otherPortfolio,
      direction: 'above',
      level: 10_000,
    });
    expect(theirs.status).toBe(201);
    const id = theirs.body.id as number;

    const onTheirPortfolio = await api(t.app.url, demo, 'POST', '/alerts', {
      kind: 'portfolio-value',
      portfolio: otherPortfolio,
      direction: 'above',
      level: 1,
    });
    expect(onTheirPortfolio.status).toBe(404);
    expect(onTheirPortfolio.body.error!.code).toBe('NOT_FOUND');
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { enabled: false }],
      ['PUT', { kind: 'price', symbol: 'AAPL', direction: 'above', level: 1 }],
      ['DELETE', undefined],
    ] as const) {
      const res = await api(t.app.url, demo, method, `/alerts/${id}`, body);
      expect(res.status, method).toBe(404);
      expect(JSON.stringify(res.body)).not.toContain('10000');
    }
    const demoList = (await api(t.app.url, demo, 'GET', '/alerts')).body.alerts as { id: number }[];
    expect(demoList.map((a) => a.id)).not.toContain(id);
    // Still there and unchanged for its owner.
    expect((await api(t.app.url, other, 'GET', `/alerts/${id}`)).body).toMatchObject({ enabled: true, level: 10_000 });
    expect((await api(t.app.url, undefined, 'GET', '/alerts')).status).toBe(401);
    expect((await api(t.app.url, undefined, 'GET', '/alerts/fired')).status).toBe(401);
  });

  it('pages the fired history newest first', async () => {
    const res = await api(t.app.url, demo, 'GET', '/alerts');
    const alertId = (res.body.alerts as { id: number }[])[0]!.id;
    // Firings written straight to the table: this test is about the listing, not the evaluator.
    for (let i = 1; i <= 5; i++) {
      await t.app.db.query(
        `INSERT INTO alert_firings (alert_id, user_id, fired_at, value, description) VALUES ($1, 1, $2, $3, 'test')`,
        [alertId, new Date(1_700_000_000_000 + i), i],
      );
    }
    const first = await api(t.app.url, demo, 'GET', '/alerts/fired?limit=2');
    expect((first.body.fired as { value: number }[]).map((f) => f.value)).toEqual([5, 4]);
    const second = await api(t.app.url, demo, 'GET', `/alerts/fired?limit=2&before=${first.body.next}`);
    expect((second.body.fired as { value: number }[]).map((f) => f.value)).toEqual([3, 2]);
    const last = await api(t.app.url, demo, 'GET', `/alerts/fired?limit=2&before=${second.body.next}`);
    expect(last.body).toMatchObject({ next: null });
    expect((last.body.fired as { value: number; firedAt: number }[])[0]).toMatchObject({
      value: 1,
      firedAt: 1_700_000_000_001,
    });
    expect((await api(t.app.url, other, 'GET', '/alerts/fired')).body.fired).toEqual([]);
  });
});
