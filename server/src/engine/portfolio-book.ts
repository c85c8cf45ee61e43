// The portfolios this process keeps hot (those with a subscriber here) and their valuations. A tick
// marks only the hot portfolios that hold its symbol; takeDeltas() then computes each dirty
// portfolio's changes once, however many ticks touched it since the last call. Plain TypeScript:
// no I/O, no clock, no randomness, so it can be tested exhaustively.
import { amountToCents, basisPoints, valueCents, type BasisPoints, type Cents } from './money.js';
import type { QuoteBoard } from './quote-board.js';
import type { PortfolioDelta, PortfolioHoldings, PortfolioSnapshot, PositionChange, PositionView } from './types.js';

interface Position {
  symbol: string;
  name: string;
  quantity: number;
  cost: Cents;
  price: number;
  previousClose: number;
  value: Cents;
  /** The position's value at the previous close. */
  closeValue: Cents;
  weight: BasisPoints;
  target: BasisPoints | null;
}

interface Portfolio {
  id: number;
  epoch: string;
  seq: number;
  tickTime: number;
  value: Cents;
  cost: Cents;
  closeValue: Cents;
  positions: Map<string, Position>;
  /** Symbols ticked since the last delta. */
  dirty: Set<string>;
}

export class MissingPriceError extends Error {}

export class PortfolioBook {
  private readonly portfolios = new Map<number, Portfolio>();
  /** symbol → hot portfolios holding it */
  private readonly holders = new Map<string, Set<Portfolio>>();
  private readonly dirty = new Set<Portfolio>();

  constructor(private readonly quotes: QuoteBoard) {}

  isOpen(id: number): boolean {
    return this.portfolios.has(id);
  }

  get openCount(): number {
    return this.portfolios.size;
  }

  /** Starts keeping `holdings` hot; its sequence starts at 0 under `epoch`. */
  open({ id, holdings }: PortfolioHoldings, epoch: string): void {
    if (this.portfolios.has(id)) throw new Error(`portfolio ${id} is already open`);
    const portfolio: Portfolio = {
      id,
      epoch,
      seq: 0,
      tickTime: 0,
      value: 0,
      cost: 0,
      closeValue: 0,
      positions: new Map(),
      dirty: new Set(),
    };
    for (const h of holdings) {
      const quote = this.quotes.get(h.symbol);
      const previousClose = this.quotes.previousClose(h.symbol);
      if (!quote || previousClose === undefined) throw new MissingPriceError(`no price known for ${h.symbol}`);
      const position: Position = {
        symbol: h.symbol,
        name: h.name,
        quantity: h.quantity,
        cost: amountToCents(h.costBasis),
        price: quote.price,
        previousClose,
        value: valueCents(h.quantity, quote.price),
        closeValue: valueCents(h.quantity, previousClose),
        weight: 0,
        target: h.targetWeight === null || h.targetWeight === undefined ? null : Math.round(h.targetWeight * 100),
      };
      portfolio.positions.set(h.symbol, position);
      portfolio.value += position.value;
      portfolio.cost += position.cost;
      portfolio.closeValue += position.closeValue;
      portfolio.tickTime = Math.max(portfolio.tickTime, quote.time);
    }
    for (const position of portfolio.positions.values()) position.weight = basisPoints(position.value, portfolio.value);
    // Registered only once every price is known: a portfolio that failed to open must not be left
    // among the holders, where later ticks would still produce deltas for it.
    for (const symbol of portfolio.positions.keys()) {
      let set = this.holders.get(symbol);
      if (!set) this.holders.set(symbol, (set = new Set()));
      set.add(portfolio);
    }
    this.portfolios.set(id, portfolio);
  }

  close(id: number): void {
    const portfolio = this.portfolios.get(id);
    if (!portfolio) return;
    for (const symbol of portfolio.positions.keys()) {
      const set = this.holders.get(symbol);
      set?.delete(portfolio);
      if (set?.size === 0) this.holders.delete(symbol);
    }
    this.dirty.delete(portfolio);
    this.portfolios.delete(id);
  }

  /** Records a tick; returns false when it was older than the price already known. */
  applyTick(symbol: string, price: number, time: number): boolean {
    if (!this.quotes.set(symbol, price, time)) return false;
    const set = this.holders.get(symbol);
    if (set) {
      for (const portfolio of set) {
        portfolio.dirty.add(symbol);
        this.dirty.add(portfolio);
      }
    }
    return true;
  }

  /**
   * A new trading session: every last price becomes the previous close, so day changes restart
   * from zero. Every open portfolio gets a delta with its new day figures on the next take.
   */
  closeSession(): void {
    this.quotes.closeSession();
    for (const portfolio of this.portfolios.values()) {
      for (const symbol of portfolio.positions.keys()) portfolio.dirty.add(symbol);
      this.dirty.add(portfolio);
    }
  }

  /** Where the portfolio's sequence stands: its epoch and the seq of its last delta. */
  sequenceOf(id: number): { epoch: string; seq: number } {
    const p = this.portfolios.get(id);
    if (!p) throw new Error(`portfolio ${id} is not open`);
    return { epoch: p.epoch, seq: p.seq };
  }

  /**
   * The whole state as of the last delta (seq). Ticks not yet taken arrive in the next delta, so a
   * snapshot followed by the deltas after its seq is always exact.
   */
  snapshot(id: number): PortfolioSnapshot {
    const p = this.portfolios.get(id);
    if (!p) throw new Error(`portfolio ${id} is not open`);
    return {
      portfolio: id,
      epoch: p.epoch,
      seq: p.seq,
      tickTime: p.tickTime,
      value: p.value,
      cost: p.cost,
      pnl: p.value - p.cost,
      dayChange: p.value - p.closeValue,
      dayChangePct: dayChangePct(p),
      positions: [...p.positions.values()].map(view),
    };
  }

  /** Whether open portfolios have ticks not yet turned into deltas. */
  get hasPending(): boolean {
    return this.dirty.size > 0;
  }

  /** One delta per portfolio whose visible numbers changed since the previous call. */
  takeDeltas(): PortfolioDelta[] {
    const deltas: PortfolioDelta[] = [];
    for (const portfolio of this.dirty) {
      const delta = this.recompute(portfolio);
      if (delta) deltas.push(delta);
    }
    this.dirty.clear();
    return deltas;
  }

  private recompute(p: Portfolio): PortfolioDelta | undefined {
    // Each changed position's entry is made once and filled through a local: repeated keyed
    // look-ups in `changes` (an object keyed by symbol) were the engine's largest cost in the
    // first profile under load (docs/profiling.md).
    const changes: Record<string, PositionChange> = {};
    let changed = false;
    const valueBefore = p.value;
    const dayChangeBefore = p.value - p.closeValue;
    const pctBefore = dayChangePct(p);
    let valueMoved = false;
    for (const symbol of p.dirty) {
      const position = p.positions.get(symbol)!;
      const quote = this.quotes.get(symbol)!;
      p.tickTime = Math.max(p.tickTime, quote.time);
      const positionDayChangeBefore = position.value - position.closeValue;
      let change: PositionChange | undefined;
      if (quote.price !== position.price) {
        change = { price: quote.price };
        position.price = quote.price;
        const value = valueCents(position.quantity, quote.price);
        if (value !== position.value) {
          change.value = value;
          change.pnl = value - position.cost;
          p.value += value - position.value;
          position.value = value;
          valueMoved = true;
        }
      }
      const previousClose = this.quotes.previousClose(symbol)!;
      if (previousClose !== position.previousClose) {
        (change ??= {}).previousClose = previousClose;
        position.previousClose = previousClose;
        const closeValue = valueCents(position.quantity, previousClose);
        p.closeValue += closeValue - position.closeValue;
        position.closeValue = closeValue;
      }
      const dayChange = position.value - position.closeValue;
      if (dayChange !== positionDayChangeBefore) (change ??= {}).dayChange = dayChange;
      if (change) {
        changes[symbol] = change;
        changed = true;
      }
    }
    p.dirty.clear();
    // Every weight depends on its value and the total; only the ones that move by a basis point are
    // sent. Values that move in opposite directions can leave the total unchanged.
    if (valueMoved) {
      for (const position of p.positions.values()) {
        const weight = basisPoints(position.value, p.value);
        if (weight === position.weight) continue;
        position.weight = weight;
        const change = (changes[position.symbol] ??= {});
        change.weight = weight;
        if (position.target !== null) change.drift = weight - position.target;
        changed = true;
      }
    }
    // Totals change only through positions, so without a position change there is nothing to send.
    if (!changed) return undefined;
    p.seq += 1;
    const delta: PortfolioDelta = {
      portfolio: p.id,
      epoch: p.epoch,
      seq: p.seq,
      tickTime: p.tickTime,
      positions: changes,
    };
    if (p.value !== valueBefore) {
      delta.value = p.value;
      delta.pnl = p.value - p.cost;
    }
    // Like every field of a delta, the day figures travel only when they change.
    const dayChange = p.value - p.closeValue;
    if (dayChange !== dayChangeBefore) delta.dayChange = dayChange;
    const pct = dayChangePct(p);
    if (pct !== pctBefore) delta.dayChangePct = pct;
    return delta;
  }
}

function dayChangePct(p: Portfolio): BasisPoints {
  return basisPoints(p.value - p.closeValue, p.closeValue);
}

function view(p: Position): PositionView {
  return {
    symbol: p.symbol,
    name: p.name,
    quantity: p.quantity,
    price: p.price,
    previousClose: p.previousClose,
    value: p.value,
    cost: p.cost,
    pnl: p.value - p.cost,
    dayChange: p.value - p.closeValue,
    weight: p.weight,
    target: p.target,
    drift: p.target === null ? null : p.weight - p.target,
  };
}
