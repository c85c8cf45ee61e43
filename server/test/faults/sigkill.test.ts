// The server process killed with SIGKILL while its persister has a batch in hand, then started
// again (under another consumer name, as a recreated container would be) on the same embedded
// database folder: the dead consumer's pending ticks are taken over with XAUTOCLAIM, nothing is
// lost or stored twice, and a client that reconnects ends on the value computed here from the
// portfolio's positions and the last prices written.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/db/pglite-database.js';
import { UNIVERSE } from '../../src/market/universe.js';
import { redisKeys } from '../../src/redis/keys.js';
import { freePort, login, TestSocket } from '../harness.js';
import { reconcile, ServerProcess, STORED_BY_SOURCE, TickProducer } from '../processes.js';
import { follow } from '../client-view.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const dataDir = mkdtempSync(join(tmpdir(), 'tickdash-sigkill-'));
const prefix = `test:${randomUUID()}:`;
const keys = redisKeys(prefix);
const redis = new Redis(REDIS_URL);
const servers: ServerProcess[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.kill('SIGKILL')));
  const left = await redis.keys(`${prefix}*`);
  if (left.length) await redis.del(...left);
  redis.disconnect();
  rmSync(dataDir, { recursive: true, force: true });
});

const pending = async () => ((await redis.xpending(keys.ticks, keys.persistGroup)) as [number])[0];

/** The portfolio's value in cents: each row rounded to cents (half away from zero), then summed. */
function valueInCents(positions: { symbol: string; quantity: number }[], prices: Map<string, string>): number {
  return positions.reduce((sum, p) => {
    const [whole, frac = ''] = prices.get(p.symbol)!.split('.');
    const priceCents = Number(whole) * 100 + Number(frac.padEnd(2, '0').slice(0, 2));
    return sum + p.quantity * priceCents;
  }, 0);
}

describe('a server killed with SIGKILL mid-batch', () => {
  it('restarts, reclaims the pending ticks, stores each once, and its clients resume to the right value', async () => {
    const port = String(await freePort());
    const env = {
      PORT: port,
      DATA_DIR: dataDir,
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      SEED_DEMO: 'true',
      PERSISTER_BATCH: '500',
      PERSISTER_CLAIM_IDLE_MS: '1000',
      CONFLATION_MS: '0',
    };
    const first = await ServerProcess.start({ ...env, PERSISTER_CONSUMER: 'node-a' });
    servers.push(first);
    const token = await login(first.url, 'demo', 'demo');
    const portfolio = (await (
      await fetch(`${first.url}/api/v1/portfolios/1`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { positions: { symbol: string; quantity: number }[] };
    const symbols = portfolio.positions.map((p) => p.symbol);
    const socket = await TestSocket.open(first.wsUrl, token);
    socket.send({ op: 'subscribe', portfolios: [1] });
    await socket.next((f) => f.type === 'snapshot');

    const producer = new TickProducer(REDIS_URL, keys.ticks, 'sigkill');
    const universe = new Map(UNIVERSE.map((i) => [i.symbol, i.referencePrice]));
    const round = (r: number) => symbols.map((s) => ({ symbol: s, price: (universe.get(s)! + r / 100).toFixed(2) }));
    // Enough ticks that the persister is always in the middle of something.
    let r = 0;
    for (; r < 200; r++) await producer.write(round(r));
    await expect.poll(pending, { interval: 5, timeout: 20_000 }).toBeGreaterThan(0);
    expect(await first.kill('SIGKILL')).toBe(null);
    const orphaned = await pending();
    expect(orphaned, 'the kill left delivered, unacknowledged ticks').toBeGreaterThan(0);
    expect((await socket.closed).code).toBe(1006);
    const seen = follow(socket.frames, 1);

    // Ticks keep coming while the server is down; the stream holds them.
    for (let i = 0; i < 50; i++) await producer.write(round(r++));
    const second = await ServerProcess.start({ ...env, PERSISTER_CONSUMER: 'node-b' });
    servers.push(second);
    for (let i = 0; i < 50; i++) await producer.write(round(r++));

    // The session survived in Redis; the client resumes with its point and gets a snapshot (new epoch).
    const again = await TestSocket.open(second.wsUrl, token);
    again.send({ op: 'subscribe', portfolios: [{ id: 1, epoch: seen.epoch, seq: seen.seq }] });
    const final = producer.lastPrices();
    const shows = () => {
      const s = follow(again.frames, 1);
      return symbols.every((sym) => s.prices.get(sym) === Number(final.get(sym)));
    };
    await expect.poll(shows, { timeout: 15_000 }).toBe(true);
    expect(again.frames.find((f) => f.type === 'snapshot' || f.type === 'delta')?.type).toBe('snapshot');
    expect(follow(again.frames, 1).valueCents).toBe(valueInCents(portfolio.positions, final));

    await expect.poll(pending, { timeout: 20_000 }).toBe(0);
    expect(second.output).toContain('took over pending ticks from a persister presumed dead');
    again.close();
    expect(await second.kill('SIGTERM')).toBe(0);
    producer.close();

    // Both processes are gone: open their database here and count, tick by tick.
    const db = await openPglite(join(dataDir, 'pgdata'));
    try {
      const stored = await db.query<{ source: string; n: number }>(STORED_BY_SOURCE, ['sigkill-%']);
      expect(reconcile(producer.produced, stored)).toEqual({ missing: [], duplicated: [], unknown: [] });
      expect(stored).toHaveLength(producer.produced.length);
    } finally {
      await db.close();
    }
  }, 120_000);
});
