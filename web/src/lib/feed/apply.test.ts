import { describe, expect, it } from 'vitest';
import { applyDelta, applySnapshot, isGap, type PortfolioState } from './apply';
import type { DeltaFrame, SnapshotFrame } from './types';

// Every expected value below is written out by hand, never computed with the code under test.

const snapshot: SnapshotFrame = {
  type: 'snapshot',
  v: 1,
  portfolio: 1,
  epoch: 'm3k9x2',
  seq: 0,
  tickTime: 1_764_064_000_000,
  value: 3000,
  cost: 2700,
  pnl: 300,
  dayChange: 10,
  dayChangePct: 0.33,
  positions: [
    {
      symbol: 'AAPL',
      name: 'Apple Inc.',
      quantity: 10,
      price: 100,
      value: 1000,
      cost: 900,
      pnl: 100,
      previousClose: 99,
      dayChange: 10,
      weight: 33.33,
      target: null,
      drift: null,
    },
    {
      symbol: 'MSFT',
      name: 'Microsoft Corp.',
      quantity: 5,
      price: 400,
      value: 2000,
      cost: 1800,
      pnl: 200,
      previousClose: 400,
      dayChange: 0,
      weight: 66.67,
      target: 60,
      drift: 6.67,
    },
  ],
};

function delta(fields: Partial<DeltaFrame> & Pick<DeltaFrame, 'seq' | 'tickTime'>): DeltaFrame {
  return { type: 'delta', v: 1, portfolio: 1, epoch: 'm3k9x2', ...fields };
}

function applied(state: PortfolioState, frame: DeltaFrame): PortfolioState {
  const outcome = applyDelta(state, frame);
  if (isGap(outcome)) throw new Error(`unexpected gap: ${outcome.gap}`);
  return outcome;
}

const aaplUp = delta({
  seq: 1,
  tickTime: 1_764_064_000_100,
  value: 3010,
  pnl: 310,
  positions: { AAPL: { price: 101, value: 1010, pnl: 110 } },
});

describe('a snapshot followed by deltas', () => {
  it('takes the whole state from the snapshot', () => {
    expect(applySnapshot(snapshot)).toEqual({
      portfolio: 1,
      epoch: 'm3k9x2',
      seq: 0,
      tickTime: 1_764_064_000_000,
      value: 3000,
      cost: 2700,
      pnl: 300,
      dayChange: 10,
      dayChangePct: 0.33,
      positions: [
        {
          symbol: 'AAPL',
          name: 'Apple Inc.',
          quantity: 10,
          price: 100,
          value: 1000,
          cost: 900,
          pnl: 100,
          previousClose: 99,
          dayChange: 10,
          weight: 33.33,
          target: null,
          drift: null,
        },
        {
          symbol: 'MSFT',
          name: 'Microsoft Corp.',
          quantity: 5,
          price: 400,
          value: 2000,
          cost: 1800,
          pnl: 200,
          previousClose: 400,
          dayChange: 0,
          weight: 66.67,
          target: 60,
          drift: 6.67,
        },
      ],
    });
  });

  it('overwrites only the fields each delta carries', () => {
    const msftDown = delta({
      seq: 2,
      tickTime: 1_764_064_000_200,
      value: 3005,
      pnl: 305,
      positions: { MSFT: { price: 399, value: 1995, pnl: 195 } },
    });

    const state = applied(applied(applySnapshot(snapshot), aaplUp), msftDown);

    expect(state).toEqual({
      portfolio: 1,
      epoch: 'm3k9x2',
      seq: 2,
      tickTime: 1_764_064_000_200,
      value: 3005,
      cost: 2700,
      pnl: 305,
      dayChange: 10,
      dayChangePct: 0.33,
      positions: [
        {
          symbol: 'AAPL',
          name: 'Apple Inc.',
          quantity: 10,
          price: 101,
          value: 1010,
          cost: 900,
          pnl: 110,
          previousClose: 99,
          dayChange: 10,
          weight: 33.33,
          target: null,
          drift: null,
        },
        {
          symbol: 'MSFT',
          name: 'Microsoft Corp.',
          quantity: 5,
          price: 399,
          value: 1995,
          cost: 1800,
          pnl: 195,
          previousClose: 400,
          dayChange: 0,
          weight: 66.67,
          target: 60,
          drift: 6.67,
        },
      ],
    });
  });

  it('leaves the previous state and untouched positions as they were', () => {
    const before = applySnapshot(snapshot);
    const after = applied(before, aaplUp);

    expect(before.value).toBe(3000);
    expect(before.positions[0]?.price).toBe(100);
    expect(after.positions[1]).toBe(before.positions[1]);
  });
});

describe('gap detection', () => {
  const state = applySnapshot(snapshot);

  it('reports a skipped seq', () => {
    expect(applyDelta(state, delta({ seq: 2, tickTime: 1_764_064_000_100 }))).toEqual({ gap: 'seq' });
  });

  it('reports a repeated seq', () => {
    expect(applyDelta(state, delta({ seq: 0, tickTime: 1_764_064_000_100 }))).toEqual({ gap: 'seq' });
  });

  it('reports a new epoch even when seq follows on', () => {
    const restarted = { ...delta({ seq: 1, tickTime: 1_764_064_000_100 }), epoch: 'p7q1z0' };
    expect(applyDelta(state, restarted)).toEqual({ gap: 'epoch' });
  });

  it('reports a delta for a position the state does not hold', () => {
    const stranger = delta({ seq: 1, tickTime: 1_764_064_000_100, positions: { NVDA: { price: 180 } } });
    expect(applyDelta(state, stranger)).toEqual({ gap: 'unknown-position' });
  });
});

describe('conflation', () => {
  it('gives the same state for two deltas in order as for their merge', () => {
    const aaplAndMsft = delta({
      seq: 2,
      tickTime: 1_764_064_000_200,
      value: 3025,
      pnl: 325,
      positions: {
        AAPL: { price: 102, value: 1020, pnl: 120 },
        MSFT: { price: 401, value: 2005, pnl: 205 },
      },
    });
    // What a server that conflates the two would send instead: the later value of every
    // field wins, and the merged frame takes the next seq after the snapshot.
    const merged = delta({
      seq: 1,
      tickTime: 1_764_064_000_200,
      value: 3025,
      pnl: 325,
      positions: {
        AAPL: { price: 102, value: 1020, pnl: 120 },
        MSFT: { price: 401, value: 2005, pnl: 205 },
      },
    });

    const inOrder = applied(applied(applySnapshot(snapshot), aaplUp), aaplAndMsft);
    const atOnce = applied(applySnapshot(snapshot), merged);

    // seq counts frames, not changes, so it is the one field that differs.
    expect({ ...inOrder, seq: 'n/a' }).toEqual({ ...atOnce, seq: 'n/a' });
    expect(inOrder.positions).toEqual([
      {
        symbol: 'AAPL',
        name: 'Apple Inc.',
        quantity: 10,
        price: 102,
        value: 1020,
        cost: 900,
        pnl: 120,
        previousClose: 99,
        dayChange: 10,
        weight: 33.33,
        target: null,
        drift: null,
      },
      {
        symbol: 'MSFT',
        name: 'Microsoft Corp.',
        quantity: 5,
        price: 401,
        value: 2005,
        cost: 1800,
        pnl: 205,
        previousClose: 400,
        dayChange: 0,
        weight: 66.67,
        target: 60,
        drift: 6.67,
      },
    ]);
  });
});
