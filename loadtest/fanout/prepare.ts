// The load data, written with the server's own modules into a fresh embedded database before the
// server starts: load users, each owning a few portfolios of positions drawn deterministically
// from the symbol universe. The same seed gives the same portfolios on every run.
import { hashPassword } from '../../server/src/auth/passwords.js';
import { loadConfig } from '../../server/src/config.js';
import { connectDatabase } from '../../server/src/db/connect.js';
import { createLogger } from '../../server/src/log.js';
import { createRandom } from '../../server/src/market/random.js';
import { UNIVERSE, type Instrument } from '../../server/src/market/universe.js';
import { upsertAssets } from '../../server/src/store/assets.js';
import { createPortfolio } from '../../server/src/store/portfolios.js';
import { createUser } from '../../server/src/store/users.js';

export const LOAD_PASSWORD = 'load-password';

export interface LoadPortfolio {
  id: number;
  owner: string;
  symbols: string[];
}

export interface LoadData {
  portfolios: LoadPortfolio[];
  /** Every symbol some load portfolio holds, with its reference price: what the producer ticks. */
  instruments: { symbol: string; price: number }[];
}

export interface PrepareOptions {
  dataDir: string;
  portfolios: number;
  portfoliosPerUser: number;
  positionsPerPortfolio: number;
  seed: number;
}

export const loadUsername = (n: number) => `load${String(n).padStart(3, '0')}`;

export async function prepareLoadData(o: PrepareOptions): Promise<LoadData> {
  const config = loadConfig({ DATA_DIR: o.dataDir, SIMULATOR: 'false', SEED_DEMO: 'false', LOG_LEVEL: 'warn' });
  const db = await connectDatabase(config, createLogger(config.logLevel));
  try {
    await upsertAssets(db, UNIVERSE);
    // scrypt is deliberately slow; every load user shares one hash of the one password.
    const passwordHash = await hashPassword(LOAD_PASSWORD);
    const random = createRandom(o.seed);
    const portfolios: LoadPortfolio[] = [];
    await db.transaction(async (tx) => {
      let userId = 0;
      let owner = '';
      for (let i = 0; i < o.portfolios; i++) {
        if (i % o.portfoliosPerUser === 0) {
          owner = loadUsername(i / o.portfoliosPerUser + 1);
          userId = await createUser(tx, { username: owner, displayName: `Load ${owner}`, passwordHash });
        }
        const picks = pickDistinct(UNIVERSE, o.positionsPerPortfolio, random.next);
        const positions = picks.map((instrument) => {
          const quantity = Math.max(1, Math.round(10_000 / instrument.referencePrice));
          const costBasis = Math.round(quantity * instrument.referencePrice * (0.7 + 0.6 * random.next()) * 100) / 100;
          return { symbol: instrument.symbol, quantity, costBasis };
        });
        const id = await createPortfolio(tx, userId, `Load ${i + 1}`, positions);
        portfolios.push({ id, owner, symbols: picks.map((p) => p.symbol) });
      }
    });
    const held = new Set(portfolios.flatMap((p) => p.symbols));
    const instruments = UNIVERSE.filter((i) => held.has(i.symbol)).map((i) => ({
      symbol: i.symbol,
      price: i.referencePrice,
    }));
    return { portfolios, instruments };
  } finally {
    await db.close();
  }
}

function pickDistinct(universe: readonly Instrument[], count: number, next: () => number): Instrument[] {
  const picks = new Map<string, Instrument>();
  while (picks.size < Math.min(count, universe.length)) {
    const pick = universe[Math.floor(next() * universe.length)]!;
    picks.set(pick.symbol, pick);
  }
  return [...picks.values()];
}
