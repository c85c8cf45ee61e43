// Scale-out: two gateways read the same tick stream and share sessions through one Redis. Each
// delivers every delta of the portfolios its sockets follow, and a client moved from one to the
// other (a load balancer's choice after a reconnect) resumes to the same, correct state.
// Each gateway here has its own embedded database seeded with the same demo ledger: the gateway
// reads holdings from the database once per portfolio and everything live comes through Redis,
// which is the part this test is about (the machine has no shared TimescaleDB server).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tickFields } from '../src/streams/tick.js';
import { login, startTestApp, TestSocket, type Frame, type TestApp } from './harness.js';

interface Position {
  symbol: string;
  quantity: number;
}
interface State {
  epoch: string;
  seq: number;
  value: number;
}

let a: TestApp;
let b: TestApp;
let token: string;

beforeAll(async () => {
  a = await startTestApp();
  // As in production, only one process persists; both serve sockets.
  b = await startTestApp({ REDIS_KEY_PREFIX: a.config.redisKeyPrefix, PERSISTER: 'false' });
  token = await login(a.app.url, 'demo', 'demo');
});
afterAll(async () => {
  await b?.app.close();
  await a?.stop();
});

async function get<T>(t: TestApp, path: string): Promise<T> {
  const res = await fetch(`${t.app.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

/** Snapshot then consecutive deltas: absolute values replace (docs/protocol.md). */
function follow(frames: Frame[], portfolio: number): State | undefined {
  let state: State | undefined;
  for (const f of frames) {
    if (f.portfolio !== portfolio) continue;
    if (f.type === 'snapshot') state = { epoch: f.epoch as string, seq: f.seq as number, value: f.value as number };
    else if (f.type === 'delta' && state) {
      expect(f.epoch).toBe(state.epoch);
      expect(f.seq).toBe(state.seq + 1);
      state.seq = f.seq as number;
      if (f.value !== undefined) state.value = f.value as number;
    }
  }
  return state;
}

/** One tick per position at whole-cent prices; returns the portfolio's value in cents at them. */
async function priceRound(positions: Position[], base: number): Promise<number> {
  const redis = a.app.redis.connect('test-producer');
  const pipeline = redis.pipeline();
  let cents = 0;
  positions.forEach((p, i) => {
    const price = base + 37 * i;
    cents += p.quantity * price;
    const text = `${Math.floor(price / 100)}.${String(price % 100).padStart(2, '0')}`;
    pipeline.xadd(a.app.keys.ticks, '*', ...tickFields({ symbol: p.symbol, price: text, size: 1, time: Date.now() }));
  });
  await pipeline.exec();
  return cents;
}

describe('two gateways on one Redis', () => {
  it('both deliver every delta, and a client moved between them resumes to the right value', async () => {
    const { portfolios } = await get<{ portfolios: { id: number }[] }>(a, '/api/v1/portfolios');
    const id = portfolios[0]!.id;
    const { positions } = await get<{ positions: Position[] }>(a, `/api/v1/portfolios/${id}`);
    // The precondition of this setup: both databases hold the same ledger.
    expect((await get<{ positions: Position[] }>(b, `/api/v1/portfolios/${id}`)).positions).toEqual(positions);

    // The session was created through gateway A; gateway B accepts it (sessions live in Redis).
    const onA = await TestSocket.open(a.wsUrl, token);
    const onB = await TestSocket.open(b.wsUrl, token);
    for (const s of [onA, onB]) {
      s.send({ op: 'subscribe', portfolios: [id] });
      await s.next((f) => f.type === 'snapshot' && f.portfolio === id);
    }

    const last = positions.at(-1)!.symbol;
    const hasLast = (f: Frame) =>
      f.type === 'delta' && (f.positions as Record<string, { price?: number }>)[last]?.price !== undefined;
    const firstCents = await priceRound(positions, 12_345);
    for (const s of [onA, onB]) {
      await s.next(hasLast);
      expect(Math.round(follow(s.frames, id)!.value * 100)).toBe(firstCents);
    }

    // The client on A loses its connection and comes back through B with A's resume point.
    const before = follow(onA.frames, id)!;
    onA.close();
    const moved = await TestSocket.open(b.wsUrl, token);
    moved.send({ op: 'subscribe', portfolios: [{ id, epoch: before.epoch, seq: before.seq }] });
    // B never saw A's epoch, so it cannot replay: it sends a snapshot, whose value is the same.
    const snapshot = await moved.next((f) => f.portfolio === id && (f.type === 'snapshot' || f.type === 'delta'));
    expect(snapshot.type).toBe('snapshot');
    expect(snapshot.epoch).not.toBe(before.epoch);
    expect(Math.round((snapshot.value as number) * 100)).toBe(firstCents);

    // And from there it follows B's sequence like any other client of B.
    const secondCents = await priceRound(positions, 23_456);
    for (const s of [moved, onB]) {
      await s.next((f) => hasLast(f) && (f.positions as Record<string, { price: number }>)[last]!.price > 200);
      expect(Math.round(follow(s.frames, id)!.value * 100)).toBe(secondCents);
    }
    for (const s of [moved, onB]) s.close();
  });
});
