// End to end over real parts: ticks XADDed to the real Redis stream reach a real socket as deltas,
// and the value on the wire equals sum(quantity x last price) computed here, independently.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tickFields } from '../src/streams/tick.js';
import { login, startTestApp, TestSocket, type Frame, type TestApp } from './harness.js';

interface Position {
  symbol: string;
  quantity: number;
  costBasis: number;
}

let t: TestApp;
let token: string;

beforeAll(async () => {
  t = await startTestApp();
  token = await login(t.app.url, 'demo', 'demo');
});
afterAll(async () => t?.stop());

async function positionsOf(portfolioId: number): Promise<Position[]> {
  const res = await fetch(`${t.app.url}/api/v1/portfolios/${portfolioId}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { positions: Position[] }).positions;
}

/** Applies snapshot and delta frames the way the protocol says: absolute values replace. */
function applyFrames(frames: Frame[], portfolio: number) {
  let state: { seq: number; value: number; positions: Map<string, { price: number; value: number }> } | undefined;
  for (const f of frames) {
    if (f.portfolio !== portfolio) continue;
    if (f.type === 'snapshot') {
      const positions = f.positions as { symbol: string; price: number; value: number }[];
      state = {
        seq: f.seq as number,
        value: f.value as number,
        positions: new Map(positions.map((p) => [p.symbol, { ...p }])),
      };
    } else if (f.type === 'delta' && state) {
      expect(f.seq).toBe(state.seq + 1);
      state.seq = f.seq as number;
      if (f.value !== undefined) state.value = f.value as number;
      for (const [symbol, change] of Object.entries(
        f.positions as Record<string, { price?: number; value?: number }>,
      )) {
        Object.assign(state.positions.get(symbol)!, change);
      }
    }
  }
  return state!;
}

describe('a live portfolio over the socket', () => {
  it('pushes the value of the positions at the prices just written to the stream', async () => {
    const portfolios = (await (
      await fetch(`${t.app.url}/api/v1/portfolios`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { portfolios: { id: number }[] };
    const id = portfolios.portfolios[0]!.id;
    const positions = await positionsOf(id);
    expect(positions.length).toBeGreaterThanOrEqual(10);

    const socket = await TestSocket.open(t.wsUrl, token);
    socket.send({ op: 'subscribe', portfolios: [id] });
    await socket.next((f) => f.type === 'snapshot' && f.portfolio === id);

    // New prices in whole cents for every position; quantities are whole shares, so the exact
    // value in cents is an integer sum: no floating point involved in the expectation.
    const redis = t.app.redis.connect('test-producer');
    const priceCents = new Map(positions.map((p, i) => [p.symbol, 10_000 + 137 * i + 1]));
    const now = Date.now();
    const pipeline = redis.pipeline();
    for (const p of positions) {
      const cents = priceCents.get(p.symbol)!;
      pipeline.xadd(
        t.app.keys.ticks,
        '*',
        ...tickFields({
          symbol: p.symbol,
          price: `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`,
          size: 100,
          time: now,
        }),
      );
    }
    await pipeline.exec();

    const expectedCents = positions.reduce((sum, p) => sum + p.quantity * priceCents.get(p.symbol)!, 0);
    const last = positions[positions.length - 1]!.symbol;
    await socket.next(
      (f) => f.type === 'delta' && (f.positions as Record<string, { price?: number }>)[last]?.price !== undefined,
    );
    const state = applyFrames(socket.frames, id);
    for (const p of positions)
      expect(state.positions.get(p.symbol)!.price * 100).toBeCloseTo(priceCents.get(p.symbol)!, 6);
    expect(Math.round(state.value * 100)).toBe(expectedCents);
    expect(state.value).toBe(expectedCents / 100);
    const latest = socket.frames.filter((f) => f.type === 'delta').at(-1)!;
    expect(latest.tickTime).toBe(now);
    socket.close();
  });

  it('answers a ping and keeps going after malformed frames', async () => {
    const socket = await TestSocket.open(t.wsUrl, token);
    const cases: [string, string][] = [
      ['not json', 'BAD_FRAME'],
      ['[1,2]', 'BAD_FRAME'],
      ['{"op":"explode"}', 'UNKNOWN_OP'],
      ['{"op":"subscribe","portfolios":["1"]}', 'BAD_ARGUMENT'],
      [JSON.stringify({ op: 'ping', pad: 'x'.repeat(5_000) }), 'FRAME_TOO_LARGE'],
    ];
    for (const [frame, code] of cases) {
      const before = socket.frames.length;
      socket.send(frame);
      const error = await socket.next((f) => f.type === 'error' && socket.frames.indexOf(f) >= before);
      expect(error.code).toBe(code);
    }
    socket.send({ op: 'ping' });
    await socket.next((f) => f.type === 'pong');
    socket.close();
  });

  it("refuses another user's portfolio with an error and no data", async () => {
    // A second user with a portfolio of their own, created straight in the database.
    const { createUser } = await import('../src/store/users.js');
    const { createPortfolio } = await import('../src/store/portfolios.js');
    const { hashPassword } = await import('../src/auth/passwords.js');
    const otherId = await createUser(t.app.db, {
      username: 'other',
      displayName: 'Other',
      passwordHash: await hashPassword('secret-2'),
    });
    const theirs = await createPortfolio(t.app.db, otherId, 'Theirs', [
      { symbol: 'AAPL', quantity: 5, costBasis: 900 },
    ]);

    const socket = await TestSocket.open(t.wsUrl, token);
    socket.send({ op: 'subscribe', portfolios: [theirs] });
    const error = await socket.next((f) => f.type === 'error');
    expect(error).toMatchObject({ code: 'NOT_FOUND', portfolio: theirs });
    const res = await fetch(`${t.app.url}/api/v1/portfolios/${theirs}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(404);
    expect(JSON.stringify(await res.json())).not.toContain('Theirs');
    expect(socket.frames.some((f) => f.type === 'snapshot')).toBe(false);

    // The owner sees it.
    const otherToken = await login(t.app.url, 'other', 'secret-2');
    const owner = await TestSocket.open(t.wsUrl, otherToken);
    owner.send({ op: 'subscribe', portfolios: [theirs] });
    const snapshot = await owner.next((f) => f.type === 'snapshot');
    expect((snapshot.positions as unknown[]).length).toBe(1);
    socket.close();
    owner.close();
  });

  it('refuses an upgrade from a foreign origin, and accepts its own', async () => {
    const WebSocket = (await import('ws')).default;
    const opened = (origin: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(t.wsUrl, { headers: { authorization: `Bearer ${token}`, origin } });
        ws.on('open', () => (ws.close(), resolve(101)));
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
      });
    expect(await opened('https://evil.example')).toBe(403);
    expect(await opened(t.app.url)).toBe(101);
  });

  it('refuses an upgrade with an invalid session, and serves nothing before an auth frame', async () => {
    await expect(TestSocket.open(t.wsUrl, 'x'.repeat(43))).rejects.toThrow('401');

    const anonymous = await TestSocket.open(t.wsUrl);
    expect(await anonymous.next((f) => f.type === 'hello')).toMatchObject({ user: null });
    anonymous.send({ op: 'subscribe', portfolios: [1] });
    expect(await anonymous.next((f) => f.type === 'error')).toMatchObject({ code: 'UNAUTHENTICATED' });
    anonymous.send({ op: 'auth', token });
    await anonymous.next((f) => f.type === 'hello' && f.user !== null);
    anonymous.send({ op: 'subscribe', portfolios: [1] });
    await anonymous.next((f) => f.type === 'snapshot');
    anonymous.close();

    const forger = await TestSocket.open(t.wsUrl);
    forger.send({ op: 'auth', token: 'y'.repeat(43) });
    expect((await forger.closed).code).toBe(4401);
    expect(forger.frames.some((f) => f.type === 'snapshot')).toBe(false);
  });
});
