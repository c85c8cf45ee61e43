// Applies snapshot and delta frames to a portfolio's state. Pure: no socket, no DOM, no clock,
// so every rule of the sequence contract can be pinned down by a fast unit test.

import type { DeltaFrame, PortfolioId, Position, SnapshotFrame } from './types';

export interface PortfolioState {
  readonly portfolio: PortfolioId;
  readonly epoch: string;
  readonly seq: number;
  readonly tickTime: number;
  readonly value: number;
  readonly cost: number;
  readonly pnl: number;
  readonly dayChange: number;
  readonly dayChangePct: number;
  /** In the order of the snapshot, which is the order the table shows. */
  readonly positions: readonly Position[];
}

/**
 * Why a delta cannot be applied. The state it would apply to is no longer trustworthy; the
 * caller discards it and re-subscribes to get a fresh snapshot.
 * - `epoch`: the server restarted its sequence.
 * - `seq`: a frame was missed (or repeated).
 * - `unknown-position`: the delta changes a symbol the state does not hold, so a frame that
 *   introduced it was missed; a snapshot is the only source of a position's full record.
 */
export type GapReason = 'epoch' | 'seq' | 'unknown-position';

export interface Gap {
  readonly gap: GapReason;
}

export function applySnapshot(frame: SnapshotFrame): PortfolioState {
  return {
    portfolio: frame.portfolio,
    epoch: frame.epoch,
    seq: frame.seq,
    tickTime: frame.tickTime,
    value: frame.value,
    cost: frame.cost,
    pnl: frame.pnl,
    dayChange: frame.dayChange,
    dayChangePct: frame.dayChangePct,
    positions: frame.positions.map((position) => ({ ...position })),
  };
}

/**
 * Returns the new state, or a {@link Gap} when the delta does not follow `state`.
 * Unchanged positions keep their identity, so a renderer can skip them cheaply.
 */
export function applyDelta(state: PortfolioState, frame: DeltaFrame): PortfolioState | Gap {
  if (frame.epoch !== state.epoch) return { gap: 'epoch' };
  if (frame.seq !== state.seq + 1) return { gap: 'seq' };

  let positions = state.positions;
  const changes = frame.positions;
  if (changes) {
    let matched = 0;
    positions = state.positions.map((position) => {
      const change = changes[position.symbol];
      if (!change) return position;
      matched++;
      return { ...position, ...change, symbol: position.symbol };
    });
    if (matched !== Object.keys(changes).length) return { gap: 'unknown-position' };
  }

  return {
    portfolio: state.portfolio,
    epoch: state.epoch,
    seq: frame.seq,
    tickTime: frame.tickTime,
    value: frame.value ?? state.value,
    cost: frame.cost ?? state.cost,
    pnl: frame.pnl ?? state.pnl,
    dayChange: frame.dayChange ?? state.dayChange,
    dayChangePct: frame.dayChangePct ?? state.dayChangePct,
    positions,
  };
}

export function isGap(outcome: PortfolioState | Gap): outcome is Gap {
  return 'gap' in outcome;
}
