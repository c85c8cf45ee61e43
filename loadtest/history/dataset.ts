// A year of market and a 50-position portfolio in an embedded database, for the history benchmark
// and the hot-query plans: raw ticks on weekdays during US trading hours (13:30 to 20:00 UTC) for
// every held symbol and the benchmark, a ledger with deposits, buys, a sale, a dividend, a fee and a
// withdrawal, and the candles materialised over all of it, finest level first.
import type { Database } from '../../server/src/db/database.js';
import { createRandom } from '../../server/src/market/random.js';
import { UNIVERSE } from '../../server/src/market/universe.js';
import { createPortfolio } from '../../server/src/store/portfolios.js';
import { refreshCandles } from '../../server/src/store/candles.js';
import { insertTicks } from '../../server/src/store/ticks.js';
import { recordTransactions, tradeAmount, type NewTransaction } from '../../server/src/store/transactions.js';
import { createUser } from '../../server/src/store/users.js';
import type { Tick } from '../../server/src/streams/tick.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
const OPEN = 13.5 * 3_600_000;
const SESSION = 6.5 * 3_600_000;

export interface DatasetOptions {
  positions: number;
  days: number;
  ticksPerDay: number;
  now: number;
  benchmark: string;
  onProgress?(message: string): void;
}

export interface Dataset {
  portfolioId: number;
  symbols: string[];
  ticks: number;
  loadSeconds: number;
  refreshSeconds: number;
}

export async function buildDataset(db: Database, o: DatasetOptions): Promise<Dataset> {
  const random = createRandom(7);
  const held = UNIVERSE.filter((i) => i.sector !== 'ETF' && i.symbol !== o.benchmark).slice(0, o.positions);
  const benchmark = UNIVERSE.find((i) => i.symbol === o.benchmark)!;
  const first = Math.floor((o.now - o.days * DAY) / DAY) * DAY;

  const userId = await createUser(db, { username: `bench${o.now}`, displayName: 'Bench', passwordHash: 'x' });
  const portfolioId = await createPortfolio(db, userId, 'Fifty lines', []);

  // Ticks, day by day (oldest first, so each COPY fills few chunks); prices walk in cents.
  const prices = new Map([...held, benchmark].map((i) => [i.symbol, Math.round(i.referencePrice * 100)]));
  const started = performance.now();
  let batch: Tick[] = [];
  let count = 0;
  const step = SESSION / o.ticksPerDay;
  for (let day = first; day < o.now; day += DAY) {
    const weekday = new Date(day).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    for (let k = 0; k < o.ticksPerDay; k++) {
      const time = day + OPEN + Math.floor(k * step);
      if (time >= o.now) break;
      for (const [symbol, cents] of prices) {
        const next = Math.max(100, cents + Math.round((random.next() - 0.5) * cents * 0.004));
        prices.set(symbol, next);
        batch.push({ id: `bench:${time}:${symbol}`, symbol, price: next / 100, size: 100, time });
      }
      if (batch.length >= 20_000) {
        count += await insertTicks(db, batch);
        batch = [];
      }
    }
    if ((day - first) % (30 * DAY) === 0)
      o.onProgress?.(`ticks up to ${new Date(day).toISOString().slice(0, 10)}: ${count}`);
  }
  count += await insertTicks(db, batch);
  const loadSeconds = (performance.now() - started) / 1000;

  const refreshStarted = performance.now();
  await refreshCandles(db, first, Math.floor(o.now / MINUTE) * MINUTE);
  o.onProgress?.('candles materialised');
  const refreshSeconds = (performance.now() - refreshStarted) / 1000;

  // The ledger: money in, 50 buys a year ago at that day's prices, then some life.
  const priceOn = async (symbol: string, time: number) =>
    (
      await db.query<{ price: number }>(
        `SELECT price FROM ticks WHERE symbol = $1 AND time >= $2 ORDER BY time LIMIT 1`,
        [symbol, new Date(time)],
      )
    )[0]!.price;
  const buyAt = first + DAY + OPEN + 3_600_000;
  const buys: NewTransaction[] = [];
  for (const i of held) {
    buys.push({ kind: 'buy', time: buyAt, symbol: i.symbol, quantity: 100, price: await priceOn(i.symbol, buyAt) });
  }
  const cost = buys.reduce((sum, b) => sum + Number(tradeAmount(b.quantity!, b.price!)), 0);
  const ledger: NewTransaction[] = [{ kind: 'deposit', time: buyAt - MINUTE, amount: Math.ceil(cost) }, ...buys];
  // At fractions of the span, on a weekday, two hours into the session.
  const later = (fraction: number) => {
    let day = first + Math.floor(o.days * fraction) * DAY;
    while ([0, 6].includes(new Date(day).getUTCDay())) day += DAY;
    return day + OPEN + 2 * 3_600_000;
  };
  const sold = held[0]!.symbol;
  ledger.push(
    { kind: 'deposit', time: later(0.33), amount: 50_000 },
    { kind: 'sell', time: later(0.41), symbol: sold, quantity: 40, price: await priceOn(sold, later(0.41)) },
    { kind: 'dividend', time: later(0.55), symbol: held[1]!.symbol, amount: 1_234.56 },
    { kind: 'fee', time: later(0.56), amount: 25 },
    { kind: 'withdrawal', time: later(0.82), amount: 20_000 },
  );
  await recordTransactions(db, portfolioId, ledger);
  return { portfolioId, symbols: held.map((i) => i.symbol), ticks: count, loadSeconds, refreshSeconds };
}
