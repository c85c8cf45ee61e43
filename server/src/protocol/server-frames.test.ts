import { describe, expect, it } from 'vitest';
import type { PortfolioDelta, PositionChange } from '../engine/types.js';
import { createRandom } from '../market/random.js';
import { deltaFrame } from './server-frames.js';

/**
 * The delta frame as docs/protocol.md defines it, built independently of server-frames.ts: an
 * object with the documented keys in the documented order, amounts in currency units (cents / 100),
 * shares in percent (basis points / 100), given to JSON.stringify.
 */
function documentedDelta(d: PortfolioDelta): string {
  const frame: Record<string, unknown> = {
    type: 'delta',
    v: 1,
    portfolio: d.portfolio,
    epoch: d.epoch,
    seq: d.seq,
    tickTime: d.tickTime,
  };
  if (d.value !== undefined) frame.value = d.value / 100;
  if (d.pnl !== undefined) frame.pnl = d.pnl / 100;
  if (d.dayChange !== undefined) frame.dayChange = d.dayChange / 100;
  if (d.dayChangePct !== undefined) frame.dayChangePct = d.dayChangePct / 100;
  const positions: Record<string, Record<string, number>> = {};
  for (const [symbol, c] of Object.entries(d.positions)) {
    const out: Record<string, number> = {};
    if (c.price !== undefined) out.price = c.price;
    if (c.previousClose !== undefined) out.previousClose = c.previousClose;
    if (c.value !== undefined) out.value = c.value / 100;
    if (c.pnl !== undefined) out.pnl = c.pnl / 100;
    if (c.dayChange !== undefined) out.dayChange = c.dayChange / 100;
    if (c.weight !== undefined) out.weight = c.weight / 100;
    if (c.drift !== undefined) out.drift = c.drift / 100;
    positions[symbol] = out;
  }
  frame.positions = positions;
  return JSON.stringify(frame);
}

// Symbols of the universe's shapes, plus ones that need escaping (the stream contract refuses them,
// but the serialiser must never write broken JSON whatever it is given).
const SYMBOLS = ['AAPL', 'BRK.B', 'X', 'MSFT', 'RDS.A', 'Q"UOTE', 'BACK\\SLASH', 'ÜNÏ', 'TAB\t'];

function randomDelta(next: () => number): PortfolioDelta {
  const int = (max: number) => Math.floor(next() * max);
  const maybe = () => next() < 0.5;
  const cents = () => (maybe() ? -1 : 1) * [int(100), int(100_000), int(10_000_000_000), int(2 ** 52)][int(4)]!;
  const price = () => int(1_000_000_000_000) / 1_000_000 + (maybe() ? 0 : int(1000));
  const positions: Record<string, PositionChange> = {};
  for (const symbol of SYMBOLS) {
    if (next() < 0.4) continue;
    const c: PositionChange = {};
    if (maybe()) c.price = price();
    if (next() < 0.1) c.previousClose = price();
    if (maybe()) c.value = cents();
    if (maybe()) c.pnl = cents();
    if (maybe()) c.dayChange = cents();
    if (maybe()) c.weight = int(10_001);
    if (maybe()) c.drift = int(20_001) - 10_000;
    positions[symbol] = c;
  }
  const d: PortfolioDelta = {
    portfolio: 1 + int(1_000_000),
    epoch: ['a1B2c3D4', 'zz-_09', 'e"pq'][int(3)]!,
    seq: 1 + int(1_000_000),
    tickTime: 1_700_000_000_000 + int(100_000_000_000),
    positions,
  };
  if (maybe()) d.value = cents();
  if (maybe()) d.pnl = cents();
  if (maybe()) d.dayChange = cents();
  if (maybe()) d.dayChangePct = (maybe() ? -1 : 1) * int(100_000);
  return d;
}

describe('deltaFrame', () => {
  it('writes exactly the documented JSON for random deltas (same bytes, same parsed value)', () => {
    const random = createRandom(20_261_125);
    for (let i = 0; i < 1_000; i++) {
      const d = randomDelta(random.next);
      const written = deltaFrame(d);
      const expected = documentedDelta(d);
      expect(JSON.parse(written)).toEqual(JSON.parse(expected));
      expect(written).toBe(expected);
    }
  });

  it('writes a delta without changed totals or positions as valid JSON', () => {
    const d: PortfolioDelta = { portfolio: 7, epoch: 'e', seq: 3, tickTime: 1_000, positions: { AAPL: {} } };
    expect(deltaFrame(d)).toBe(
      '{"type":"delta","v":1,"portfolio":7,"epoch":"e","seq":3,"tickTime":1000,"positions":{"AAPL":{}}}',
    );
    expect(JSON.parse(deltaFrame({ ...d, positions: {} }))).toEqual({
      type: 'delta',
      v: 1,
      portfolio: 7,
      epoch: 'e',
      seq: 3,
      tickTime: 1000,
      positions: {},
    });
  });

  it('prints amounts and percents in the shortest exact decimal form, negative zero as 0', () => {
    const d: PortfolioDelta = {
      portfolio: 1,
      epoch: 'e',
      seq: 1,
      tickTime: 1,
      value: 12_345,
      pnl: -5,
      dayChange: -0,
      dayChangePct: 1_234,
      positions: { AAPL: { price: 189.123456, value: 100, weight: 5, drift: -1 } },
    };
    expect(deltaFrame(d)).toBe(
      '{"type":"delta","v":1,"portfolio":1,"epoch":"e","seq":1,"tickTime":1,"value":123.45,"pnl":-0.05,' +
        '"dayChange":0,"dayChangePct":12.34,"positions":{"AAPL":{"price":189.123456,"value":1,"weight":0.05,"drift":-0.01}}}',
    );
  });
});
