// A tick producer in its own process (so it does not share the persister's event loop): XADDs
// `rate` ticks per second for `seconds`, in a pipeline every 10 ms, following docs/streams.md.
//   tsx loadtest/ingest/producer.ts <redis-url> <stream> <rate> <seconds>
import { Redis } from 'ioredis';
import { UNIVERSE } from '../../server/src/market/universe.js';
import { tickFields } from '../../server/src/streams/tick.js';

const [url, stream, rateArg, secondsArg] = process.argv.slice(2) as [string, string, string, string];
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const redis = new Redis(url);
const prices = UNIVERSE.map((u) => ({ symbol: u.symbol, price: Math.round(u.referencePrice * 100) / 100 }));

const started = performance.now();
let sent = 0;
let k = 0;
while (performance.now() - started < seconds * 1000) {
  const due = Math.floor(((performance.now() - started) / 1000) * rate) - sent;
  if (due > 0) {
    const pipeline = redis.pipeline();
    const now = Date.now();
    for (let i = 0; i < due; i++) {
      const p = prices[k++ % prices.length]!;
      pipeline.xadd(stream, '*', ...tickFields({ symbol: p.symbol, price: p.price, size: 100, time: now }));
    }
    await pipeline.exec();
    sent += due;
  }
  await new Promise((r) => setTimeout(r, 10));
}
redis.disconnect();
process.stdout.write(JSON.stringify({ sent, seconds: (performance.now() - started) / 1000 }) + '\n');
