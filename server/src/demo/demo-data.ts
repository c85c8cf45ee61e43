// The demo user and portfolios a new embedded install starts with, so the dashboard shows a live
// market on first start. Drawn with a fixed seed: every install gets the same portfolios.
import { hashPassword } from '../auth/passwords.js';
import type { Database } from '../db/database.js';
import type { Instrument } from '../market/universe.js';
import { createRandom } from '../market/random.js';
import { createPortfolio } from '../store/portfolios.js';
import { createUser, findUserByUsername } from '../store/users.js';

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

/** Creates the demo user and portfolios unless the user exists; returns whether it created them. */
export async function seedDemo(db: Database, universe: readonly Instrument[], password: string): Promise<boolean> {
  if (await findUserByUsername(db, DEMO_USERNAME)) return false;
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
      const positions = [...picks.values()].map((instrument) => {
        // Roughly equal money per line, whole shares, bought somewhere within 30 % of today's level.
        const quantity = Math.max(1, Math.round(10_000 / instrument.referencePrice));
        const paid = instrument.referencePrice * (0.7 + 0.6 * random.next());
        return { symbol: instrument.symbol, quantity, costBasis: Math.round(quantity * paid * 100) / 100 };
      });
      await createPortfolio(tx, userId, spec.name, positions);
    }
  });
  return true;
}
