// The feed's hook for the alert evaluator: every accepted tick's price, every portfolio valued from
// scratch, every published delta, in that order; nothing once the watch is removed.
import { describe, expect, it } from 'vitest';
import { PortfolioBook } from '../engine/portfolio-book.js';
import { QuoteBoard } from '../engine/quote-board.js';
import { PortfolioFeed } from '../gateway/portfolio-feed.js';
import type { Tick } from '../streams/tick.js';

const tick = (symbol: string, price: number, time: number): Tick => ({ id: `${time}-0`, symbol, price, size: 1, time });

describe('the feed watch', () => {
  it('sees accepted prices, openings, reloads and deltas', async () => {
    const quotes = new QuoteBoard();
    quotes.set('AAA', 10, 1);
    quotes.set('BBB', 20, 1);
    const book = new PortfolioBook(quotes);
    let quantity = 10;
    const feed = new PortfolioFeed({
      book,
      loadHoldings: () => Promise.resolve([{ symbol: 'AAA', name: 'A', quantity, costBasis: 100 }]),
      publish: () => undefined,
      conflationMs: 0,
      resumeDeltas: 4,
      lingerMs: 1_000,
    });
    const seen: string[] = [];
    feed.setWatch({
      priceChanged: (symbol, price, time) => seen.push(`price ${symbol} ${price} @${time}`),
      portfolioOpened: (id) => seen.push(`opened ${id} value ${book.snapshot(id).value}`),
      portfolioChanged: (d) => seen.push(`delta ${d.portfolio} value ${d.value}`),
    });
    await feed.follow(1);
    // BBB is watched by price alone (nobody holds it); the stale AAA tick is refused by the board.
    feed.onTicks([tick('AAA', 11, 5), tick('BBB', 21, 5), tick('AAA', 9, 4)]);
    quantity = 20;
    await feed.reload(1);
    feed.setWatch(undefined);
    feed.onTicks([tick('AAA', 12, 6)]);
    feed.stop();
    expect(seen).toEqual([
      'opened 1 value 10000',
      'price AAA 11 @5',
      'price BBB 21 @5',
      'delta 1 value 11000',
      'opened 1 value 22000',
    ]);
  });
});
