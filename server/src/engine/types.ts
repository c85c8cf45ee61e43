// The portfolio engine's vocabulary. Amounts are integer cents (see money.ts); prices are the
// decimal numbers ticks carry; times are milliseconds since the Unix epoch.
import type { Cents } from './money.js';

export interface Holding {
  symbol: string;
  name: string;
  quantity: number;
  /** Total cost of the position, in the portfolio's currency (4 decimal places at most). */
  costBasis: number;
}

export interface PortfolioHoldings {
  id: number;
  holdings: readonly Holding[];
}

export interface Quote {
  price: number;
  /** Exchange time of the tick that set this price. */
  time: number;
}

export interface PositionView {
  symbol: string;
  name: string;
  quantity: number;
  price: number;
  value: Cents;
  cost: Cents;
  pnl: Cents;
}

export interface PortfolioSnapshot {
  portfolio: number;
  epoch: string;
  seq: number;
  tickTime: number;
  value: Cents;
  cost: Cents;
  pnl: Cents;
  positions: PositionView[];
}

/** Absolute new values of what changed; a field that did not change is absent. */
export interface PositionChange {
  price?: number;
  value?: Cents;
  pnl?: Cents;
}

export interface PortfolioDelta {
  portfolio: number;
  epoch: string;
  seq: number;
  tickTime: number;
  value?: Cents;
  pnl?: Cents;
  positions: Record<string, PositionChange>;
}
