// A client's view of one portfolio rebuilt from the frames its socket received, the way the web
// client applies them: for tests that check what a trader would see after faults and slow reads.
import { expect } from 'vitest';
import type { Frame } from './harness.js';

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
