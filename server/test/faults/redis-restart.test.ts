// Redis restarted mid-stream, for real: a private redis-server with AOF is shut down while ticks
// are being written and started again on the same port and folder. The gateway's reader and the
// persister reconnect and continue from their last ids; a connected client keeps its sequence and
// one that dropped meanwhile resumes with {epoch, seq}; every produced tick is stored exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, startTestApp, TestSocket, type TestApp } from '../harness.js';
import { PrivateRedis, reconcile, sleep, STORED_BY_SOURCE, streamSources, TickProducer } from '../processes.js';
import { follow, sinceLastSnapshot } from '../client-view.js';
import { createTrader, priceRound, shows, valueInCents } from './trader.js';

let redis: PrivateRedis;
let t: TestApp;
let portfolio: number;
let token: string;
let producer: TickProducer;

beforeAll(async () => {
  redis = await PrivateRedis.start();
  t = await startTestApp({ REDIS_URL: redis.url, CONFLATION_MS: '0', LINGER_MS: '60000' });
  portfolio = await createTrader(t.app.db, 'restart', 'restart-pass');
  token = await login(t.app.url, 'restart', 'restart-pass');
  producer = new TickProducer(redis.url, t.app.keys.ticks, 'redis-restart');
});
afterAll(async () => {
  producer?.close();
  await t?.stop();
  await redis?.stop();
});

describe('a Redis restart mid-stream', () => {
  it('loses no tick, stores none twice, and every client ends on the right value', async () => {
    const live = await TestSocket.open(t.wsUrl, token);
    const dropped = await TestSocket.open(t.wsUrl, token);
    for (const s of [live, dropped]) {
      s.send({ op: 'subscribe', portfolios: [portfolio] });
      await s.next((f) => f.type === 'snapshot');
    }
    let round = 0;
    for (; round < 20; round++) await producer.write(priceRound(round));
    await expect.poll(() => shows(follow(dropped.frames, portfolio), producer.lastPrices())).toBe(true);
    const beforeDrop = [...dropped.frames];
    dropped.close();
    await dropped.closed;

    // Writes go on while Redis is down: the producer's client holds them until it is back.
    const writing = (async () => {
      for (let i = 0; i < 40; i++) {
        await producer.write(priceRound(++round));
        await sleep(10);
      }
    })();
    await sleep(50);
    await redis.down();
    await sleep(500);
    await redis.up();
    await writing;
    for (let i = 0; i < 20; i++) await producer.write(priceRound(++round));

    const finalPrices = producer.lastPrices();
    await expect.poll(() => shows(follow(live.frames, portfolio), finalPrices), { timeout: 15_000 }).toBe(true);
    // The connected client never saw a gap (follow() checks seqs), and its value is the market's.
    expect(follow(live.frames, portfolio).valueCents).toBe(valueInCents(finalPrices));
    expect(live.frames.filter((f) => f.type === 'snapshot')).toHaveLength(1);

    // The dropped client comes back with its resume point: the deltas it missed, no snapshot.
    const seen = follow(beforeDrop, portfolio);
    const back = await TestSocket.open(t.wsUrl, token);
    back.send({ op: 'subscribe', portfolios: [{ id: portfolio, epoch: seen.epoch, seq: seen.seq }] });
    await expect.poll(() => back.frames.at(-1)?.seq, { timeout: 10_000 }).toBe(follow(live.frames, portfolio).seq);
    expect(back.frames.some((f) => f.type === 'snapshot')).toBe(false);
    const resumed = follow([...beforeDrop, ...back.frames], portfolio);
    expect(resumed.valueCents).toBe(valueInCents(finalPrices));
    expect(follow(sinceLastSnapshot(live.frames), portfolio).seq).toBe(resumed.seq);

    // The database holds every stream entry exactly once, and so every produced tick. A producer
    // whose XADD reply was lost with the connection sends it again (its client's resend): the
    // stream then holds that tick twice, under two ids, and so does the database.
    const inStream = await streamSources(t.app.redis.connect('check'), t.app.keys.ticks, 'redis-restart-');
    const entries = [...inStream.values()].reduce((a, b) => a + b, 0);
    const stored = () => t.app.db.query<{ source: string; n: number }>(STORED_BY_SOURCE, ['redis-restart-%']);
    const rows = async () => (await stored()).reduce((a, r) => a + Number(r.n), 0);
    await expect.poll(rows, { timeout: 10_000 }).toBe(entries);
    const { missing, unknown } = reconcile(producer.produced, await stored());
    expect({ missing, unknown }).toEqual({ missing: [], unknown: [] });
    for (const { source, n } of await stored()) expect(Number(n), source).toBe(inStream.get(source));
    const [ids] = await t.app.db.query<{ rows: number; ids: number }>(
      `SELECT count(*)::int AS rows, count(DISTINCT stream_id)::int AS ids FROM ticks WHERE source LIKE $1`,
      ['redis-restart-%'],
    );
    expect(ids!.rows).toBe(ids!.ids);
    for (const s of [live, back]) s.close();
  });
});
