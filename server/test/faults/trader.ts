// A trader with a small known portfolio, the price rounds the fault tests write for it, and its
// value computed independently of the engine: whole shares times prices in cents.
import { hashPassword } from '../../src/auth/passwords.js';
import type { Database } from '../../src/db/database.js';
import { UNIVERSE } from '../../src/market/universe.js';
import { createPortfolio } from '../../src/store/portfolios.js';
import { createUser } from '../../src/store/users.js';
import type { ClientState } from '../client-view.js';

export const HELD = UNIVERSE.slice(0, 5).map((instrument, i) => ({ instrument, quantity: 10 * (i + 1) }));

/** Creates the user and the portfolio; returns the portfolio id. */
export async function createTrader(db: Database, username: string, password: string): Promise<number> {
  const userId = await createUser(db, { username, displayName: username, passwordHash: await hashPassword(password) });
  return createPortfolio(
    db,
    userId,
    'Faults',
    HELD.map((h) => ({ symbol: h.instrument.symbol, quantity: h.quantity, costBasis: 100 })),
  );
}

/** Round `r`: every held symbol at its reference price plus r cents. */
export function priceRound(r: number): { symbol: string; price: string }[] {
  return HELD.map((h) => ({ symbol: h.instrument.symbol, price: (h.instrument.referencePrice + r / 100).toFixed(2) }));
}

/** The portfolio's value in cents from the last price of each symbol, computed here. */
export function valueInCents(lastPrices: Map<string, string>): number {
  let cents = 0;
  for (const h of HELD) cents += h.quantity * Math.round(Number(lastPrices.get(h.instrument.symbol)) * 100);
  return cents;
}

/** True once the client's view shows every symbol at `prices`. */
export function shows(state: ClientState, prices: Map<string, string>): boolean {
  return HELD.every((h) => state.prices.get(h.instrument.symbol) === Number(prices.get(h.instrument.symbol)));
}
