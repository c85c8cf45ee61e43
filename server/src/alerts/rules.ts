// What a trader can be alerted about, and how each alert reads as a level on one number. Plain
// TypeScript, no I/O: the evaluator, the API and the store all speak these types.
import { amountToCents } from '../engine/money.js';

export type Side = 'above' | 'below';
export type MoveDirection = 'up' | 'down' | 'either';

export type AlertRule =
  /** The symbol's last price reaches `level`. */
  | { kind: 'price'; symbol: string; direction: Side; level: number }
  /** The symbol moves `percent` % from its previous close, up, down or either way. */
  | { kind: 'day-move'; symbol: string; direction: MoveDirection; percent: number }
  /** The portfolio's market value reaches `level` (an amount in its currency). */
  | { kind: 'portfolio-value'; portfolio: number; direction: Side; level: number }
  /** The portfolio's day P&L (value minus value at the previous close) reaches `level`. */
  | { kind: 'day-pnl'; portfolio: number; direction: Side; level: number }
  /** The position's weight is `points` percentage points or more away from its target. */
  | { kind: 'drift'; portfolio: number; symbol: string; points: number };

export type AlertKind = AlertRule['kind'];
export type SymbolRule = Extract<AlertRule, { kind: 'price' | 'day-move' }>;
export type PortfolioRule = Exclude<AlertRule, SymbolRule>;

export const isSymbolRule = (r: AlertRule): r is SymbolRule => r.kind === 'price' || r.kind === 'day-move';

/**
 * An alert as a level on one number, in the evaluator's units: price for `price`, basis points of
 * the previous close for `day-move`, cents for `portfolio-value` and `day-pnl`, basis points of
 * weight for `drift`. `absolute` compares the size of the number (either direction).
 */
export interface Trigger {
  side: Side;
  absolute: boolean;
  level: number;
  /** How far back past the level the number must go before the alert re-arms. */
  band: number;
  /**
   * The band is the configured basis points of the portfolio's value at the previous close,
   * known only when checked (a day P&L level may be zero, so its own size is no scale).
   */
  bandOfDayBase: boolean;
}

/** `hysteresisBp`: ALERT_HYSTERESIS_BP, see docs/alerts.md for what it scales. */
export function triggerOf(rule: AlertRule, hysteresisBp: number): Trigger {
  switch (rule.kind) {
    case 'price':
      return trigger(rule.direction, false, rule.level, (rule.level * hysteresisBp) / 10_000);
    case 'day-move': {
      const level = Math.round(rule.percent * 100);
      if (rule.direction === 'either') return trigger('above', true, level, hysteresisBp);
      return rule.direction === 'up'
        ? trigger('above', false, level, hysteresisBp)
        : trigger('below', false, -level, hysteresisBp);
    }
    case 'portfolio-value': {
      const level = amountToCents(rule.level);
      return trigger(rule.direction, false, level, (Math.abs(level) * hysteresisBp) / 10_000);
    }
    case 'day-pnl':
      return { ...trigger(rule.direction, false, amountToCents(rule.level), 0), bandOfDayBase: true };
    case 'drift':
      return trigger('above', true, Math.round(rule.points * 100), hysteresisBp);
  }
}

/** Always the same fields in the same order: the evaluator's hot loop sees one object shape. */
const trigger = (side: Side, absolute: boolean, level: number, band: number): Trigger => ({
  side,
  absolute,
  level,
  band,
  bandOfDayBase: false,
});

/** Whether `value` is at or past the level. */
export function isPast(t: Trigger, value: number): boolean {
  const v = t.absolute ? Math.abs(value) : value;
  return t.side === 'above' ? v >= t.level : v <= t.level;
}

/**
 * One observation of a watched number. Armed and past the level: fire (and disarm). Disarmed and
 * back beyond the level by more than `band`: re-arm. Anything else, including noise inside the
 * band, changes nothing.
 */
export function crossing(t: Trigger, armed: boolean, value: number, band: number): 'fire' | 'rearm' | undefined {
  const v = t.absolute ? Math.abs(value) : value;
  if (t.side === 'above') {
    if (armed) return v >= t.level ? 'fire' : undefined;
    return v < t.level - band ? 'rearm' : undefined;
  }
  if (armed) return v <= t.level ? 'fire' : undefined;
  return v > t.level + band ? 'rearm' : undefined;
}

/** The watched number as a trader reads it: price, percent, amount or points. */
export function displayValue(rule: AlertRule, value: number): number {
  return rule.kind === 'price' ? value : Math.round(value) / 100;
}

/** One line a trader understands without the form in front of them. */
export function describeRule(rule: AlertRule, portfolioName?: string): string {
  const where =
    portfolioName ?? (rule.kind === 'price' || rule.kind === 'day-move' ? '' : `portfolio ${rule.portfolio}`);
  switch (rule.kind) {
    case 'price':
      return `${rule.symbol} ${rule.direction} ${rule.level}`;
    case 'day-move':
      return `${rule.symbol} ${rule.direction === 'either' ? 'moves' : rule.direction === 'up' ? 'up' : 'down'} ${rule.percent}% on the day`;
    case 'portfolio-value':
      return `${where} value ${rule.direction} ${rule.level}`;
    case 'day-pnl':
      return `${where} day P&L ${rule.direction} ${rule.level}`;
    case 'drift':
      return `${where} ${rule.symbol} drifts ${rule.points} points from target`;
  }
}
