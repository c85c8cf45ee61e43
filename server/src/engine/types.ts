// The portfolio engine's vocabulary. Amounts are integer cents and shares of a whole are integer
// basis points (see money.ts); prices are the decimal numbers ticks carry; times are milliseconds
// since the Unix epoch.
import type { BasisPoints, Cents } from './money.js';

export interface Holding {
  symbol: string;
  name: string;
  quantity: number;
  /** Total cost of the position, in the portfolio's currency (4 decimal places at most). */
  costBasis: number;
  /** Target allocation in percent of the portfolio's value, when one is set. */
  targetWeight?: number | null;
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
  /** The symbol's close of the previous session, the base of the day change. */
  previousClose: number;
  value: Cents;
  cost: Cents;
  pnl: Cents;
  dayChange: Cents;
  /** Share of the portfolio's value. */
  weight: BasisPoints;
  target: BasisPoints | null;
  /** weight − target, when a target is set. */
  drift: BasisPoints | null;
}

export interface PortfolioTotals {
  value: Cents;
  cost: Cents;
  pnl: Cents;
  dayChange: Cents;
  /** Day change relative to the value at the previous close. */
  dayChangePct: BasisPoints;
}

export interface PortfolioSnapshot extends PortfolioTotals {
  portfolio: number;
  epoch: string;
  seq: number;
  tickTime: number;
  positions: PositionView[];
}

/** Absolute new values of what changed; a field that did not change is absent. */
export interface PositionChange {
  price?: number;
  previousClose?: number;
  value?: Cents;
  pnl?: Cents;
  dayChange?: Cents;
  weight?: BasisPoints;
  drift?: BasisPoints;
}

export interface PortfolioDelta extends Partial<Omit<PortfolioTotals, 'cost'>> {
  portfolio: number;
  epoch: string;
  seq: number;
  tickTime: number;
  positions: Record<string, PositionChange>;
}
