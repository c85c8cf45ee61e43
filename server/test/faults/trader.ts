// A trader with a small known portfolio, the price rounds the fault tests write for it, and its
// value computed independently of the engine: whole shares times prices in cents.
import { expect } from 'vitest';
import { hashPassword } from '../../src/auth/passwords.js';
import type { Database } from '../../src/db/database.js';
import { UNIVERSE } from '../../src/market/universe.js';
import { createPortfolio } from '../../src/store/portfolios.js';
import { createUser } from '../../src/store/users.js';
import type { Frame } from '../harness.js';

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

export interface ClientState {
  epoch: string;
  seq: number;
  valueCents: number;
  prices: Map<string, number>;
}

/** A client's view built from its frames: a snapshot resets it; deltas must follow consecutively. */
export function follow(frames: readonly Frame[], portfolio: number): ClientState {
  let state: ClientState | undefined;
  for (const f of frames) {
    if (f.portfolio !== portfolio) continue;
    if (f.type === 'snapshot') {
      const positions = f.positions as { symbol: string; price: number }[];
      state = {
        epoch: f.epoch as string,
        seq: f.seq as number,
        valueCents: Math.round((f.value as number) * 100),
        prices: new Map(positions.map((p) => [p.symbol, p.price])),
      };
    } else if (f.type === 'delta') {
      if (!state) throw new Error('delta before snapshot');
      expect(f.epoch).toBe(state.epoch);
      expect(f.seq, 'deltas are consecutive').toBe(state.seq + 1);
      state.seq = f.seq as number;
      if (f.value !== undefined) state.valueCents = Math.round((f.value as number) * 100);
      for (const [symbol, change] of Object.entries(f.positions as Record<string, { price?: number }>)) {
        if (change.price !== undefined) state.prices.set(symbol, change.price);
      }
    }
  }
  if (!state) throw new Error('no snapshot');
  return state;
}

/** The frames from the last snapshot on (what a client that repaired itself works from). */
export const sinceLastSnapshot = (frames: readonly Frame[]) =>
  frames.slice(frames.findLastIndex((f) => f.type === 'snapshot'));

/** True once the client's view shows every symbol at `prices`. */
export function shows(state: ClientState, prices: Map<string, string>): boolean {
  return HELD.every((h) => state.prices.get(h.instrument.symbol) === Number(prices.get(h.instrument.symbol)));
}
