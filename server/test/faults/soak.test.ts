// A soak in CI form: moderate load for SOAK_SECONDS (30 by default) on one in-process server
// (ticks at a steady rate, sockets following a portfolio, a tenth of them reconnecting every
// second, HTTP reads), with the heap measured after a forced collection once warmed up and at the
// end. Memory must stay flat: the end within a tolerance of the warm heap. The 30-minute run is
// the same file with SOAK_SECONDS=1800 (docs/benchmarks.md). The server and its clients share one
// heap; the client count is constant, so their share is too.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, startTestApp, type TestApp } from '../harness.js';
import { sleep, TickProducer } from '../processes.js';
import { createTrader, priceRound } from './trader.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 30);
const WARMUP_SECONDS = Math.min(10, SECONDS / 3);
const SOCKETS = 200;
const TICKS_PER_SECOND = 500;
/** Allowed heap growth from the warm measurement to the end. */
const TOLERANCE_BYTES = 16 * 1024 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let t: TestApp;
let portfolio: number;
let token: string;
let producer: TickProducer;

beforeAll(async () => {
  t = await startTestApp();
  portfolio = await createTrader(t.app.db, 'soak', 'soak-pass');
  token = await login(t.app.url, 'soak', 'soak-pass');
  producer = new TickProducer(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', t.app.keys.ticks, 'soak');
}, 120_000);
afterAll(async () => {
  producer?.close();
  await t?.stop();
});

function follower(): Promise<{ ws: WebSocket; frames: () => number }> {
  let frames = 0;
  const ws = new WebSocket(t.wsUrl, { headers: { authorization: `Bearer ${token}` } });
  ws.on('message', () => frames++);
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.send(JSON.stringify({ op: 'subscribe', portfolios: [portfolio] }));
      resolve({ ws, frames: () => frames });
    });
    ws.once('error', reject);
  });
}

async function settledHeap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(50);
  }
  return process.memoryUsage().heapUsed;
}

describe('a soak at moderate load', () => {
  it(
    `keeps memory flat over ${SECONDS} s`,
    async () => {
      const sockets = await Promise.all(Array.from({ length: SOCKETS }, follower));
      const started = Date.now();
      let warmHeap = 0;
      let round = 0;
      let delivered = 0;
      const perRound = priceRound(0).length;
      for (let second = 0; Date.now() - started < SECONDS * 1000; second++) {
        const tickStart = Date.now();
        // The second's ticks in ten slices, a tenth of the sockets replaced, one HTTP read.
        for (let slice = 0; slice < 10; slice++) {
          const batch = [];
          for (let i = 0; i < TICKS_PER_SECOND / 10 / perRound; i++) batch.push(...priceRound(++round % 500));
          await producer.write(batch);
          await sleep(Math.max(0, tickStart + (slice + 1) * 100 - Date.now()));
        }
        for (let i = 0; i < SOCKETS / 10; i++) {
          const index = (second * (SOCKETS / 10) + i) % SOCKETS;
          delivered += sockets[index]!.frames();
          sockets[index]!.ws.terminate();
          sockets[index] = await follower();
        }
        const res = await fetch(`${t.app.url}/api/v1/portfolios/${portfolio}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(res.status).toBe(200);
        await res.arrayBuffer();
        if (!warmHeap && Date.now() - started >= WARMUP_SECONDS * 1000) {
          producer.produced.length = 0; // the test's record of what it wrote, not the server's memory
          warmHeap = await settledHeap();
        }
      }
      producer.produced.length = 0;
      const endHeap = await settledHeap();
      const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
      console.log(
        `soak ${SECONDS} s: ${round * perRound} ticks, ${delivered} frames delivered, heap warm ${mb(warmHeap)} MB, end ${mb(endHeap)} MB, rss ${mb(process.memoryUsage().rss)} MB`,
      );
      expect(delivered).toBeGreaterThan(0);
      expect(endHeap - warmHeap).toBeLessThan(TOLERANCE_BYTES);
      expect((await fetch(`${t.app.url}/healthz`)).status).toBe(200);
      for (const s of sockets) s.ws.terminate();
    },
    (SECONDS + 120) * 1000,
  );
});
