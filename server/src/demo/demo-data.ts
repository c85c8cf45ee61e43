// The demo user and portfolios a new embedded install starts with, so the dashboard shows a live
// market and a history on first start. Drawn with a fixed seed: every install gets the same
// portfolios.
import { hashPassword } from '../auth/passwords.js';
import type { Database, Queryable } from '../db/database.js';
import type { Instrument } from '../market/universe.js';
import { createRandom } from '../market/random.js';
import { createPortfolio } from '../store/portfolios.js';
import { applyTransactions, tradeAmount, type NewTransaction } from '../store/transactions.js';
import { createUser, findUserByUsername } from '../store/users.js';
import { demoPricePath, priceAt } from './demo-history.js';

export const DEMO_USERNAME = 'demo';

const PORTFOLIOS: readonly { name: string; size: number; sectors?: readonly string[] }[] = [
  { name: 'Core Growth', size: 24 },
  {
    name: 'Dividend Income',
    size: 18,
    sectors: ['Utilities', 'Consumer Staples', 'Real Estate', 'Energy', 'Financials', 'Health Care'],
  },
  { name: 'Tech Leaders', size: 12, sectors: ['Information Technology', 'Communication Services'] },
];

export interface DemoOptions {
  /** The demo's "today": its history ends here. */
  now?: number;
  /** How much history the demo gets (demo-history.ts); 0 buys everything a minute ago. */
  historyDays?: number;
}

/**
 * Creates the demo user and portfolios unless the user exists; returns whether it created them.
 * Positions come from transactions (store/transactions.ts), so holdings over time are known: each
 * portfolio is funded by a deposit and buys 60 % of every line at the start of its history, funds
 * and buys the rest half-way through, and later receives a dividend that it withdraws. Prices are
 * those of the simulated history the demo is backfilled with (demo-history.ts), so the curve and
 * the ledger agree; cash ends at zero, so the history's value ends at the live dashboard's.
 */
export async function seedDemo(
  db: Database,
  universe: readonly Instrument[],
  password: string,
  options: DemoOptions = {},
): Promise<boolean> {
  if (await findUserByUsername(db, DEMO_USERNAME)) return false;
  const now = options.now ?? Date.now();
  const days = options.historyDays ?? 0;
  const random = createRandom(20_260_101);
  const passwordHash = await hashPassword(password);
  await db.transaction(async (tx) => {
    const userId = await createUser(tx, { username: DEMO_USERNAME, displayName: 'Demo Trader', passwordHash });
    for (const spec of PORTFOLIOS) {
      const pool = universe.filter((i) => i.sector !== 'ETF' && (!spec.sectors || spec.sectors.includes(i.sector)));
      const picks = new Map<string, Instrument>();
      while (picks.size < Math.min(spec.size, pool.length)) {
        const pick = pool[Math.floor(random.next() * pool.length)]!;
        picks.set(pick.symbol, pick);
      }
      const portfolioId = await createPortfolio(tx, userId, spec.name, []);
      await applyTransactions(tx, portfolioId, demoLedger([...picks.values()], now, days));
    }
  });
  return true;
}

/** The ledger described on seedDemo, oldest first. */
function demoLedger(instruments: readonly Instrument[], now: number, days: number): NewTransaction[] {
  const DAY = 86_400_000;
  const paths = new Map(instruments.map((i) => [i.symbol, demoPricePath(i, now, days)]));
  const start = Math.min(...[...paths.values()].map((p) => p.times[0] ?? now)) + 60_000;
  const middle = days > 0 ? start + Math.floor(days / 2) * DAY : start;
  // Roughly equal money per line, whole shares.
  const lines = instruments.map((i) => {
    const quantity = Math.max(1, Math.round(10_000 / i.referencePrice));
    const first = Math.ceil(quantity * 0.6);
    return { symbol: i.symbol, path: paths.get(i.symbol)!, first, second: quantity - first };
  });
  const buys = (time: number, lot: 'first' | 'second'): NewTransaction[] =>
    lines
      .filter((l) => l[lot] > 0)
      .map((l) => ({ kind: 'buy', time, symbol: l.symbol, quantity: l[lot], price: priceAt(l.path, time) }));
  const cost = (trades: NewTransaction[]) =>
    trades.reduce((cents, t) => cents + Math.round(Number(tradeAmount(t.quantity!, t.price!)) * 100), 0) / 100;
  const firstBuys = buys(start, 'first');
  const secondBuys = buys(middle + 60_000, 'second');
  const ledger: NewTransaction[] = [
    { kind: 'deposit', time: start - 30_000, amount: cost(firstBuys) },
    ...firstBuys,
    { kind: 'deposit', time: middle, amount: cost(secondBuys) },
    ...secondBuys,
  ];
  if (days >= 30) {
    // A dividend, paid out again a day later: income for the return, a withdrawal for the flows.
    const paid = start + Math.floor(days * 0.75) * DAY;
    const amount = Math.round(cost(firstBuys) * 0.005 * 100) / 100;
    ledger.push({ kind: 'dividend', time: paid, symbol: lines[0]!.symbol, amount });
    ledger.push({ kind: 'withdrawal', time: paid + DAY, amount });
  }
  return ledger.filter((t) => t.kind === 'buy' || (t.amount ?? 0) > 0);
}

/** What the demo holds, plus the benchmark: the instruments its history needs. */
export async function demoInstruments(
  db: Queryable,
  universe: readonly Instrument[],
  benchmark: string | null,
): Promise<Instrument[]> {
  const rows = await db.query<{ symbol: string }>(
    `SELECT DISTINCT x.symbol FROM positions x JOIN portfolios p ON p.id = x.portfolio_id
       JOIN users u ON u.id = p.user_id WHERE u.username = $1`,
    [DEMO_USERNAME],
  );
  const wanted = new Set(rows.map((r) => r.symbol));
  if (benchmark) wanted.add(benchmark);
  return universe.filter((i) => wanted.has(i.symbol));
}
