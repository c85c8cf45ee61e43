// The last price of every symbol this process has seen. Rebuilt on start from the stream's tail and
// the assets' reference prices, so it holds nothing that cannot be recovered.
import type { Quote } from './types.js';

export class QuoteBoard {
  private readonly quotes = new Map<string, Quote>();

  get(symbol: string): Quote | undefined {
    return this.quotes.get(symbol);
  }

  /** Keeps the newer of the known quote and this one, so a late or replayed tick never rolls back. */
  set(symbol: string, price: number, time: number): boolean {
    const known = this.quotes.get(symbol);
    if (known && known.time > time) return false;
    this.quotes.set(symbol, { price, time });
    return true;
  }

  get size(): number {
    return this.quotes.size;
  }
}
