import { describe, expect, it } from 'vitest';
import { randomTargets } from './targets.js';

describe('randomTargets', () => {
  const symbols = ['AAPL', 'MSFT', 'NVDA', 'XOM', 'JPM', 'KO', 'SPY'];

  it('gives every held symbol once, weights of at most 2 decimals summing to exactly 100', () => {
    for (let run = 0; run < 200; run++) {
      const targets = randomTargets(symbols);
      expect(targets.map((t) => t.symbol)).toEqual(symbols);
      const bp = targets.map((t) => Math.round(t.weight * 100));
      targets.forEach((t, i) => expect(t.weight * 100).toBeCloseTo(bp[i]!, 9));
      expect(bp.reduce((a, b) => a + b, 0)).toBe(10_000);
      for (const t of targets) expect(t.weight).toBeGreaterThan(0);
    }
  });

  it('puts the whole 100 on a single symbol', () => {
    expect(randomTargets(['AAPL'])).toEqual([{ symbol: 'AAPL', weight: 100 }]);
  });

  it('gives no targets for no holdings', () => {
    expect(randomTargets([])).toEqual([]);
  });
});
