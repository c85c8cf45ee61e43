// The database taken away for real and brought back: the app runs in server mode against the
// embedded engine served over the wire protocol by a process of its own (pglite-socket), which is
// killed with SIGKILL while ticks flow and started again on the same data. Meanwhile the open
// dashboard keeps streaming live prices, /readyz says the database is why it is not ready, and
// the persister acknowledges nothing; once the database is back it catches up, every tick once.
// pglite-socket serves one connection at a time (DB_POOL_MAX=1) and has no COPY FROM STDIN, so
// the persister inserts with unnest (PERSISTER_INSERT), its other path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, startTestApp, TestSocket, type TestApp } from '../harness.js';
import { PgliteServer, reconcile, sleep, STORED_BY_SOURCE, TickProducer } from '../processes.js';
import { follow } from '../client-view.js';
import { createTrader, priceRound, shows, valueInCents } from './trader.js';

let database: PgliteServer;
let t: TestApp;
let portfolio: number;
let token: string;
let producer: TickProducer;

beforeAll(async () => {
  database = await PgliteServer.start();
  t = await startTestApp({
    DATABASE_URL: database.url,
    DB_POOL_MAX: '1',
    DB_CONNECT_TIMEOUT_MS: '1000',
    PERSISTER_INSERT: 'unnest',
    CONFLATION_MS: '0',
  });
  portfolio = await createTrader(t.app.db, 'outage', 'outage-pass');
  token = await login(t.app.url, 'outage', 'outage-pass');
  producer = new TickProducer(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', t.app.keys.ticks, 'db-outage');
}, 120_000);
afterAll(async () => {
  producer?.close();
  await t?.stop();
  await database?.stop();
});

const stored = () => t.app.db.query<{ source: string; n: number }>(STORED_BY_SOURCE, ['db-outage-%']);
const pending = async () =>
  ((await t.app.redis.connect('check').xpending(t.app.keys.ticks, t.app.keys.persistGroup)) as [number])[0];
/** Entries of the stream the group has not acknowledged: pending plus not yet delivered. */
async function unacknowledged(): Promise<number> {
  const groups = (await t.app.redis.connect('check').xinfo('GROUPS', t.app.keys.ticks)) as unknown[][];
  const group = groups.find((g) => g[g.indexOf('name') + 1] === t.app.keys.persistGroup)!;
  const field = (name: string) => Number(group[group.indexOf(name) + 1]);
  return field('pending') + field('lag');
}
async function readiness(): Promise<{ status: number; checks: Record<string, string> }> {
  const res = await fetch(`${t.app.url}/readyz`);
  return { status: res.status, checks: ((await res.json()) as { checks: Record<string, string> }).checks };
}

describe('the database unavailable, then back', () => {
  it('keeps prices live, says why it is not ready, acknowledges nothing, then stores every tick once', async () => {
    const socket = await TestSocket.open(t.wsUrl, token);
    socket.send({ op: 'subscribe', portfolios: [portfolio] });
    await socket.next((f) => f.type === 'snapshot');
    let round = 0;
    for (; round < 10; round++) await producer.write(priceRound(round));
    await expect.poll(async () => (await stored()).length, { timeout: 20_000 }).toBe(producer.produced.length);
    expect((await readiness()).status).toBe(200);

    // A connection checked out for a transaction when the server dies: the transaction fails, the
    // process does not (an unhandled 'error' on the client used to end it).
    let killed!: () => void;
    const afterKill = new Promise<void>((resolve) => (killed = resolve));
    let inside!: () => void;
    const started = new Promise<void>((resolve) => (inside = resolve));
    const transaction = t.app.db.transaction(async (tx) => {
      await tx.query('SELECT 1');
      inside();
      await afterKill;
      await tx.query('SELECT 1');
    });
    await started;
    await database.kill();
    await sleep(200);
    killed();
    await expect(transaction).rejects.toThrow();
    const down = await readiness();
    expect(down.status).toBe(503);
    expect(down.checks.redis).toBe('ok');
    expect(down.checks.database).not.toBe('ok');
    expect(down.checks.database).toMatch(/ECONNREFUSED|terminated|timed out|connect/i);

    // Ticks keep coming: the open portfolio keeps moving on the dashboard.
    for (let i = 0; i < 20; i++) await producer.write(priceRound(++round));
    const duringOutage = producer.lastPrices();
    await expect.poll(() => shows(follow(socket.frames, portfolio), duringOutage), { timeout: 15_000 }).toBe(true);
    expect(follow(socket.frames, portfolio).valueCents).toBe(valueInCents(duringOutage));
    // The persister holds the batch it read (pending) and reads no further: none of the outage's
    // ticks is acknowledged, each is either pending or not yet delivered (the group's lag).
    await expect.poll(pending, { timeout: 10_000 }).toBeGreaterThan(0);
    await sleep(500);
    expect(await unacknowledged()).toBe(20 * priceRound(0).length);

    await database.up();
    for (let i = 0; i < 5; i++) await producer.write(priceRound(++round));
    await expect.poll(async () => (await readiness()).status, { timeout: 20_000 }).toBe(200);
    await expect
      .poll(async () => (await stored()).reduce((n, r) => n + Number(r.n), 0), { timeout: 30_000 })
      .toBe(producer.produced.length);
    await expect.poll(pending, { timeout: 10_000 }).toBe(0);
    expect(reconcile(producer.produced, await stored())).toEqual({ missing: [], duplicated: [], unknown: [] });
    await expect.poll(() => shows(follow(socket.frames, portfolio), producer.lastPrices())).toBe(true);
    socket.close();
  }, 120_000);
});
