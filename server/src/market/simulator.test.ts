// The simulator against the real Redis: what it writes must satisfy the stream contract.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { parseTick } from '../streams/tick.js';
import { MarketSimulator } from './simulator.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const stream = `test:${randomUUID()}:ticks`;
afterAll(async () => {
  await redis.del(stream);
  redis.disconnect();
});

const instruments = [
  { symbol: 'AAA', price: 100, volatility: 0.3 },
  { symbol: 'BBB', price: 0.5, volatility: 0.8 },
  { symbol: 'CCC', price: 2500, volatility: 0.2 },
];

describe('market simulator', () => {
  it('writes ticks that satisfy the stream contract, for known symbols only, and trims the stream', async () => {
    const simulator = new MarketSimulator({
      redis,
      stream,
      maxLen: 1_000,
      ticksPerSecond: 5_000,
      instruments,
      seed: 7,
      log: createLogger('silent'),
    });
    simulator.start();
    // Run until more ticks were written than the stream may keep.
    while (simulator.ticksSent < 2_000) await new Promise((r) => setTimeout(r, 20));
    await simulator.stop();

    const entries = (await redis.xrange(stream, '-', '+')) as [string, string[]][];
    expect(entries.length).toBeGreaterThan(0);
    // MAXLEN ~ trims whole radix-tree nodes (100 entries by default), so allow one node of slack.
    expect(entries.length).toBeLessThanOrEqual(1_000 + 100);
    const known = new Set(instruments.map((i) => i.symbol));
    const seen = new Set<string>();
    for (const [id, fields] of entries) {
      const result = parseTick(id, fields, (s) => known.has(s), Date.now());
      expect(result).toMatchObject({ ok: true });
      if (!result.ok) continue;
      seen.add(result.tick.symbol);
      // Quoted at exchange tick size: cents at or above $1, hundredths of a cent below.
      const places = result.tick.price >= 1 ? 2 : 4;
      expect(Number(result.tick.price.toFixed(places))).toBe(result.tick.price);
      expect(result.tick.size % 100).toBe(0);
    }
    expect(seen).toEqual(known);
  });
});
