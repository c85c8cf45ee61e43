// Alerts with several gateways and across restarts: two apps share one Redis (as scaled-out gateways
// do) and exactly one of them evaluates, so a crossing reaches the trader once on every socket; when
// that one stops, the other takes over; a restarted process neither fires a crossing again nor
// forgets an alert.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, drainNotices, TickDriver, waitForState } from './alert-driver.js';
import { freePort, login, startTestApp, TestSocket, type TestApp } from './harness.js';

let a: TestApp;
let b: TestApp;
let r: TestApp;

// Three embedded databases to migrate: slow on a busy machine.
beforeAll(async () => {
  const port = String(await freePort());
  [a, r] = await Promise.all([
    startTestApp({ ALERT_LEASE_MS: '1000', CONFLATION_MS: '0' }),
    startTestApp({ PORT: port, CONFLATION_MS: '0' }),
  ]);
  b = await startTestApp({ REDIS_KEY_PREFIX: a.config.redisKeyPrefix, ALERT_LEASE_MS: '1000', CONFLATION_MS: '0' });
}, 240_000);
afterAll(async () => {
  await a?.app.close();
  await b?.stop();
  await r?.stop();
});

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((res) => setTimeout(res, 25));
  if (!check()) throw new Error(`timed out waiting until ${what}`);
}

/** The first demo portfolio, a symbol it holds and that symbol's price in cents. */
async function heldSymbol(t: TestApp, token: string) {
  const portfolio = ((await api(t.app.url, token, 'GET', '/portfolios')).body.portfolios as { id: number }[])[0]!.id;
  const socket = await TestSocket.open(t.wsUrl, token);
  socket.send({ op: 'subscribe', portfolios: [portfolio] });
  const snapshot = await socket.next((f) => f.type === 'snapshot');
  const p = (snapshot.positions as { symbol: string; price: number }[])[0]!;
  return { portfolio, socket, symbol: p.symbol, cents: Math.round(p.price * 100) };
}

describe('alerts with two gateways', () => {
  it('fire once, on every socket of the trader, and move to the other gateway when the evaluator stops', async () => {
    const token = await login(a.app.url, 'demo', 'demo');
    const userId = (await api(a.app.url, token, 'GET', '/me')).body.id as number;
    await until(() => a.app.alerts.status.evaluating, 'a evaluates');
    expect(b.app.alerts.status.evaluating).toBe(false);

    const held = await heldSymbol(a, token);
    const level = Math.round(held.cents * 1.05);
    const rule = { kind: 'price', symbol: held.symbol, direction: 'above', level: level / 100 };
    // Each app has its own database here: the same alert is created in both, with the same id, as
    // it would be one row of a shared database.
    const created = await api(a.app.url, token, 'POST', '/alerts', rule);
    expect((await api(b.app.url, token, 'POST', '/alerts', rule)).body.id).toBe(created.body.id);
    const id = created.body.id as number;
    await waitForState(a.app.url, token, id, 'armed');

    const onB = await TestSocket.open(b.wsUrl, token);
    await onB.next((f) => f.type === 'hello');
    const ticks = new TickDriver(a.app.redis.connect('test-producer'), a.app.keys.ticks);
    await ticks.tickAndWait(held.socket, held.portfolio, held.symbol, level + 10);
    await drainNotices(a.app, held.socket, userId);
    await drainNotices(a.app, onB, userId);
    expect(held.socket.frames.filter((f) => f.type === 'alert').map((f) => f.alert)).toEqual([id]);
    expect(onB.frames.filter((f) => f.type === 'alert').map((f) => f.alert)).toEqual([id]);
    expect(((await api(a.app.url, token, 'GET', '/alerts/fired')).body.fired as unknown[]).length).toBe(1);
    expect(((await api(b.app.url, token, 'GET', '/alerts/fired')).body.fired as unknown[]).length).toBe(0);

    // The evaluator stops: it lets go of the lease and the other gateway takes over.
    await a.app.close();
    await until(() => b.app.alerts.status.evaluating, 'b evaluates');
    expect(b.app.alerts.status.watching).toBe(1);
    const bHeld = await heldSymbol(b, token);
    const bTicks = new TickDriver(b.app.redis.connect('test-producer'), b.app.keys.ticks);
    // First seen past its level by b: no firing until the price comes back below the band.
    await waitForState(b.app.url, token, id, 'fired');
    await bTicks.tickAndWait(bHeld.socket, bHeld.portfolio, bHeld.symbol, level - 100);
    await waitForState(b.app.url, token, id, 'armed');
    await bTicks.tickAndWait(bHeld.socket, bHeld.portfolio, bHeld.symbol, level + 20);
    await drainNotices(b.app, onB, userId);
    expect(onB.frames.filter((f) => f.type === 'alert').map((f) => f.value)).toEqual([
      (level + 10) / 100,
      (level + 20) / 100,
    ]);
    for (const s of [held.socket, onB, bHeld.socket]) s.close();
  });
});

describe('alerts across a restart', () => {
  it('neither fire a crossing again nor forget the alert', async () => {
    const token = await login(r.app.url, 'demo', 'demo');
    const userId = (await api(r.app.url, token, 'GET', '/me')).body.id as number;
    let held = await heldSymbol(r, token);
    const level = Math.round(held.cents * 0.95);
    const created = await api(r.app.url, token, 'POST', '/alerts', {
      kind: 'price',
      symbol: held.symbol,
      direction: 'below',
      level: level / 100,
    });
    const id = created.body.id as number;
    await waitForState(r.app.url, token, id, 'armed');
    let ticks = new TickDriver(r.app.redis.connect('test-producer'), r.app.keys.ticks);
    await ticks.tickAndWait(held.socket, held.portfolio, held.symbol, level - 5);
    await drainNotices(r.app, held.socket, userId);
    expect(held.socket.frames.filter((f) => f.type === 'alert')).toHaveLength(1);

    await r.restart();
    await until(() => r.app.alerts.status.evaluating && r.app.alerts.status.watching === 1, 'the alert is back');
    expect((await api(r.app.url, token, 'GET', `/alerts/${id}`)).body).toMatchObject({ enabled: true, state: 'fired' });
    held = await heldSymbol(r, token);
    ticks = new TickDriver(r.app.redis.connect('test-producer'), r.app.keys.ticks);
    // Still below the level after the restart: the same crossing, nothing fires.
    await ticks.tickAndWait(held.socket, held.portfolio, held.symbol, level - 30);
    // Back above by more than the band, then below again: a new crossing.
    await ticks.tickAndWait(held.socket, held.portfolio, held.symbol, level + 100);
    await ticks.tickAndWait(held.socket, held.portfolio, held.symbol, level - 1);
    await drainNotices(r.app, held.socket, userId);
    expect(held.socket.frames.filter((f) => f.type === 'alert').map((f) => f.value)).toEqual([(level - 1) / 100]);
    const fired = (await api(r.app.url, token, 'GET', '/alerts/fired')).body.fired as { value: number }[];
    expect(fired.map((f) => f.value)).toEqual([(level - 1) / 100, (level - 5) / 100]);
    held.socket.close();
  });
});
