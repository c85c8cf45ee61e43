// A portfolio's value at the end of every bucket of a range, from its holdings and cash at the start
// of the range, the transactions during it and each symbol's closes. Pure: the history service does
// the I/O. Money follows docs/money.md: each position quantity x price rounded to cents, half away
// from zero, and the value is the sum of those rows plus cash, all in integer cents.
import { amountToCents, valueCents, type Cents } from '../engine/money.js';
import type { CloseSeries } from '../store/candles.js';
import type { HoldingAsOf, TransactionRow } from '../store/transactions.js';

export interface ValuationInput {
  /** Bucket width in ms; a bucket starting at t is valued at min(t + width, to). */
  width: number;
  to: number;
  /** Holdings and cash just before the range starts. */
  opening: { holdings: readonly HoldingAsOf[]; cash: number };
  /** The transactions inside the range, oldest first. */
  transactions: readonly TransactionRow[];
  /** Closes per symbol inside the range; every symbol's buckets make up the time axis. */
  closes: readonly CloseSeries[];
  /** Each symbol's last close before the range, for symbols without a close in a bucket yet. */
  closesBefore: ReadonlyMap<string, number>;
}

export interface ValueSeries {
  /** Bucket start times. */
  time: number[];
  /** Value at the end of each bucket (positions plus cash), in cents. */
  value: Cents[];
  /** Deposits minus withdrawals during each bucket, in cents. */
  flow: Cents[];
  /** Cash at the end of each bucket, in cents. */
  cash: Cents[];
}

interface Position {
  quantity: number;
  /** The last trade's price: the value of last resort for a symbol that has no close yet. */
  tradePrice: number | undefined;
}

/** Cash effect of a transaction, in cents. */
export function cashEffect(t: Pick<TransactionRow, 'kind' | 'amount'>): Cents {
  const cents = amountToCents(t.amount);
  return t.kind === 'deposit' || t.kind === 'sell' || t.kind === 'dividend' ? cents : -cents;
}

/** External flow of a transaction (what TWR neutralises), in cents. */
export function externalFlow(t: Pick<TransactionRow, 'kind' | 'amount'>): Cents {
  if (t.kind === 'deposit') return amountToCents(t.amount);
  if (t.kind === 'withdrawal') return -amountToCents(t.amount);
  return 0;
}

export function valuePortfolio(input: ValuationInput): ValueSeries {
  const times = bucketTimes(input.closes);
  const series = new Map(
    input.closes.map((s) => [s.symbol, { ...s, next: 0, last: input.closesBefore.get(s.symbol) }]),
  );
  const positions = new Map<string, Position>(
    input.opening.holdings.map((h) => [h.symbol, { quantity: h.quantity, tradePrice: h.lastTradePrice ?? undefined }]),
  );
  let cash = amountToCents(input.opening.cash);
  let t = 0;
  const out: ValueSeries = { time: times, value: [], flow: [], cash: [] };

  for (const start of times) {
    const end = Math.min(start + input.width, input.to);
    let flow = 0;
    for (; t < input.transactions.length && input.transactions[t]!.time < end; t++) {
      const tx = input.transactions[t]!;
      cash += cashEffect(tx);
      flow += externalFlow(tx);
      if ((tx.kind === 'buy' || tx.kind === 'sell') && tx.symbol) {
        const p = positions.get(tx.symbol) ?? { quantity: 0, tradePrice: undefined };
        // Quantities carry at most 8 decimals: add them as integers of 1e-8 so no float residue stays.
        const delta = Math.round(tx.quantity! * 1e8) * (tx.kind === 'buy' ? 1 : -1);
        p.quantity = (Math.round(p.quantity * 1e8) + delta) / 1e8;
        p.tradePrice = tx.price ?? p.tradePrice;
        positions.set(tx.symbol, p);
      }
    }
    let value = cash;
    for (const [symbol, position] of positions) {
      if (position.quantity === 0) continue;
      const price = closeAt(series.get(symbol), start) ?? input.closesBefore.get(symbol) ?? position.tradePrice;
      if (price !== undefined) value += valueCents(position.quantity, price);
    }
    out.value.push(value);
    out.flow.push(flow);
    out.cash.push(cash);
  }
  return out;
}

/** The close of the bucket starting at `start`, or the last one before it (carried forward). */
function closeAt(
  s: (CloseSeries & { next: number; last: number | undefined }) | undefined,
  start: number,
): number | undefined {
  if (!s) return undefined;
  while (s.next < s.times.length && s.times[s.next]! <= start) s.last = s.closes[s.next++]!;
  return s.last;
}

/** Every bucket start that any series has, ascending. */
function bucketTimes(closes: readonly CloseSeries[]): number[] {
  const all = new Set<number>();
  for (const s of closes) for (const time of s.times) all.add(time);
  return [...all].sort((a, b) => a - b);
}

/** A benchmark's closes on the same time axis (carried forward), and its return since the first. */
export function benchmarkSeries(
  time: readonly number[],
  closes: CloseSeries | undefined,
  before: number | undefined,
): { close: (number | null)[]; return: (number | null)[] } {
  const s = closes ? { ...closes, next: 0, last: before } : undefined;
  const close = time.map((start) => closeAt(s, start) ?? null);
  const base = close.find((c) => c !== null);
  return { close, return: close.map((c) => (c === null || base == null ? null : c / base - 1)) };
}
