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
