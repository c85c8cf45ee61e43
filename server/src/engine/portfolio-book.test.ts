import { describe, expect, it } from 'vitest';
import { MissingPriceError, PortfolioBook } from './portfolio-book.js';
import { QuoteBoard } from './quote-board.js';
import type { Holding, PortfolioDelta, PortfolioSnapshot, PositionChange } from './types.js';

// ---------------------------------------------------------------------------------------------
// What a client does with the frames: a snapshot is the whole state, a delta replaces the absolute
// values it carries. Written here, not imported, so the test does not trust the code it checks.
// ---------------------------------------------------------------------------------------------

interface ClientPosition {
  symbol: string;
  name: string;
  quantity: number;
  price: number;
  previousClose: number;
  value: number;
  cost: number;
  pnl: number;
  dayChange: number;
  weight: number;
  target: number | null;
  drift: number | null;
}

interface ClientState {
  seq: number;
  tickTime: number;
  value: number;
  cost: number;
  pnl: number;
  dayChange: number;
  dayChangePct: number;
  positions: Record<string, ClientPosition>;
}

/** The fields a delta may carry for a position, each an absolute new value. */
const CHANGE_FIELDS = ['price', 'previousClose', 'value', 'pnl', 'dayChange', 'weight', 'drift'] as const;
/** The portfolio-level fields a delta may carry. */
const TOTAL_FIELDS = ['value', 'pnl', 'dayChange', 'dayChangePct'] as const;

function fromSnapshot(s: PortfolioSnapshot): ClientState {
  const positions: Record<string, ClientPosition> = {};
  for (const p of s.positions) positions[p.symbol] = { ...p };
  return {
    seq: s.seq,
    tickTime: s.tickTime,
    value: s.value,
    cost: s.cost,
    pnl: s.pnl,
    dayChange: s.dayChange,
    dayChangePct: s.dayChangePct,
    positions,
  };
}

function applyDelta(state: ClientState, d: PortfolioDelta): ClientState {
  const positions = { ...state.positions };
  for (const [symbol, change] of Object.entries(d.positions)) {
    const known = positions[symbol];
    if (!known) throw new Error(`delta ${d.seq} changes ${symbol}, which the portfolio does not hold`);
    positions[symbol] = { ...known, ...change };
  }
  return {
    seq: d.seq,
    tickTime: d.tickTime,
    value: d.value ?? state.value,
    cost: state.cost,
    pnl: d.pnl ?? state.pnl,
    dayChange: d.dayChange ?? state.dayChange,
    dayChangePct: d.dayChangePct ?? state.dayChangePct,
    positions,
  };
}

/** One delta equivalent to `deltas` in order: a later absolute value overrides an earlier one. */
function mergeDeltas(deltas: readonly PortfolioDelta[]): PortfolioDelta {
  const last = deltas[deltas.length - 1]!;
  const merged: PortfolioDelta = {
    portfolio: last.portfolio,
    epoch: last.epoch,
    seq: last.seq,
    tickTime: last.tickTime,
    positions: {},
  };
  for (const d of deltas) {
    for (const field of TOTAL_FIELDS) if (d[field] !== undefined) merged[field] = d[field];
    for (const [symbol, change] of Object.entries(d.positions)) {
      const into: PositionChange = (merged.positions[symbol] ??= {});
      for (const field of CHANGE_FIELDS) if (change[field] !== undefined) into[field] = change[field];
    }
  }
  return merged;
}

/** The visible numbers only: seq and tickTime are bookkeeping, compared separately. */
function visible(s: ClientState) {
  const { value, cost, pnl, dayChange, dayChangePct, positions } = s;
  return { value, cost, pnl, dayChange, dayChangePct, positions };
}

// ---------------------------------------------------------------------------------------------
// The independent valuation: decimal strings read into BigInt, so no float and no money.ts.
// ---------------------------------------------------------------------------------------------

/** "12.345" → 12345n / 10^3 */
function parseDecimal(s: string): { units: bigint; places: number } {
  const [whole, fraction = ''] = s.split('.');
  return { units: BigInt(whole! + fraction), places: fraction.length };
}

/** numerator / denominator to the nearest integer, halves away from zero. */
function roundHalfAwayFromZero(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n;
  const n = negative ? -numerator : numerator;
  const rounded = (2n * n + denominator) / (2n * denominator);
  return negative ? -rounded : rounded;
}

function exactValueCents(quantity: string, price: string): number {
  const q = parseDecimal(quantity);
  const p = parseDecimal(price);
  return Number(roundHalfAwayFromZero(q.units * p.units * 100n, 10n ** BigInt(q.places + p.places)));
}

function exactAmountCents(amount: string): number {
  const a = parseDecimal(amount);
  return Number(roundHalfAwayFromZero(a.units * 100n, 10n ** BigInt(a.places)));
}

/** part / whole in basis points, halves away from zero; 0 for a whole of 0. */
function exactBasisPoints(part: number, whole: number): number {
  if (whole === 0) return 0;
  return Number(roundHalfAwayFromZero(BigInt(part) * 10_000n, BigInt(whole)));
}

/** A percentage with at most two places ("33.33") in basis points. */
function percentToBasisPoints(percent: string): number {
  const p = parseDecimal(percent);
  return Number(p.units * 10n ** BigInt(2 - p.places));
}

interface DecimalHolding {
  symbol: string;
  name: string;
  quantity: string;
  costBasis: string;
  /** Percent, at most two places; absent when no target is set. */
  targetWeight?: string;
}

/** What a client must see. `closes` holds every held symbol's previous close. */
function expectedVisible(
  holdings: readonly DecimalHolding[],
  prices: ReadonlyMap<string, string>,
  closes: ReadonlyMap<string, string>,
) {
  const rows = holdings.map((h) => {
    const price = prices.get(h.symbol)!;
    const close = closes.get(h.symbol);
    if (close === undefined) throw new Error(`the model has no previous close for ${h.symbol}`);
    return {
      h,
      price,
      close,
      value: exactValueCents(h.quantity, price),
      closeValue: exactValueCents(h.quantity, close),
      cost: exactAmountCents(h.costBasis),
    };
  });
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const value = sum(rows.map((r) => r.value));
  const closeValue = sum(rows.map((r) => r.closeValue));
  const cost = sum(rows.map((r) => r.cost));
  const positions: Record<string, ClientPosition> = {};
  for (const r of rows) {
    const weight = exactBasisPoints(r.value, value);
    const target = r.h.targetWeight === undefined ? null : percentToBasisPoints(r.h.targetWeight);
    positions[r.h.symbol] = {
      symbol: r.h.symbol,
      name: r.h.name,
      quantity: Number(r.h.quantity),
      price: Number(r.price),
      previousClose: Number(r.close),
      value: r.value,
      cost: r.cost,
      pnl: r.value - r.cost,
      dayChange: r.value - r.closeValue,
      weight,
      target,
      drift: target === null ? null : weight - target,
    };
  }
  return {
    value,
    cost,
    pnl: value - cost,
    dayChange: value - closeValue,
    dayChangePct: exactBasisPoints(value - closeValue, closeValue),
    positions,
  };
}

const toHolding = (h: DecimalHolding): Holding => ({
  symbol: h.symbol,
  name: h.name,
  quantity: Number(h.quantity),
  costBasis: Number(h.costBasis),
  targetWeight: h.targetWeight === undefined ? null : Number(h.targetWeight),
});

// ---------------------------------------------------------------------------------------------
// A seeded generator (mulberry32), so every run is the same run.
// ---------------------------------------------------------------------------------------------

function seeded(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!;
  const digits = (n: number) => Array.from({ length: n }, () => String(int(0, 9))).join('');
  /** A positive decimal string with an integer part up to `maxWhole` and up to `maxPlaces` places. */
  const decimal = (maxWhole: number, maxPlaces: number): string => {
    for (;;) {
      const places = int(0, maxPlaces);
      const s = places === 0 ? String(int(0, maxWhole)) : `${int(0, maxWhole)}.${digits(places)}`;
      if (parseDecimal(s).units > 0n) return s;
    }
  };
  return { next, int, pick, decimal };
}
type Rng = ReturnType<typeof seeded>;

const randomPrice = (rng: Rng) => (rng.next() < 0.3 ? rng.decimal(0, 6) : rng.decimal(3_000, 6));
const randomQuantity = (rng: Rng) => (rng.next() < 0.5 ? String(rng.int(1, 5_000)) : rng.decimal(500, 8));

/** The price one to three millionths away: often a new price with the same value in cents. */
function nudged(rng: Rng, price: string): string {
  const micros = parseDecimal(price).units * 10n ** BigInt(6 - parseDecimal(price).places);
  let moved = micros + BigInt(rng.pick([-3, -2, -1, 1, 2, 3]));
  if (moved <= 0n) moved = micros + 1n;
  const s = moved.toString().padStart(7, '0');
  return `${s.slice(0, -6)}.${s.slice(-6)}`;
}

function shuffled<T>(rng: Rng, xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

describe('PortfolioBook snapshot', () => {
  const holdings: Holding[] = [
    { symbol: 'AAPL', name: 'Apple Inc.', quantity: 40, costBasis: 6000 },
    { symbol: 'BRK.B', name: 'Berkshire Hathaway Inc.', quantity: 0.5, costBasis: 4.9951 },
    { symbol: 'VOO', name: 'Vanguard S&P 500 ETF', quantity: 1.23456789, costBasis: 1300.125 },
  ];

  function openedBook() {
    const quotes = new QuoteBoard();
    quotes.set('AAPL', 191.23, 1_000);
    quotes.set('BRK.B', 10.01, 3_000);
    quotes.set('VOO', 1000, 2_000);
    const book = new PortfolioBook(quotes);
    book.open({ id: 7, holdings }, 'ep1');
    return book;
  }

  it('values each position to the cent and totals the rounded rows', () => {
    // AAPL 40 × 191.23 = 7649.20; BRK.B 0.5 × 10.01 = 5.005 → 5.01 (half away from zero);
    // VOO 1.23456789 × 1000 = 1234.56789 → 1234.57. Costs: 6000.00, 4.9951 → 5.00, 1300.125 → 1300.13.
    // The total is the sum of rounded rows, 8888.78, not the rounded exact sum 8888.77289 → 8888.77.
    // No previous close is set, so each is the first price seen, which is still the last price:
    // every day change is zero. Weights:
    // 764920 / 888878 = 86.0545…% → 8605 bp; 501 / 888878 = 0.0563…% → 6; 123457 / 888878 = 13.8891…% → 1389.
    expect(openedBook().snapshot(7)).toEqual({
      portfolio: 7,
      epoch: 'ep1',
      seq: 0,
      tickTime: 3_000,
      value: 888_878,
      cost: 730_513,
      pnl: 158_365,
      dayChange: 0,
      dayChangePct: 0,
      positions: [
        {
          symbol: 'AAPL',
          name: 'Apple Inc.',
          quantity: 40,
          price: 191.23,
          previousClose: 191.23,
          value: 764_920,
          cost: 600_000,
          pnl: 164_920,
          dayChange: 0,
          weight: 8_605,
          target: null,
          drift: null,
        },
        {
          symbol: 'BRK.B',
          name: 'Berkshire Hathaway Inc.',
          quantity: 0.5,
          price: 10.01,
          previousClose: 10.01,
          value: 501,
          cost: 500,
          pnl: 1,
          dayChange: 0,
          weight: 6,
          target: null,
          drift: null,
        },
        {
          symbol: 'VOO',
          name: 'Vanguard S&P 500 ETF',
          quantity: 1.23456789,
          price: 1000,
          previousClose: 1000,
          value: 123_457,
          cost: 130_013,
          pnl: -6_556,
          dayChange: 0,
          weight: 1_389,
          target: null,
          drift: null,
        },
      ],
    });
  });

  it('sends the new price, value and pnl of a ticked position and the new totals', () => {
    const book = openedBook();
    book.applyTick('VOO', 1000.5, 4_000); // 1.23456789 × 1000.5 = 1235.185173945 → 1235.19
    // The previous close stays the first price, 1000 (1234.57), so it is not sent; the day change is
    // 1235.19 − 1234.57 = +0.62, and the portfolio's 62 / 888878 = 0.6975… bp → 1. Weights: VOO
    // 123519 / 888940 = 13.8950…% → 1390 (was 1389); AAPL 764920 / 888940 = 86.0485…% → 8605 and
    // BRK.B 501 / 888940 → 6 did not move, so are not sent.
    expect(book.takeDeltas()).toEqual([
      {
        portfolio: 7,
        epoch: 'ep1',
        seq: 1,
        tickTime: 4_000,
        value: 888_940,
        pnl: 158_427,
        dayChange: 62,
        dayChangePct: 1,
        positions: { VOO: { price: 1000.5, value: 123_519, pnl: -6_494, dayChange: 62, weight: 1_390 } },
      },
    ]);
    expect(book.snapshot(7)).toMatchObject({
      seq: 1,
      tickTime: 4_000,
      value: 888_940,
      pnl: 158_427,
      dayChange: 62,
      dayChangePct: 1,
    });
  });

  it('sends only the price when a new price leaves the value in cents unchanged', () => {
    const book = openedBook();
    book.applyTick('BRK.B', 10.011, 4_000); // 0.5 × 10.011 = 5.0055 → still 5.01
    // The previous close stays the first price, 10.01; values, weights and the day change do not move.
    expect(book.takeDeltas()).toEqual([
      {
        portfolio: 7,
        epoch: 'ep1',
        seq: 1,
        tickTime: 4_000,
        positions: { 'BRK.B': { price: 10.011 } },
      },
    ]);
  });

  it('sends nothing for a repeated price, a symbol not held, or a tick older than the known quote', () => {
    const book = openedBook();
    expect(book.applyTick('AAPL', 191.23, 5_000)).toBe(true);
    expect(book.applyTick('MSFT', 415.2, 5_000)).toBe(true);
    expect(book.applyTick('VOO', 999, 1_500)).toBe(false); // VOO is known at t = 2000
    expect(book.takeDeltas()).toEqual([]);
    expect(book.snapshot(7)).toMatchObject({ seq: 0, value: 888_878 });
    expect(book.snapshot(7).positions[2]).toMatchObject({ symbol: 'VOO', price: 1000 });
  });

  it('folds several ticks of one batch into one delta carrying the latest price', () => {
    const book = openedBook();
    book.applyTick('AAPL', 192, 4_000);
    book.applyTick('AAPL', 193, 4_001);
    book.applyTick('BRK.B', 12, 4_002);
    // AAPL 40 × 193 = 7720.00; BRK.B 0.5 × 12 = 6.00; total 7720 + 6 + 1234.57 = 8960.57
    // Weights: AAPL 772000 / 896057 = 86.1574…% → 8616; BRK.B 600 / 896057 = 0.0669…% → 7;
    // VOO, not ticked, 123457 / 896057 = 13.7777…% → 1378 (was 1389).
    // Day changes from the first prices: AAPL 7720.00 − 7649.20 = +70.80; BRK.B 6.00 − 5.01 = +0.99;
    // portfolio +71.79, 7179 / 888878 = 80.7647… bp → 81.
    expect(book.takeDeltas()).toEqual([
      {
        portfolio: 7,
        epoch: 'ep1',
        seq: 1,
        tickTime: 4_002,
        value: 896_057,
        pnl: 896_057 - 730_513,
        dayChange: 7_179,
        dayChangePct: 81,
        positions: {
          AAPL: { price: 193, value: 772_000, pnl: 172_000, dayChange: 7_080, weight: 8_616 },
          'BRK.B': { price: 12, value: 600, pnl: 100, dayChange: 99, weight: 7 },
          VOO: { weight: 1_378 },
        },
      },
    ]);
  });

  it('counts seq up by one per delta and reports the last one in a snapshot', () => {
    const book = openedBook();
    const seqs: number[] = [];
    for (const [i, price] of [200, 200, 201, 202, 202, 203].entries()) {
      book.applyTick('AAPL', price, 10_000 + i);
      for (const d of book.takeDeltas()) seqs.push(d.seq);
    }
    expect(seqs).toEqual([1, 2, 3, 4]); // the two repeats of a price produced nothing
    expect(book.snapshot(7).seq).toBe(4);
  });

  it('does not count ticks not yet taken in a snapshot; they arrive in the next delta', () => {
    const book = openedBook();
    book.applyTick('AAPL', 200, 4_000);
    expect(book.hasPending).toBe(true);
    expect(book.snapshot(7)).toMatchObject({ seq: 0, value: 888_878 });
    const [delta] = book.takeDeltas();
    expect(delta).toMatchObject({ seq: 1, value: 800_000 + 501 + 123_457 });
    expect(book.hasPending).toBe(false);
  });
});

describe('PortfolioBook open and close', () => {
  const holding = (symbol: string, quantity = 10, costBasis = 100): Holding => ({
    symbol,
    name: symbol,
    quantity,
    costBasis,
  });

  it('updates every open portfolio that holds a ticked symbol', () => {
    const quotes = new QuoteBoard();
    quotes.set('AAA', 10, 1);
    quotes.set('BBB', 20, 1);
    const book = new PortfolioBook(quotes);
    book.open({ id: 1, holdings: [holding('AAA', 10)] }, 'e1');
    book.open({ id: 2, holdings: [holding('AAA', 3), holding('BBB', 1)] }, 'e2');
    book.applyTick('AAA', 11, 2);
    const deltas = book.takeDeltas().sort((a, b) => a.portfolio - b.portfolio);
    // Portfolio 1 holds one position, always 100%. Portfolio 2: 3000 / 5000 = 60% and 2000 / 5000 = 40%
    // become 3300 / 5300 = 62.2641…% → 6226 and 2000 / 5300 = 37.7358…% → 3774.
    // AAA's previous close is its first price, 10. Portfolio 1: 110.00 − 100.00 = +10.00, 1000 / 10000
    // = 10% → 1000 bp. Portfolio 2: 33.00 − 30.00 = +3.00, 300 / 5000 = 6% → 600 bp.
    expect(deltas).toEqual([
      {
        portfolio: 1,
        epoch: 'e1',
        seq: 1,
        tickTime: 2,
        value: 11_000,
        pnl: 1_000,
        dayChange: 1_000,
        dayChangePct: 1_000,
        positions: { AAA: { price: 11, value: 11_000, pnl: 1_000, dayChange: 1_000 } },
      },
      {
        portfolio: 2,
        epoch: 'e2',
        seq: 1,
        tickTime: 2,
        value: 5_300,
        pnl: 5_300 - 20_000,
        dayChange: 300,
        dayChangePct: 600,
        positions: {
          AAA: { price: 11, value: 3_300, pnl: -6_700, dayChange: 300, weight: 6_226 },
          BBB: { weight: 3_774 },
        },
      },
    ]);
  });

  it('stops deltas for a closed portfolio and keeps them for the others', () => {
    const quotes = new QuoteBoard();
    quotes.set('AAA', 10, 1);
    const book = new PortfolioBook(quotes);
    book.open({ id: 1, holdings: [holding('AAA')] }, 'e1');
    book.open({ id: 2, holdings: [holding('AAA')] }, 'e2');
    book.applyTick('AAA', 11, 2);
    book.close(1); // with a tick pending for it
    expect(book.takeDeltas().map((d) => d.portfolio)).toEqual([2]);
    book.applyTick('AAA', 12, 3);
    expect(book.takeDeltas().map((d) => d.portfolio)).toEqual([2]);
    book.close(2);
    book.applyTick('AAA', 13, 4);
    expect(book.hasPending).toBe(false);
    expect(book.takeDeltas()).toEqual([]);
    expect(book.isOpen(1)).toBe(false);
    expect(book.openCount).toBe(0);
    expect(() => book.snapshot(1)).toThrow();
  });

  it('starts a reopened portfolio at seq 0 under its new epoch with the latest prices', () => {
    const quotes = new QuoteBoard();
    quotes.set('AAA', 10, 1);
    const book = new PortfolioBook(quotes);
    book.open({ id: 1, holdings: [holding('AAA')] }, 'old');
    book.applyTick('AAA', 11, 2);
    book.takeDeltas();
    book.close(1);
    book.applyTick('AAA', 12, 3);
    book.open({ id: 1, holdings: [holding('AAA')] }, 'new');
    expect(book.snapshot(1)).toMatchObject({ epoch: 'new', seq: 0, tickTime: 3, value: 12_000 });
  });

  it('refuses to open a portfolio twice', () => {
    const quotes = new QuoteBoard();
    quotes.set('AAA', 10, 1);
    const book = new PortfolioBook(quotes);
    book.open({ id: 1, holdings: [holding('AAA')] }, 'e');
    expect(() => book.open({ id: 1, holdings: [holding('AAA')] }, 'e')).toThrow(/already open/);
  });

  it('throws MissingPriceError for a symbol without a quote and leaves nothing behind', () => {
    const quotes = new QuoteBoard();
    quotes.set('AAA', 10, 1);
    const book = new PortfolioBook(quotes);
    expect(() => book.open({ id: 1, holdings: [holding('AAA'), holding('ZZZ')] }, 'e')).toThrow(MissingPriceError);
    expect(() => book.open({ id: 1, holdings: [holding('AAA'), holding('ZZZ')] }, 'e')).toThrow(/ZZZ/);
    expect(book.isOpen(1)).toBe(false);
    // The symbols it did have prices for must not keep producing deltas for a portfolio nobody follows.
    book.applyTick('AAA', 11, 2);
    expect(book.hasPending).toBe(false);
    expect(book.takeDeltas()).toEqual([]);
  });
});

describe('PortfolioBook day change', () => {
  // AAA 3 × 10.505 = 31.515 → 31.52, at the close 3 × 10 = 30.00: +1.52.
  // BBB 0.5 × 10.01 = 5.005 → 5.01, at the close 0.5 × 10.0098 = 5.0049 → 5.00: +0.01, the
  //   difference of the rounded values (the exact difference, 0.0001, would round to 0.00).
  // CCC 2 × 19.99 = 39.98, at the close 2 × 20.50 = 41.00: −1.02.
  // Portfolio 76.51 against 76.00 at the close: +0.51, 51 / 7600 = 0.6710…% → 67 bp.
  const holdings: Holding[] = [
    { symbol: 'AAA', name: 'A', quantity: 3, costBasis: 30 },
    { symbol: 'BBB', name: 'B', quantity: 0.5, costBasis: 5 },
    { symbol: 'CCC', name: 'C', quantity: 2, costBasis: 50 },
  ];

  function openedBook() {
    const quotes = new QuoteBoard();
    for (const [symbol, price, close] of [
      ['AAA', 10.505, 10],
      ['BBB', 10.01, 10.0098],
      ['CCC', 19.99, 20.5],
    ] as const) {
      quotes.set(symbol, price, 1_000);
      quotes.setPreviousClose(symbol, close);
    }
    const book = new PortfolioBook(quotes);
    book.open({ id: 3, holdings }, 'e');
    return book;
  }

  it('measures each position and the portfolio against the previous close, both rounded to cents', () => {
    const snapshot = openedBook().snapshot(3);
    expect(snapshot).toMatchObject({ value: 7_651, dayChange: 51, dayChangePct: 67 });
    expect(
      snapshot.positions.map(({ symbol, previousClose, value, dayChange }) => ({
        symbol,
        previousClose,
        value,
        dayChange,
      })),
    ).toEqual([
      { symbol: 'AAA', previousClose: 10, value: 3_152, dayChange: 152 },
      { symbol: 'BBB', previousClose: 10.0098, value: 501, dayChange: 1 },
      { symbol: 'CCC', previousClose: 20.5, value: 3_998, dayChange: -102 },
    ]);
  });

  it('sends the new day change of a ticked position and of the portfolio', () => {
    const book = openedBook();
    book.applyTick('CCC', 20.5, 2_000); // back to its close: 41.00, a day change of 0
    // Portfolio 31.52 + 5.01 + 41.00 = 77.53 against 76.00: +1.53, 153 / 7600 = 2.0131…% → 201 bp.
    const [delta] = book.takeDeltas();
    expect(delta).toMatchObject({ seq: 1, value: 7_753, dayChange: 153, dayChangePct: 201 });
    expect(delta!.positions.CCC).toMatchObject({ price: 20.5, value: 4_100, dayChange: 0 });
    expect(delta!.positions.CCC).not.toHaveProperty('previousClose');
  });

  it('rounds a day change of exactly half a basis point away from zero, down as well as up', () => {
    const quotes = new QuoteBoard();
    quotes.set('AAA', 199.99, 1);
    quotes.setPreviousClose('AAA', 200);
    quotes.set('BBB', 200.01, 1);
    quotes.setPreviousClose('BBB', 200);
    const book = new PortfolioBook(quotes);
    book.open({ id: 1, holdings: [{ symbol: 'AAA', name: 'A', quantity: 1, costBasis: 0 }] }, 'e');
    book.open({ id: 2, holdings: [{ symbol: 'BBB', name: 'B', quantity: 1, costBasis: 0 }] }, 'e');
    // −1 / 20000 and +1 / 20000 are −0.5 and +0.5 bp.
    expect(book.snapshot(1)).toMatchObject({ dayChange: -1, dayChangePct: -1 });
    expect(book.snapshot(2)).toMatchObject({ dayChange: 1, dayChangePct: 1 });
  });

  it('reports a loss too small for a basis point as 0, not -0', () => {
    const quotes = new QuoteBoard();
    quotes.set('AAA', 9_999.99, 1);
    quotes.setPreviousClose('AAA', 10_000);
    const book = new PortfolioBook(quotes);
    book.open({ id: 1, holdings: [{ symbol: 'AAA', name: 'A', quantity: 1, costBasis: 0 }] }, 'e');
    // −1 / 1000000 = −0.01 bp.
    const { dayChange, dayChangePct } = book.snapshot(1);
    expect(dayChange).toBe(-1);
    expect(Object.is(dayChangePct, 0)).toBe(true);
  });

  it('restarts day changes from zero at a session close, with a delta for every position', () => {
    const book = openedBook();
    book.closeSession();
    expect(book.hasPending).toBe(true);
    expect(book.takeDeltas()).toEqual([
      {
        portfolio: 3,
        epoch: 'e',
        seq: 1,
        tickTime: 1_000,
        dayChange: 0,
        dayChangePct: 0,
        positions: {
          AAA: { previousClose: 10.505, dayChange: 0 },
          BBB: { previousClose: 10.01, dayChange: 0 },
          CCC: { previousClose: 19.99, dayChange: 0 },
        },
      },
    ]);
    const snapshot = book.snapshot(3);
    expect(snapshot).toMatchObject({ seq: 1, value: 7_651, dayChange: 0, dayChangePct: 0 });
    expect(snapshot.positions.map((p) => p.dayChange)).toEqual([0, 0, 0]);
    // A second close at the same prices changes nothing visible.
    book.closeSession();
    expect(book.takeDeltas()).toEqual([]);
  });

  it('measures ticks after a session close from the new close', () => {
    const book = openedBook();
    book.closeSession();
    book.takeDeltas();
    book.applyTick('AAA', 11, 2_000); // 3 × 11 = 33.00 against 31.52: +1.48; 148 / 7651 = 1.9344…% → 193 bp
    const [delta] = book.takeDeltas();
    expect(delta).toMatchObject({ seq: 2, value: 7_799, dayChange: 148, dayChangePct: 193 });
    expect(delta!.positions.AAA).toMatchObject({ price: 11, value: 3_300, dayChange: 148 });
    expect(delta!.positions.AAA).not.toHaveProperty('previousClose');
  });

  it('keeps the first price of a symbol without a known close as its previous close', () => {
    const quotes = new QuoteBoard();
    quotes.set('AAA', 10, 1); // no close set: 10 becomes the previous close
    quotes.set('AAA', 10.5, 2);
    const book = new PortfolioBook(quotes);
    book.open({ id: 1, holdings: [{ symbol: 'AAA', name: 'A', quantity: 2, costBasis: 15 }] }, 'e');
    // 2 × 10.50 = 21.00 against 2 × 10 = 20.00: +1.00, 100 / 2000 = 5% → 500 bp.
    expect(book.snapshot(1)).toMatchObject({ value: 2_100, dayChange: 100, dayChangePct: 500 });
    expect(book.snapshot(1).positions[0]).toMatchObject({ price: 10.5, previousClose: 10, dayChange: 100 });
    // 2 × 12 = 24.00: +4.00, 400 / 2000 = 20% → 2000 bp; pnl 24.00 − 15.00 = 9.00. No previousClose.
    book.applyTick('AAA', 12, 3);
    expect(book.takeDeltas()).toEqual([
      {
        portfolio: 1,
        epoch: 'e',
        seq: 1,
        tickTime: 3,
        value: 2_400,
        pnl: 900,
        dayChange: 400,
        dayChangePct: 2_000,
        positions: { AAA: { price: 12, value: 2_400, pnl: 900, dayChange: 400 } },
      },
    ]);
    // 2 × 9 = 18.00: −2.00, −200 / 2000 = −10% → −1000 bp; pnl 18.00 − 15.00 = 3.00.
    book.applyTick('AAA', 9, 4);
    expect(book.takeDeltas()).toEqual([
      {
        portfolio: 1,
        epoch: 'e',
        seq: 2,
        tickTime: 4,
        value: 1_800,
        pnl: 300,
        dayChange: -200,
        dayChangePct: -1_000,
        positions: { AAA: { price: 9, value: 1_800, pnl: 300, dayChange: -200 } },
      },
    ]);
    expect(quotes.previousClose('AAA')).toBe(10);
  });
});

describe('PortfolioBook weights and drift', () => {
  function bookWith(prices: Record<string, number>) {
    const quotes = new QuoteBoard();
    for (const [symbol, price] of Object.entries(prices)) {
      quotes.set(symbol, price, 1);
      quotes.setPreviousClose(symbol, price);
    }
    return new PortfolioBook(quotes);
  }
  const holding = (symbol: string, targetWeight?: number | null): Holding => ({
    symbol,
    name: symbol,
    quantity: 1,
    costBasis: 0,
    targetWeight,
  });
  const weights = (book: PortfolioBook, id: number) =>
    Object.fromEntries(book.snapshot(id).positions.map((p) => [p.symbol, p.weight]));

  it('gives three equal positions a third each, 3333 bp, which sum to 9999', () => {
    const book = bookWith({ AAA: 10, BBB: 10, CCC: 10 });
    book.open({ id: 1, holdings: [holding('AAA'), holding('BBB'), holding('CCC')] }, 'e');
    expect(weights(book, 1)).toEqual({ AAA: 3_333, BBB: 3_333, CCC: 3_333 });
  });

  it('rounds each weight half away from zero on its own, so weights may sum past 10000', () => {
    // 0.01 / 200.00 = 0.5 bp → 1; 199.99 / 200.00 = 9999.5 bp → 10000.
    const book = bookWith({ AAA: 0.01, BBB: 199.99 });
    book.open({ id: 1, holdings: [holding('AAA'), holding('BBB')] }, 'e');
    expect(weights(book, 1)).toEqual({ AAA: 1, BBB: 10_000 });
  });

  it('gives the only position of a portfolio all of it, and an empty-valued portfolio no weights', () => {
    const book = bookWith({ AAA: 5, ZERO: 0 });
    book.open({ id: 1, holdings: [holding('AAA')] }, 'e');
    book.open({ id: 2, holdings: [holding('ZERO')] }, 'e');
    expect(weights(book, 1)).toEqual({ AAA: 10_000 });
    expect(weights(book, 2)).toEqual({ ZERO: 0 });
  });

  it('reports drift as weight minus target where a target is set, and null where none is', () => {
    const book = bookWith({ AAA: 10, BBB: 10, CCC: 10, DDD: 10 });
    book.open(
      { id: 1, holdings: [holding('AAA', 40), holding('BBB', 12.5), holding('CCC', null), holding('DDD')] },
      'e',
    );
    const view = book
      .snapshot(1)
      .positions.map(({ symbol, weight, target, drift }) => ({ symbol, weight, target, drift }));
    expect(view).toEqual([
      { symbol: 'AAA', weight: 2_500, target: 4_000, drift: -1_500 },
      { symbol: 'BBB', weight: 2_500, target: 1_250, drift: 1_250 },
      { symbol: 'CCC', weight: 2_500, target: null, drift: null },
      { symbol: 'DDD', weight: 2_500, target: null, drift: null },
    ]);
  });

  it('reads a target of 33.33% as exactly 3333 bp', () => {
    const book = bookWith({ AAA: 10, BBB: 10, CCC: 10 });
    book.open({ id: 1, holdings: [holding('AAA', 33.33), holding('BBB', 33.34), holding('CCC', 33.33)] }, 'e');
    expect(book.snapshot(1).positions.map((p) => [p.target, p.drift])).toEqual([
      [3_333, 0],
      [3_334, -1],
      [3_333, 0],
    ]);
  });

  it('sends only the weights that move by a basis point, with the drift of those that have a target', () => {
    // AAA 10000.00, BBB 50.00, CCC 50.00 of 10100.00: 9900.99 → 9901, 49.50 → 50, 49.50 → 50 bp.
    const book = bookWith({ AAA: 10_000, BBB: 50, CCC: 50 });
    book.open({ id: 1, holdings: [holding('AAA', 99), holding('BBB', 0.5), holding('CCC')] }, 'e');
    expect(weights(book, 1)).toEqual({ AAA: 9_901, BBB: 50, CCC: 50 });

    // BBB 50.01 of 10100.01: AAA 9900.98, BBB 49.51, CCC 49.50: no weight moves a basis point.
    book.applyTick('BBB', 50.01, 2);
    expect(book.takeDeltas()).toEqual([
      {
        portfolio: 1,
        epoch: 'e',
        seq: 1,
        tickTime: 2,
        value: 1_010_001,
        pnl: 1_010_001,
        dayChange: 1,
        positions: { BBB: { price: 50.01, value: 5_001, pnl: 5_001, dayChange: 1 } },
      },
    ]);

    // BBB 50.60 of 10100.60: AAA 9900.40 → 9900 moves; BBB 50.09 → 50 and CCC 49.50 → 50 do not.
    // The day change 60 / 1010000 = 0.59 bp → 1 is the first to move the portfolio's percentage.
    book.applyTick('BBB', 50.6, 3);
    expect(book.takeDeltas()).toEqual([
      {
        portfolio: 1,
        epoch: 'e',
        seq: 2,
        tickTime: 3,
        value: 1_010_060,
        pnl: 1_010_060,
        dayChange: 60,
        dayChangePct: 1,
        positions: {
          BBB: { price: 50.6, value: 5_060, pnl: 5_060, dayChange: 60 },
          AAA: { weight: 9_900, drift: 0 },
        },
      },
    ]);
  });

  it('moves weights when two positions change by equal and opposite amounts, leaving the total alone', () => {
    // AAA 100 and BBB 200 of 300: 3333 and 6667 bp. They swap prices in one batch: the total stays 300.
    const book = bookWith({ AAA: 100, BBB: 200 });
    book.open({ id: 1, holdings: [holding('AAA'), holding('BBB')] }, 'e');
    book.applyTick('AAA', 200, 2);
    book.applyTick('BBB', 100, 2);
    expect(book.takeDeltas()).toEqual([
      {
        portfolio: 1,
        epoch: 'e',
        seq: 1,
        tickTime: 2,
        positions: {
          AAA: { price: 200, value: 20_000, pnl: 20_000, dayChange: 10_000, weight: 6_667 },
          BBB: { price: 100, value: 10_000, pnl: 10_000, dayChange: -10_000, weight: 3_333 },
        },
      },
    ]);
    expect(weights(book, 1)).toEqual({ AAA: 6_667, BBB: 3_333 });
  });
});

// ---------------------------------------------------------------------------------------------

describe('PortfolioBook delta stream (seeded random runs)', () => {
  const HELD = ['AAA', 'BBB', 'CCC', 'DDD', 'EEE', 'FFF'];
  /** Never held by any portfolio; GGG is quoted from the start, HHH only once it ticks. */
  const NOT_HELD = ['GGG', 'HHH'];
  const START = 1_764_064_000_000;
  const RUNS = 200;

  interface Follower {
    id: number;
    holdings: DecimalHolding[];
    /** Stays connected the whole run; its states and deltas feed the merge check. */
    steady: ClientState;
    history: ClientState[];
    deltas: PortfolioDelta[];
    /** Disconnects and reconnects at random; undefined while away. */
    flaky: ClientState | undefined;
    lastSeq: number;
    /** The newest accepted tick time of any held symbol. */
    tickTime: number;
  }

  interface RunStats {
    deltas: number;
    /** Position changes carrying a weight, and those carrying a drift. */
    weights: number;
    drifts: number;
    /** Position changes carrying a non-zero day change. */
    dayChanges: number;
    sessionCloses: number;
  }

  function run(seed: number, stats: RunStats) {
    const rng = seeded(seed);
    const where = `seed ${seed}`;
    const quotes = new QuoteBoard();
    const book = new PortfolioBook(quotes);
    const prices = new Map<string, string>();
    /** Every quoted symbol's previous close: the one set, else the first price seen for it. */
    const closes = new Map<string, string>();
    const times = new Map<string, number>();
    let clock = START;

    for (const symbol of [...HELD, 'GGG']) {
      const price = randomPrice(rng);
      quotes.set(symbol, Number(price), START);
      prices.set(symbol, price);
      times.set(symbol, START);
      if (rng.next() < 0.7) {
        // Often a close a few millionths away: a day change that may or may not show in cents.
        const close = rng.next() < 0.5 ? nudged(rng, price) : randomPrice(rng);
        quotes.setPreviousClose(symbol, Number(close));
        closes.set(symbol, close);
      } else {
        closes.set(symbol, price); // no close set: the first price is the previous close, for good
      }
    }
    const closeSession = () => {
      book.closeSession();
      for (const [symbol, price] of prices) closes.set(symbol, price);
      stats.sessionCloses++;
    };
    const expectedOf = (f: Follower) => expectedVisible(f.holdings, prices, closes);

    const followers: Follower[] = [];
    const portfolioCount = rng.int(1, 3);
    for (let id = 1; id <= portfolioCount; id++) {
      const symbols = shuffled(rng, HELD).slice(0, rng.int(1, 4));
      const holdings: DecimalHolding[] = symbols.map((symbol) => ({
        symbol,
        name: `${symbol} Corp.`,
        quantity: randomQuantity(rng),
        costBasis: rng.decimal(1_000_000, 4),
        ...(rng.next() < 0.5 ? { targetWeight: rng.decimal(100, 2) } : {}),
      }));
      book.open({ id, holdings: holdings.map(toHolding) }, `epoch-${id}`);
      const snapshot = fromSnapshot(book.snapshot(id));
      expect(snapshot.seq, where).toBe(0);
      expect(visible(snapshot), where).toEqual(expectedVisible(holdings, prices, closes));
      followers.push({
        id,
        holdings,
        steady: snapshot,
        history: [snapshot],
        deltas: [],
        flaky: snapshot,
        lastSeq: 0,
        tickTime: START,
      });
    }

    const batches = rng.int(5, 40);
    for (let b = 0; b < batches; b++) {
      const before = followers.map(expectedOf);
      const tickCount = rng.int(1, 6);
      const reconnectAt = rng.int(0, tickCount + 3); // past tickCount: nobody reconnects in this batch
      const closeAt = rng.next() < 0.15 ? rng.int(0, tickCount) : -1; // tickCount: after the ticks
      for (let t = 0; t < tickCount; t++) {
        if (t === reconnectAt) reconnect(rng, book, followers, before, where);
        if (t === closeAt) closeSession();
        const symbol = rng.pick([...HELD, ...NOT_HELD]);
        const known = prices.get(symbol);
        const kind = known === undefined ? 'new' : rng.pick(['new', 'new', 'nudge', 'same', 'older'] as const);
        const price = kind === 'same' ? known! : kind === 'nudge' ? nudged(rng, known!) : randomPrice(rng);
        const time = kind === 'older' ? times.get(symbol)! - rng.int(1, 1_000) : (clock += rng.int(1, 25));
        expect(book.applyTick(symbol, Number(price), time), where).toBe(kind !== 'older');
        if (kind === 'older') continue;
        prices.set(symbol, price);
        times.set(symbol, time);
        if (!closes.has(symbol)) closes.set(symbol, price); // HHH's first tick: its previous close
        for (const f of followers)
          if (f.holdings.some((h) => h.symbol === symbol)) f.tickTime = Math.max(f.tickTime, time);
      }
      if (closeAt === tickCount) closeSession();

      const deltas = book.takeDeltas();
      expect(book.hasPending, where).toBe(false);
      followers.forEach((f, i) => {
        const after = expectedOf(f);
        const was = before[i]!;
        const mine = deltas.filter((d) => d.portfolio === f.id);
        const changedFields = (symbol: string) =>
          CHANGE_FIELDS.filter((k) => after.positions[symbol]![k] !== was.positions[symbol]![k]);
        const moved = f.holdings.filter((h) => changedFields(h.symbol).length > 0);
        if (moved.length === 0) {
          expect(mine, `${where}: nothing visible changed, so no delta`).toEqual([]);
          return;
        }
        expect(mine, where).toHaveLength(1);
        const delta = mine[0]!;
        expect(delta.seq, where).toBe(f.lastSeq + 1);
        expect(delta.epoch, where).toBe(`epoch-${f.id}`);
        expect(delta.tickTime, where).toBe(f.tickTime);
        // Only what changed travels: each position that changed, with exactly the fields that did.
        expect(Object.keys(delta.positions).sort(), where).toEqual(moved.map((h) => h.symbol).sort());
        for (const h of moved) {
          expect(Object.keys(delta.positions[h.symbol]!).sort(), `${where} ${h.symbol}`).toEqual(
            [...changedFields(h.symbol)].sort(),
          );
        }
        for (const field of TOTAL_FIELDS) {
          expect(delta[field] !== undefined, `${where} ${field}`).toBe(after[field] !== was[field]);
        }
        for (const change of Object.values(delta.positions)) {
          if (change.weight !== undefined) stats.weights++;
          if (change.drift !== undefined) stats.drifts++;
          if (change.dayChange !== undefined && change.dayChange !== 0) stats.dayChanges++;
        }
        f.lastSeq = delta.seq;
        f.steady = applyDelta(f.steady, delta);
        f.history.push(f.steady);
        f.deltas.push(delta);
        if (f.flaky) {
          expect(delta.seq, where).toBe(f.flaky.seq + 1);
          f.flaky = applyDelta(f.flaky, delta);
        }
      });

      for (const f of followers) {
        const expected = expectedOf(f);
        expect(visible(f.steady), where).toEqual(expected);
        if (f.flaky) expect(visible(f.flaky), where).toEqual(expected);
      }
      if (reconnectAt >= tickCount && rng.next() < 0.3) {
        reconnect(rng, book, followers, followers.map(expectedOf), where);
      }
    }

    // Any run of consecutive deltas, merged and applied at once, lands where applying them one by one did.
    for (const f of followers) {
      const n = f.deltas.length;
      for (let k = 0; k < 5 && n > 0; k++) {
        const from = rng.int(0, n - 1);
        const to = rng.int(from + 1, n);
        const merged = mergeDeltas(f.deltas.slice(from, to));
        expect(applyDelta(f.history[from]!, merged), where).toEqual(f.history[to]);
      }
      if (n > 0) expect(applyDelta(f.history[0]!, mergeDeltas(f.deltas)), where).toEqual(f.steady);
    }
    stats.deltas += followers.reduce((sum, f) => sum + f.deltas.length, 0);
  }

  /** Each flaky client drops its state or, if away, takes a fresh snapshot, at random. */
  function reconnect(
    rng: Rng,
    book: PortfolioBook,
    followers: Follower[],
    asOfLastDelta: ReturnType<typeof expectedVisible>[],
    where: string,
  ) {
    followers.forEach((f, i) => {
      if (rng.next() < 0.5) return;
      if (f.flaky) {
        f.flaky = undefined;
        return;
      }
      const snapshot = book.snapshot(f.id);
      expect(snapshot.seq, where).toBe(f.lastSeq);
      expect(snapshot.epoch, where).toBe(`epoch-${f.id}`);
      f.flaky = fromSnapshot(snapshot);
      expect(visible(f.flaky), where).toEqual(asOfLastDelta[i]);
    });
  }

  it(`a client that follows snapshots and deltas always holds the exactly computed state (${RUNS} runs)`, () => {
    const stats: RunStats = { deltas: 0, weights: 0, drifts: 0, dayChanges: 0, sessionCloses: 0 };
    for (let seed = 1; seed <= RUNS; seed++) run(seed, stats);
    // The runs must actually exercise the stream, not pass vacuously.
    expect(stats.deltas).toBeGreaterThan(RUNS * 5);
    expect(stats.weights).toBeGreaterThan(RUNS);
    expect(stats.drifts).toBeGreaterThan(RUNS / 2);
    expect(stats.dayChanges).toBeGreaterThan(RUNS);
    expect(stats.sessionCloses).toBeGreaterThan(RUNS / 2);
  });
});
