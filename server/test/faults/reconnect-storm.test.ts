// A reconnect storm: thousands of sockets dropped at once (as when the balancer restarts) while
// prices move, then all of them back at the same moment with their resume points. The process
// serves them all, stays healthy, and every client ends on the value computed here.
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, startTestApp, type TestApp } from '../harness.js';
import { TickProducer } from '../processes.js';
import { createTrader, priceRound, valueInCents } from './trader.js';

const CLIENTS = 2_000;

let t: TestApp;
let portfolio: number;
let token: string;
let producer: TickProducer;

beforeAll(async () => {
  t = await startTestApp({ LINGER_MS: '60000' });
  portfolio = await createTrader(t.app.db, 'storm', 'storm-pass');
  token = await login(t.app.url, 'storm', 'storm-pass');
  producer = new TickProducer(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', t.app.keys.ticks, 'storm');
});
afterAll(async () => {
  producer?.close();
  await t?.stop();
});

/** A light client: only the portfolio's epoch, seq and value, checked as frames arrive. */
class Client {
  epoch = '';
  seq = -1;
  valueCents = 0;
  snapshots = 0;
  gaps = 0;
  ws!: WebSocket;

  connect(resume: boolean): Promise<void> {
    this.ws = new WebSocket(t.wsUrl, { headers: { authorization: `Bearer ${token}` } });
    this.ws.on('message', (data) => {
      const f = JSON.parse(String(data)) as { type: string; epoch: string; seq: number; value?: number };
      if (f.type === 'snapshot') {
        this.snapshots++;
        Object.assign(this, { epoch: f.epoch, seq: f.seq, valueCents: Math.round(f.value! * 100) });
      } else if (f.type === 'delta') {
        if (f.epoch !== this.epoch || f.seq !== this.seq + 1) this.gaps++;
        this.seq = f.seq;
        if (f.value !== undefined) this.valueCents = Math.round(f.value * 100);
      }
    });
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => {
        const entry = resume ? { id: portfolio, epoch: this.epoch, seq: this.seq } : portfolio;
        this.ws.send(JSON.stringify({ op: 'subscribe', portfolios: [entry] }));
        resolve();
      });
      this.ws.once('error', reject);
    });
  }
}

describe('a reconnect storm', () => {
  it(`serves ${CLIENTS} clients reconnecting at once, and each resumes to the right value`, async () => {
    const clients = Array.from({ length: CLIENTS }, () => new Client());
    for (let i = 0; i < CLIENTS; i += 250) await Promise.all(clients.slice(i, i + 250).map((c) => c.connect(false)));
    await expect.poll(() => clients.every((c) => c.snapshots === 1), { timeout: 20_000 }).toBe(true);
    await producer.write(priceRound(1));
    await expect
      .poll(() => clients.every((c) => c.valueCents === valueInCents(producer.lastPrices())), { timeout: 20_000 })
      .toBe(true);

    // Everyone drops at once, without a close handshake; prices move while they are gone.
    for (const c of clients) c.ws.terminate();
    await expect.poll(() => t.app.stats().connections, { timeout: 20_000 }).toBe(0);
    for (let r = 2; r <= 6; r++) await producer.write(priceRound(r));
    const final = valueInCents(producer.lastPrices());
    await expect.poll(() => t.app.stats().ticks).toBe(producer.produced.length);

    // And all come back at the same moment, each with its resume point.
    await Promise.all(clients.map((c) => c.connect(true)));
    const health = await fetch(`${t.app.url}/healthz`);
    expect(health.status).toBe(200);
    await expect.poll(() => clients.filter((c) => c.valueCents !== final).length, { timeout: 30_000 }).toBe(0);
    expect(t.app.stats().connections).toBe(CLIENTS);
    // Within the resume window, the missed deltas are replayed: no snapshot, no gap.
    expect(clients.filter((c) => c.snapshots !== 1).length).toBe(0);
    expect(clients.reduce((n, c) => n + c.gaps, 0)).toBe(0);
    for (const c of clients) c.ws.terminate();
  }, 90_000);
});
