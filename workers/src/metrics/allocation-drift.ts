// How far a portfolio has moved from its target allocation, and what it takes to get back.
import { MetricsInputError } from './series.js';

/** Weights by symbol in basis points (10,000 = 100 %). Cash, if held, is a symbol like any other. */
export type Weights = Readonly<Record<string, number>>;

export interface SymbolDrift {
  symbol: string;
  currentBp: number;
  targetBp: number;
  /** currentBp − targetBp: positive is overweight. */
  driftBp: number;
}

export interface AllocationDrift {
  /** Every symbol in either set, in symbol order; a symbol missing from one set weighs 0 there. */
  symbols: SymbolDrift[];
  /**
   * Σ|drift| / 2: the share of the portfolio that must be traded (sold, and as much bought) to
   * reach the target. Exact when both sets sum to 10,000 bp.
   */
  turnoverBp: number;
}

export function allocationDrift(current: Weights, target: Weights): AllocationDrift {
  const names = [...new Set([...Object.keys(current), ...Object.keys(target)])].sort();
  let totalAbs = 0;
  const symbols = names.map((symbol) => {
    const currentBp = weight(current, symbol, 'current');
    const targetBp = weight(target, symbol, 'target');
    const driftBp = currentBp - targetBp;
    totalAbs += Math.abs(driftBp);
    return { symbol, currentBp, targetBp, driftBp };
  });
  return { symbols, turnoverBp: totalAbs / 2 };
}

function weight(weights: Weights, symbol: string, which: string): number {
  if (!Object.hasOwn(weights, symbol)) return 0;
  const w = weights[symbol]!;
  // Negative is allowed: a short position has a negative weight.
  if (typeof w !== 'number' || !Number.isFinite(w))
    throw new MetricsInputError(`${which} weight of ${symbol} is not a number`);
  return w;
}
