// Number formats for the dashboard, built once: Intl.NumberFormat is costly to construct and
// a busy table formats thousands of cells a second.

// Fixed rather than the browser's locale so a figure reads the same on every desk and in the
// browser tests (e.g. `125,034.17`).
const LOCALE = 'en-US';

const money = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const signedMoney = new Intl.NumberFormat(LOCALE, {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
  signDisplay: 'exceptZero',
});
// Prices arrive as the tick carried them; sub-cent instruments keep their precision.
const price = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 6 });
const quantity = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 8 });

export const formatMoney = (amount: number): string => money.format(amount);
/** P&L with an explicit sign, so gain and loss never rely on colour alone. */
export const formatPnl = (amount: number): string => signedMoney.format(amount);
export const formatPrice = (amount: number): string => price.format(amount);
export const formatQuantity = (amount: number): string => quantity.format(amount);

/** CSS class for a P&L figure. */
export const pnlTone = (amount: number): 'gain' | 'loss' | 'flat' =>
  amount > 0 ? 'gain' : amount < 0 ? 'loss' : 'flat';

const percent = new Intl.NumberFormat(LOCALE, {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
  signDisplay: 'exceptZero',
});
const ratio = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const day = new Intl.DateTimeFormat(LOCALE, { month: 'short', day: 'numeric', year: 'numeric' });
const moment = new Intl.DateTimeFormat(LOCALE, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});
const clock = new Intl.DateTimeFormat(LOCALE, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

/** A figure already in percent (weights, day change %), signed: `+1.25 %`. */
export const formatPct = (pct: number): string => `${percent.format(pct)} %`;
/** A fraction (0.0125) as a signed percent: `+1.25 %`; `—` when undefined. */
export const formatFraction = (fraction: number | null): string =>
  fraction === null ? '—' : formatPct(fraction * 100);
/** A weight in percent, unsigned: `6.12 %`. */
export const formatWeight = (pct: number): string => `${ratio.format(pct)} %`;
export const formatRatio = (x: number | null): string => (x === null ? '—' : ratio.format(x));
export const formatDay = (ms: number): string => day.format(ms);
export const formatMoment = (ms: number): string => moment.format(ms);
export const formatClock = (ms: number): string => clock.format(ms);
