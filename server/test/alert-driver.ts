// What the alert tests share: the API over real HTTP, ticks XADDed to the real stream one at a time
// (each waited for until its delta reaches a socket, so the evaluator has seen it), and the
// independent crossing count every expectation is computed with.
import { request as httpRequest } from 'node:http';
import type { Redis } from 'ioredis';
import { tickFields } from '../src/streams/tick.js';
import { TestSocket, type Frame, type TestApp } from './harness.js';

export interface Answer {
  status: number;
  body: Record<string, unknown> & { error?: { code: string; message: string; issues?: unknown[] } };
}

/**
 * One request on a connection of its own (node:http without an agent): a pooled keep-alive
 * connection would outlive a restarted test app and still reach the closed instance.
 */
export function api(base: string, token: string | undefined, method: string, path: string, body?: unknown) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise<Answer>((resolve, reject) => {
    const req = httpRequest(
      `${base}/api/v1${path}`,
      {
        method,
        agent: false,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Answer['body']) : {} });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Polls until the alert's state is `state` (the evaluator has checked it). */
export async function waitForState(base: string, token: string, id: number, state: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const a = await api(base, token, 'GET', `/alerts/${id}`);
    if (a.body.state === state) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`alert ${id} never reached state ${state}`);
}

export const priceText = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

/** Writes ticks to the stream with strictly increasing times (a tick older than the last is ignored). */
export class TickDriver {
  private last = 0;
  constructor(
    private readonly redis: Redis,
    private readonly stream: string,
  ) {}

  async tick(symbol: string, priceCents: number): Promise<number> {
    const time = Math.max(Date.now(), this.last + 1);
    this.last = time;
    await this.redis.xadd(this.stream, '*', ...tickFields({ symbol, price: priceText(priceCents), size: 1, time }));
    return time;
  }

  /** One tick, then waits for the delta that carries it on `socket` (a follower of a holder). */
  async tickAndWait(socket: TestSocket, portfolio: number, symbol: string, priceCents: number): Promise<Frame> {
    const time = await this.tick(symbol, priceCents);
    return socket.next((f) => f.type === 'delta' && f.portfolio === portfolio && f.tickTime === time);
  }
}

export type Zone = 'P' | 'B' | 'N';

/** Past the level (P), back beyond it by more than the band (B), or noise in between (N). */
export function zoneOf(x: number, side: 'above' | 'below', level: number, band: number): Zone {
  if (side === 'above') return x >= level ? 'P' : x < level - band ? 'B' : 'N';
  return x <= level ? 'P' : x > level + band ? 'B' : 'N';
}

/**
 * Which observations fire: with noise dropped and repeats merged, every P that follows a B. The
 * first observation is the alert's first sight: not past the level counts as armed.
 */
export function expectedFires(zones: Zone[]): number[] {
  const fires: number[] = [];
  let last: Zone = zones[0] === 'P' ? 'P' : 'B';
  zones.forEach((z, i) => {
    if (z === 'N' || z === last) return;
    if (z === 'P' && i > 0) fires.push(i);
    last = z;
  });
  return fires;
}

/** Resolves once every notice published before it reached `socket` (one channel keeps order). */
export async function drainNotices(app: TestApp['app'], socket: TestSocket, userId: number): Promise<void> {
  await app.alerts.settled();
  const marker = `marker-${Math.random()}`;
  await app.notices.send(userId, JSON.stringify({ type: 'test-marker', v: 1, marker }));
  await socket.next((f) => f.type === 'test-marker' && f.marker === marker);
}
