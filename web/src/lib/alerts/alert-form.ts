// The create-alert form's fields turned into a rule, with a message per field the trader can act
// on before anything is sent. The server validates again (docs/alerts.md); this only spares a trip.
import type { AlertKind, AlertRule } from './alerts-api';

export interface AlertDraft {
  kind: AlertKind;
  symbol: string;
  portfolio: number | null;
  direction: string;
  /** Level, percent or points, as typed. */
  amount: string;
}

export type FieldProblems = Partial<Record<'symbol' | 'portfolio' | 'direction' | 'amount', string>>;

export const KIND_LABELS: Record<AlertKind, string> = {
  price: 'Price crosses a level',
  'day-move': 'Moves N % on the day',
  'portfolio-value': 'Portfolio value crosses',
  'day-pnl': 'Day P&L crosses',
  drift: 'Weight drifts from target',
};

export const DIRECTIONS: Record<AlertKind, string[]> = {
  price: ['above', 'below'],
  'day-move': ['up', 'down', 'either'],
  'portfolio-value': ['above', 'below'],
  'day-pnl': ['above', 'below'],
  drift: [],
};

const SYMBOL = /^[A-Z][A-Z0-9.]{0,9}$/;
const decimalsOf = (text: string) => (text.includes('.') ? text.split('.')[1]!.length : 0);

/** The rule, or the problems of each field that keeps it from being one. */
export function ruleOf(d: AlertDraft): { rule: AlertRule } | { problems: FieldProblems } {
  const problems: FieldProblems = {};
  const symbol = d.symbol.trim().toUpperCase();
  const needsSymbol = d.kind === 'price' || d.kind === 'day-move' || d.kind === 'drift';
  const needsPortfolio = d.kind !== 'price' && d.kind !== 'day-move';
  if (needsSymbol && !SYMBOL.test(symbol)) problems.symbol = 'Enter a symbol such as AAPL.';
  if (needsPortfolio && d.portfolio === null) problems.portfolio = 'Choose a portfolio.';
  if (DIRECTIONS[d.kind].length > 0 && !DIRECTIONS[d.kind].includes(d.direction))
    problems.direction = 'Choose a direction.';

  const text = d.amount.trim();
  const n = Number(text);
  if (text === '' || !Number.isFinite(n)) problems.amount = 'Enter a number.';
  else if (d.kind === 'price' && (n <= 0 || decimalsOf(text) > 6))
    problems.amount = 'A price above 0, at most 6 decimals.';
  else if (d.kind === 'day-move' && (n <= 0 || n > 100 || decimalsOf(text) > 2))
    problems.amount = 'A percent above 0 and at most 100, 2 decimals.';
  else if (d.kind === 'drift' && (n <= 0 || n > 100 || decimalsOf(text) > 2))
    problems.amount = 'Points above 0 and at most 100, 2 decimals.';
  else if (d.kind === 'portfolio-value' && (n < 0 || decimalsOf(text) > 2))
    problems.amount = 'An amount of at least 0, 2 decimals.';
  else if (d.kind === 'day-pnl' && decimalsOf(text) > 2) problems.amount = 'An amount with at most 2 decimals.';
  if (Object.keys(problems).length > 0) return { problems };

  const direction = d.direction as 'above';
  switch (d.kind) {
    case 'price':
      return { rule: { kind: 'price', symbol, direction, level: n } };
    case 'day-move':
      return { rule: { kind: 'day-move', symbol, direction: d.direction as 'up', percent: n } };
    case 'portfolio-value':
    case 'day-pnl':
      return { rule: { kind: d.kind, portfolio: d.portfolio!, direction, level: n } };
    case 'drift':
      return { rule: { kind: 'drift', portfolio: d.portfolio!, symbol, points: n } };
  }
}

/** One line for the list. */
export function describe(rule: AlertRule, portfolioName: (id: number) => string): string {
  switch (rule.kind) {
    case 'price':
      return `${rule.symbol} ${rule.direction} ${rule.level}`;
    case 'day-move':
      return `${rule.symbol} ${rule.direction === 'either' ? 'moves' : rule.direction} ${rule.percent} % on the day`;
    case 'portfolio-value':
      return `${portfolioName(rule.portfolio)} value ${rule.direction} ${rule.level}`;
    case 'day-pnl':
      return `${portfolioName(rule.portfolio)} day P&L ${rule.direction} ${rule.level}`;
    case 'drift':
      return `${portfolioName(rule.portfolio)} ${rule.symbol} ${rule.points} points from target`;
  }
}
