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
  value: number;
  cost: number;
  pnl: number;
}

interface ClientState {
  seq: number;
  tickTime: number;
  value: number;
  cost: number;
  pnl: number;
  positions: Record<string, ClientPosition>;
}

function fromSnapshot(s: PortfolioSnapshot): ClientState {
  const positions: Record<string, ClientPosition> = {};
  for (const p of s.positions) positions[p.symbol] = { ...p };
  return { seq: s.seq, tickTime: s.tickTime, value: s.value, cost: s.cost, pnl: s.pnl, positions };
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
    if (d.value !== undefined) merged.value = d.value;
    if (d.pnl !== undefined) merged.pnl = d.pnl;
    for (const [symbol, change] of Object.entries(d.positions)) {
      const into: PositionChange = (merged.positions[symbol] ??= {});
      if (change.price !== undefined) into.price = change.price;
      if (change.value !== undefined) into.value = change.value;
      if (change.pnl !== undefined) into.pnl = change.pnl;
    }
  }
  return merged;
}

/** The visible numbers only: seq and tickTime are bookkeeping, compared separately. */
function visible(s: ClientState) {
  return { value: s.value, cost: s.cost, pnl: s.pnl, positions: s.positions };
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

interface DecimalHolding {
  symbol: string;
  name: string;
  quantity: string;
  costBasis: string;
}

function expectedVisible(holdings: readonly DecimalHolding[], prices: ReadonlyMap<string, string>) {
  const positions: Record<string, ClientPosition> = {};
  let value = 0;
  let cost = 0;
  for (const h of holdings) {
    const price = prices.get(h.symbol)!;
    const v = exactValueCents(h.quantity, price);
    const c = exactAmountCents(h.costBasis);
    positions[h.symbol] = {
      symbol: h.symbol,
      name: h.name,
      quantity: Number(h.quantity),
      price: Number(price),
      value: v,
      cost: c,
      pnl: v - c,
    };
    value += v;
    cost += c;
  }
  return { value, cost, pnl: value - cost, positions };
}

const toHolding = (h: DecimalHolding): Holding => ({
  symbol: h.symbol,
  name: h.name,
  quantity: Number(h.quantity),
  costBasis: Number(h.costBasis),
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
    expect(openedBook().snapshot(7)).toEqual({
      portfolio: 7,
      epoch: 'ep1',
      seq: 0,
      tickTime: 3_000,
      value: 888_878,
      cost: 730_513,
      pnl: 158_365,
      positions: [
        {
          symbol: 'AAPL',
          name: 'Apple Inc.',
          quantity: 40,
          price: 191.23,
          value: 764_920,
          cost: 600_000,
          pnl: 164_920,
        },
        {
          symbol: 'BRK.B',
          name: 'Berkshire Hathaway Inc.',
          quantity: 0.5,
          price: 10.01,
          value: 501,
          cost: 500,
          pnl: 1,
        },
        {
          symbol: 'VOO',
          name: 'Vanguard S&P 500 ETF',
          quantity: 1.23456789,
          price: 1000,
          value: 123_457,
          cost: 130_013,
          pnl: -6_556,
        },
      ],
    });
  });

  it('sends the new price, value and pnl of a ticked position and the new totals', () => {
    const book = openedBook();
    book.applyTick('VOO', 1000.5, 4_000); // 1.23456789 × 1000.5 = 1235.185173945 → 1235.19
    expect(book.takeDeltas()).toEqual([
      {
        portfolio: 7,
        epoch: 'ep1',
        seq: 1,
        tickTime: 4_000,
        value: 888_940,
        pnl: 158_427,
        positions: { VOO: { price: 1000.5, value: 123_519, pnl: -6_494 } },
      },
    ]);
    expect(book.snapshot(7)).toMatchObject({ seq: 1, tickTime: 4_000, value: 888_940, pnl: 158_427 });
  });

  it('sends only the price when a new price leaves the value in cents unchanged', () => {
    const book = openedBook();
    book.applyTick('BRK.B', 10.011, 4_000); // 0.5 × 10.011 = 5.0055 → still 5.01
    expect(book.takeDeltas()).toEqual([
      { portfolio: 7, epoch: 'ep1', seq: 1, tickTime: 4_000, positions: { 'BRK.B': { price: 10.011 } } },
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
    expect(book.takeDeltas()).toEqual([
      {
        portfolio: 7,
        epoch: 'ep1',
        seq: 1,
        tickTime: 4_002,
        value: 896_057,
        pnl: 896_057 - 730_513,
        positions: { AAPL: { price: 193, value: 772_000, pnl: 172_000 }, 'BRK.B': { price: 12, value: 600, pnl: 100 } },
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
    expect(deltas).toEqual([
      {
        portfolio: 1,
        epoch: 'e1',
        seq: 1,
        tickTime: 2,
        value: 11_000,
        pnl: 1_000,
        positions: { AAA: { price: 11, value: 11_000, pnl: 1_000 } },
      },
      {
        portfolio: 2,
        epoch: 'e2',
        seq: 1,
        tickTime: 2,
        value: 5_300,
        pnl: 5_300 - 20_000,
        positions: { AAA: { price: 11, value: 3_300, pnl: -6_700 } },
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

  function run(seed: number) {
    const rng = seeded(seed);
    const where = `seed ${seed}`;
    const quotes = new QuoteBoard();
    const book = new PortfolioBook(quotes);
    const prices = new Map<string, string>();
    const times = new Map<string, number>();
    let clock = START;

    for (const symbol of [...HELD, 'GGG']) {
      const price = randomPrice(rng);
      quotes.set(symbol, Number(price), START);
      prices.set(symbol, price);
      times.set(symbol, START);
    }

    const followers: Follower[] = [];
    const portfolioCount = rng.int(1, 3);
    for (let id = 1; id <= portfolioCount; id++) {
      const symbols = shuffled(rng, HELD).slice(0, rng.int(1, 4));
      const holdings = symbols.map((symbol) => ({
        symbol,
        name: `${symbol} Corp.`,
        quantity: randomQuantity(rng),
        costBasis: rng.decimal(1_000_000, 4),
      }));
      book.open({ id, holdings: holdings.map(toHolding) }, `epoch-${id}`);
      const snapshot = fromSnapshot(book.snapshot(id));
      expect(snapshot.seq, where).toBe(0);
      expect(visible(snapshot), where).toEqual(expectedVisible(holdings, prices));
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
      const before = followers.map((f) => expectedVisible(f.holdings, prices));
      const tickCount = rng.int(1, 6);
      const reconnectAt = rng.int(0, tickCount + 3); // past tickCount: nobody reconnects in this batch
      for (let t = 0; t < tickCount; t++) {
        if (t === reconnectAt) reconnect(rng, book, followers, before, where);
        const symbol = rng.pick([...HELD, ...NOT_HELD]);
        const known = prices.get(symbol);
        const kind = known === undefined ? 'new' : rng.pick(['new', 'new', 'nudge', 'same', 'older'] as const);
        const price = kind === 'same' ? known! : kind === 'nudge' ? nudged(rng, known!) : randomPrice(rng);
        const time = kind === 'older' ? times.get(symbol)! - rng.int(1, 1_000) : (clock += rng.int(1, 25));
        expect(book.applyTick(symbol, Number(price), time), where).toBe(kind !== 'older');
        if (kind === 'older') continue;
        prices.set(symbol, price);
        times.set(symbol, time);
        for (const f of followers)
          if (f.holdings.some((h) => h.symbol === symbol)) f.tickTime = Math.max(f.tickTime, time);
      }

      const deltas = book.takeDeltas();
      expect(book.hasPending, where).toBe(false);
      followers.forEach((f, i) => {
        const after = expectedVisible(f.holdings, prices);
        const mine = deltas.filter((d) => d.portfolio === f.id);
        const priceMoved = f.holdings.filter(
          (h) => after.positions[h.symbol]!.price !== before[i]!.positions[h.symbol]!.price,
        );
        if (priceMoved.length === 0) {
          expect(mine, `${where}: nothing visible changed, so no delta`).toEqual([]);
          return;
        }
        expect(mine, where).toHaveLength(1);
        const delta = mine[0]!;
        expect(delta.seq, where).toBe(f.lastSeq + 1);
        expect(delta.epoch, where).toBe(`epoch-${f.id}`);
        expect(delta.tickTime, where).toBe(f.tickTime);
        // Only what changed travels.
        expect(Object.keys(delta.positions).sort(), where).toEqual(priceMoved.map((h) => h.symbol).sort());
        for (const h of priceMoved) {
          const valueMoved = after.positions[h.symbol]!.value !== before[i]!.positions[h.symbol]!.value;
          expect('value' in delta.positions[h.symbol]!, where).toBe(valueMoved);
        }
        expect(delta.value !== undefined, where).toBe(after.value !== before[i]!.value);
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
        const expected = expectedVisible(f.holdings, prices);
        expect(visible(f.steady), where).toEqual(expected);
        if (f.flaky) expect(visible(f.flaky), where).toEqual(expected);
      }
      if (reconnectAt >= tickCount && rng.next() < 0.3) {
        reconnect(
          rng,
          book,
          followers,
          followers.map((f) => expectedVisible(f.holdings, prices)),
          where,
        );
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
    return followers.reduce((sum, f) => sum + f.deltas.length, 0);
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
    let deltas = 0;
    for (let seed = 1; seed <= RUNS; seed++) deltas += run(seed);
    // The runs must actually exercise the stream, not pass vacuously.
    expect(deltas).toBeGreaterThan(RUNS * 5);
  });
});
