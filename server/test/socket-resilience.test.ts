// The protocol under stress, over real sockets: a reader that stops reading neither delays a fast
// one nor grows the server past its cap, and catches up with one snapshot; a client that
// reconnects with {epoch, seq} gets exactly what it missed; a flood gets errors, then the door.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/auth/passwords.js';
import { MAX_BUFFERED_BYTES } from '../src/gateway/socket-server.js';
import { UNIVERSE } from '../src/market/universe.js';
import { createPortfolio } from '../src/store/portfolios.js';
import { createUser } from '../src/store/users.js';
import { tickFields } from '../src/streams/tick.js';
import { follow, sinceLastSnapshot } from './client-view.js';
import { login, startTestApp, TestSocket, type TestApp } from './harness.js';

let t: TestApp;
let token: string;
let redis: Redis;
let whalePortfolio: number;
const held = UNIVERSE.slice(0, 500);

beforeAll(async () => {
  // No conflation delay: every stream batch becomes a delta, so the slow reader falls behind fast.
  t = await startTestApp({ CONFLATION_MS: '0', LINGER_MS: '60000' });
  const userId = await createUser(t.app.db, {
    username: 'whale',
    displayName: 'Whale',
    passwordHash: await hashPassword('whale-pass'),
  });
  whalePortfolio = await createPortfolio(
    t.app.db,
    userId,
    'Everything',
    held.map((i) => ({ symbol: i.symbol, quantity: 10, costBasis: 1000 })),
  );
  token = await login(t.app.url, 'whale', 'whale-pass');
  redis = t.app.redis.connect('resilience-producer');
});
afterAll(async () => t?.stop());

/** Moves every held symbol to a new price level; each round is a new price for all of them. */
async function tickRound(round: number): Promise<void> {
  const pipeline = redis.pipeline();
  const now = Date.now();
  for (const i of held) {
    const price = (i.referencePrice + round / 100).toFixed(2);
    pipeline.xadd(t.app.keys.ticks, '*', ...tickFields({ symbol: i.symbol, price, size: 1, time: now }));
  }
  await pipeline.exec();
}

const lastSeq = (s: TestSocket) =>
  Math.max(0, ...s.frames.filter((f) => f.type !== 'error').map((f) => (f.seq as number) ?? 0));

describe('a slow reader', () => {
  it('is taken off the feed without delaying a fast reader, then catches up with one snapshot', async () => {
    const fast = await TestSocket.open(t.wsUrl, token);
    const slow = await TestSocket.open(t.wsUrl, token);
    for (const s of [fast, slow]) {
      s.send({ op: 'subscribe', portfolios: [whalePortfolio] });
      await s.next((f) => f.type === 'snapshot');
    }
    // Stop reading from the slow socket: the kernel buffers fill, then the server's.
    const raw = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    raw.pause();

    let round = 0;
    while (t.app.stats().slowReaders.fellBehind === 0) {
      expect(round, 'the slow reader should fall behind within 400 rounds').toBeLessThan(400);
      await tickRound(++round);
      // The fast reader keeps up with every round before the next is written.
      await fast.next(
        (f) =>
          f.type === 'delta' &&
          (f.positions as Record<string, { price?: number }>)[held[0]!.symbol]?.price ===
            Number((held[0]!.referencePrice + round / 100).toFixed(2)),
      );
    }
    for (let extra = 0; extra < 20; extra++) await tickRound(++round);
    const fastState = follow(fast.frames, whalePortfolio); // asserts fast saw every seq in order
    await fast.next((f) => f.type === 'delta' && (f.seq as number) >= fastState.seq);

    const stats = t.app.stats().slowReaders;
    expect(stats.maxBufferedSeen).toBeLessThanOrEqual(MAX_BUFFERED_BYTES);

    raw.resume();
    await tickRound(++round);
    const finalPrice = Number((held[0]!.referencePrice + round / 100).toFixed(2));
    const caughtUp = (s: TestSocket) => follow(sinceLastSnapshot(s.frames), whalePortfolio);
    await expect.poll(() => caughtUp(slow).prices.get(held[0]!.symbol), { timeout: 20_000 }).toBe(finalPrice);
    await expect.poll(() => follow(fast.frames, whalePortfolio).prices.get(held[0]!.symbol)).toBe(finalPrice);
    expect(t.app.stats().slowReaders.caughtUp).toBeGreaterThanOrEqual(1);
    const a = caughtUp(slow);
    const b = follow(fast.frames, whalePortfolio);
    expect(a.seq).toBe(b.seq);
    expect(a.valueCents).toBe(b.valueCents);
    expect(a.prices).toEqual(b.prices);
    fast.close();
    slow.close();
  });
});

describe('resume', () => {
  it('replays exactly the deltas a reconnecting client missed, or sends a snapshot for another epoch', async () => {
    const ticksBefore = t.app.stats().ticks; // the previous test waited for all its ticks to arrive
    const first = await TestSocket.open(t.wsUrl, token);
    first.send({ op: 'subscribe', portfolios: [whalePortfolio] });
    await first.next((f) => f.type === 'snapshot');
    await tickRound(1000);
    await first.next((f) => f.type === 'delta');
    const firstFrames = [...first.frames]; // what this client had when it dropped
    const seen = follow(firstFrames, whalePortfolio);
    first.close();
    await first.closed;

    for (let r = 1001; r <= 1003; r++) await tickRound(r);
    // Every tick written has been read and flushed into deltas before the client comes back.
    await expect.poll(() => t.app.stats().ticks).toBe(ticksBefore + 4 * held.length);

    const again = await TestSocket.open(t.wsUrl, token);
    again.send({ op: 'subscribe', portfolios: [{ id: whalePortfolio, epoch: seen.epoch, seq: seen.seq }] });
    const firstReplayed = await again.next((f) => f.type === 'delta' || f.type === 'snapshot');
    expect(firstReplayed.type).toBe('delta');
    expect(firstReplayed.seq).toBe(seen.seq + 1);
    // Apply the replay onto what the first connection had: it must equal a fresh snapshot.
    const fresh = await TestSocket.open(t.wsUrl, token);
    fresh.send({ op: 'subscribe', portfolios: [whalePortfolio] });
    const snapshot = await fresh.next((f) => f.type === 'snapshot');
    await expect.poll(() => lastSeq(again)).toBe(snapshot.seq as number);
    expect(again.frames.some((f) => f.type === 'snapshot')).toBe(false);
    const resumed = follow([...firstFrames, ...again.frames], whalePortfolio);
    const truth = follow([snapshot], whalePortfolio);
    expect(resumed.seq).toBe(truth.seq);
    expect(resumed.valueCents).toBe(truth.valueCents);
    expect(resumed.prices).toEqual(truth.prices);

    const stranger = await TestSocket.open(t.wsUrl, token);
    stranger.send({ op: 'subscribe', portfolios: [{ id: whalePortfolio, epoch: 'not-this-one', seq: 3 }] });
    expect((await stranger.next((f) => f.type === 'snapshot' || f.type === 'delta')).type).toBe('snapshot');
    for (const s of [again, fresh, stranger]) s.close();
  });
});

describe('a flood', () => {
  it('is answered with RATE_LIMITED, then closed with 1008, while others are served', async () => {
    const bystander = await TestSocket.open(t.wsUrl, token);
    const flooder = await TestSocket.open(t.wsUrl, token);
    for (let i = 0; i < 400; i++) flooder.send({ op: 'ping' });
    expect((await flooder.closed).code).toBe(1008);
    expect(flooder.frames.some((f) => f.type === 'error' && f.code === 'RATE_LIMITED')).toBe(true);
    expect(flooder.frames.filter((f) => f.type === 'pong').length).toBeLessThanOrEqual(45);
    bystander.send({ op: 'ping' });
    await bystander.next((f) => f.type === 'pong');
    bystander.close();
  });
});
