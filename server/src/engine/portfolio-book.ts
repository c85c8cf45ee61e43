// The portfolios this process keeps hot (those with a subscriber here) and their valuations. A tick
// marks only the hot portfolios that hold its symbol; takeDeltas() then computes each dirty
// portfolio's changes once, however many ticks touched it since the last call. Plain TypeScript:
// no I/O, no clock, no randomness, so it can be tested exhaustively.
import { amountToCents, valueCents, type Cents } from './money.js';
import type { QuoteBoard } from './quote-board.js';
import type { PortfolioDelta, PortfolioHoldings, PortfolioSnapshot, PositionChange } from './types.js';

interface Position {
  symbol: string;
  name: string;
  quantity: number;
  cost: Cents;
  price: number;
  value: Cents;
}

interface Portfolio {
  id: number;
  epoch: string;
  seq: number;
  tickTime: number;
  value: Cents;
  cost: Cents;
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
      positions: new Map(),
      dirty: new Set(),
    };
    for (const h of holdings) {
      const quote = this.quotes.get(h.symbol);
      if (!quote) throw new MissingPriceError(`no price known for ${h.symbol}`);
      const position: Position = {
        symbol: h.symbol,
        name: h.name,
        quantity: h.quantity,
        cost: amountToCents(h.costBasis),
        price: quote.price,
        value: valueCents(h.quantity, quote.price),
      };
      portfolio.positions.set(h.symbol, position);
      portfolio.value += position.value;
      portfolio.cost += position.cost;
      portfolio.tickTime = Math.max(portfolio.tickTime, quote.time);
    }
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
   * The whole state as of the last delta (seq). Ticks not yet taken arrive in the next delta, so a
   * snapshot followed by the deltas after its seq is always exact.
   */
  snapshot(id: number): PortfolioSnapshot {
    const portfolio = this.portfolios.get(id);
    if (!portfolio) throw new Error(`portfolio ${id} is not open`);
    return {
      portfolio: id,
      epoch: portfolio.epoch,
      seq: portfolio.seq,
      tickTime: portfolio.tickTime,
      value: portfolio.value,
      cost: portfolio.cost,
      pnl: portfolio.value - portfolio.cost,
      positions: [...portfolio.positions.values()].map((p) => ({
        symbol: p.symbol,
        name: p.name,
        quantity: p.quantity,
        price: p.price,
        value: p.value,
        cost: p.cost,
        pnl: p.value - p.cost,
      })),
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

  private recompute(portfolio: Portfolio): PortfolioDelta | undefined {
    const changes: Record<string, PositionChange> = {};
    let changed = false;
    const valueBefore = portfolio.value;
    for (const symbol of portfolio.dirty) {
      const position = portfolio.positions.get(symbol)!;
      const quote = this.quotes.get(symbol)!;
      portfolio.tickTime = Math.max(portfolio.tickTime, quote.time);
      if (quote.price === position.price) continue;
      const value = valueCents(position.quantity, quote.price);
      const change: PositionChange = { price: quote.price };
      if (value !== position.value) {
        change.value = value;
        change.pnl = value - position.cost;
        portfolio.value += value - position.value;
        position.value = value;
      }
      position.price = quote.price;
      changes[symbol] = change;
      changed = true;
    }
    portfolio.dirty.clear();
    if (!changed) return undefined;
    portfolio.seq += 1;
    const delta: PortfolioDelta = {
      portfolio: portfolio.id,
      epoch: portfolio.epoch,
      seq: portfolio.seq,
      tickTime: portfolio.tickTime,
      positions: changes,
    };
    if (portfolio.value !== valueBefore) {
      delta.value = portfolio.value;
      delta.pnl = portfolio.value - portfolio.cost;
    }
    return delta;
  }
}
