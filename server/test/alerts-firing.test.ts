// Every alert kind over the real path: ticks XADDed to the real Redis stream, the real feed and
// evaluator, the firing stored in the embedded database and delivered as an `alert` notice on a
// real socket. The prices swing across each alert's level, with noise inside the hysteresis band
// in between; what must fire is computed here from quantities and prices, independently.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, startTestApp, TestSocket, type Frame, type TestApp } from './harness.js';
import { api, drainNotices, expectedFires, TickDriver, waitForState, zoneOf } from './alert-driver.js';

const BP = 10;
let t: TestApp;
let token: string;

beforeAll(async () => {
  t = await startTestApp({ ALERT_HYSTERESIS_BP: String(BP), CONFLATION_MS: '0' });
  token = await login(t.app.url, 'demo', 'demo');
}, 180_000);
afterAll(async () => t?.stop());

interface Position {
  symbol: string;
  quantity: number;
  price: number;
  previousClose: number;
}

const cents = (x: number) => Math.round(x * 100);

describe('alerts on the tick path', () => {
  it('fire once per crossing for every kind, never on noise inside the band', async () => {
    const userId = (await api(t.app.url, token, 'GET', '/me')).body.id as number;
    const portfolios = (await api(t.app.url, token, 'GET', '/portfolios')).body.portfolios as { id: number }[];
    const portfolio = portfolios[0]!.id;
    const socket = await TestSocket.open(t.wsUrl, token);
    socket.send({ op: 'subscribe', portfolios: [portfolio] });
    let snapshot = await socket.next((f) => f.type === 'snapshot' && f.portfolio === portfolio);
    const positions = (snapshot.positions as Position[]).filter((p) => Number.isInteger(p.quantity));
    const moved = positions[0]!;
    const other = positions[1]!;

    // Targets: the moved symbol gets one, a second position the rest (they sum to 100).
    const drivers = new TickDriver(t.app.redis.connect('test-producer'), t.app.keys.ticks);
    // Settle every price on whole cents first, so the values below are exact integer sums; the
    // moved symbol 2 % up on the day, so its day move has a level to cross.
    const price = new Map(positions.map((p) => [p.symbol, cents(p.price) + 1]));
    const base = Math.round(cents(moved.previousClose) * 1.02);
    price.set(moved.symbol, base);
    for (const p of positions) await drivers.tickAndWait(socket, portfolio, p.symbol, price.get(p.symbol)!);
    const close = new Map(positions.map((p) => [p.symbol, cents(p.previousClose)]));
    const valueAt = (m: number) => {
      const at = new Map(price).set(moved.symbol, Math.round(base * m));
      return positions.reduce((sum, p) => sum + p.quantity * at.get(p.symbol)!, 0);
    };
    const closeValue = positions.reduce((sum, p) => sum + p.quantity * (close.get(p.symbol) ?? 0), 0);
    const weightAt = (m: number) => Math.round((moved.quantity * Math.round(base * m) * 10_000) / valueAt(m));
    // A target 1 point under the weight at m = 1: the drift there is +1.00 point.
    const target = (weightAt(1) - 100) / 100;
    const put = await api(t.app.url, token, 'PUT', '/allocations', {
      portfolio,
      targets: [
        { symbol: moved.symbol, weight: target },
        { symbol: other.symbol, weight: Math.round((100 - target) * 100) / 100 },
      ],
    });
    expect(put.status).toBe(200);
    snapshot = await socket.next((f) => f.type === 'snapshot' && f !== snapshot && f.portfolio === portfolio);

    // The path, as multiples of the base price: first sight below every level, then swings across
    // them (at m = 1) with noise just below the level, inside the band.
    const path = [0.94, 0.9996, 1.06, 0.9995, 1.05, 0.9997, 1.07, 0.93, 0.9994, 1.06, 0.9996, 0.94, 1.08];
    await drivers.tickAndWait(socket, portfolio, moved.symbol, Math.round(base * path[0]!));

    const previousClose = close.get(moved.symbol)!;
    const moveAt = (m: number) => ((Math.round(base * m) - previousClose) / previousClose) * 10_000;
    const movePercent = Math.round(moveAt(1)) / 100;
    const rules = [
      { kind: 'price', symbol: moved.symbol, direction: 'above', level: base / 100 },
      {
        kind: 'day-move',
        symbol: moved.symbol,
        direction: movePercent >= 0 ? 'up' : 'down',
        percent: Math.abs(movePercent),
      },
      { kind: 'portfolio-value', portfolio, direction: 'above', level: valueAt(1) / 100 },
      { kind: 'day-pnl', portfolio, direction: 'above', level: (valueAt(1) - closeValue) / 100 },
      { kind: 'drift', portfolio, symbol: moved.symbol, points: 1 },
    ];
    const ids: number[] = [];
    for (const rule of rules) {
      const created = await api(t.app.url, token, 'POST', '/alerts', rule);
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      ids.push(created.body.id as number);
    }
    for (const id of ids) await waitForState(t.app.url, token, id, 'armed');

    for (const m of path.slice(1)) await drivers.tickAndWait(socket, portfolio, moved.symbol, Math.round(base * m));
    await drainNotices(t.app, socket, userId);

    // Independently: each watched number along the path, its zones, its expected firings.
    const up = movePercent >= 0;
    const expected: { id: number; fires: number[]; values: number[] }[] = [
      {
        id: ids[0]!,
        fires: expectedFires(path.map((m) => zoneOf(Math.round(base * m), 'above', base, (base * BP) / 10_000))),
        values: path.map((m) => Math.round(base * m) / 100),
      },
      {
        id: ids[1]!,
        fires: expectedFires(
          path.map((m) =>
            up ? zoneOf(moveAt(m), 'above', movePercent * 100, BP) : zoneOf(moveAt(m), 'below', movePercent * 100, BP),
          ),
        ),
        values: path.map((m) => Math.round(moveAt(m)) / 100),
      },
      {
        id: ids[2]!,
        fires: expectedFires(path.map((m) => zoneOf(valueAt(m), 'above', valueAt(1), (valueAt(1) * BP) / 10_000))),
        values: path.map((m) => valueAt(m) / 100),
      },
      {
        id: ids[3]!,
        fires: expectedFires(
          path.map((m) =>
            zoneOf(valueAt(m) - closeValue, 'above', valueAt(1) - closeValue, (closeValue * BP) / 10_000),
          ),
        ),
        values: path.map((m) => (valueAt(m) - closeValue) / 100),
      },
      {
        id: ids[4]!,
        fires: expectedFires(path.map((m) => zoneOf(Math.abs(weightAt(m) - target * 100), 'above', 100, BP))),
        values: path.map((m) => (weightAt(m) - target * 100) / 100),
      },
    ];
    const notices = socket.frames.filter((f): f is Frame => f.type === 'alert');
    const fired = (await api(t.app.url, token, 'GET', '/alerts/fired?limit=500')).body.fired as {
      alertId: number;
      value: number;
    }[];
    for (const e of expected) {
      // Every kind crosses at least twice on this path, and the noise adds nothing.
      expect(e.fires.length, `alert ${e.id}`).toBeGreaterThanOrEqual(2);
      const want = e.fires.map((i) => e.values[i]);
      expect(
        notices.filter((n) => n.alert === e.id).map((n) => n.value),
        `alert ${e.id}`,
      ).toEqual(want);
      expect(
        fired
          .filter((f) => f.alertId === e.id)
          .map((f) => f.value)
          .reverse(),
        `alert ${e.id}`,
      ).toEqual(want);
    }
    socket.close();
  });
});
