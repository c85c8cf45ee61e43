// The last price of every symbol this process has seen, and each symbol's previous close (the base
// of the day change). Rebuilt on start from the stream's tail, the database and the assets'
// reference prices, so it holds nothing that cannot be recovered.
import type { Quote } from './types.js';

export class QuoteBoard {
  private readonly quotes = new Map<string, Quote>();
  private readonly closes = new Map<string, number>();

  get(symbol: string): Quote | undefined {
    return this.quotes.get(symbol);
  }

  /** Keeps the newer of the known quote and this one, so a late or replayed tick never rolls back. */
  set(symbol: string, price: number, time: number): boolean {
    const known = this.quotes.get(symbol);
    if (known && known.time > time) return false;
    this.quotes.set(symbol, { price, time });
    // A symbol first seen today has no close yet: its first price is the base of its day change.
    if (!this.closes.has(symbol)) this.closes.set(symbol, price);
    return true;
  }

  /** The previous session's close (the first price seen, for a symbol without one). */
  previousClose(symbol: string): number | undefined {
    return this.closes.get(symbol);
  }

  setPreviousClose(symbol: string, price: number): void {
    this.closes.set(symbol, price);
  }

  /** A new session: every symbol's last price becomes its previous close. */
  closeSession(): void {
    for (const [symbol, quote] of this.quotes) this.closes.set(symbol, quote.price);
  }

  get size(): number {
    return this.quotes.size;
  }
}
