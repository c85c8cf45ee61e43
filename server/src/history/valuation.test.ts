import { describe, expect, it } from 'vitest';
import type { TransactionRow } from '../store/transactions.js';
import { benchmarkSeries, valuePortfolio } from './valuation.js';

const MIN = 60_000;
const tx = (t: Partial<TransactionRow> & Pick<TransactionRow, 'kind' | 'time' | 'amount'>): TransactionRow => ({
  id: 0,
  symbol: null,
  quantity: null,
  price: null,
  ...t,
});

describe('valuing a portfolio bucket by bucket', () => {
  it('rounds each position to cents half away from zero and adds cash', () => {
    const series = valuePortfolio({
      width: MIN,
      to: 10 * MIN,
      opening: { holdings: [{ symbol: 'A', quantity: 3, lastTradePrice: null }], cash: 0.01 },
      transactions: [],
      closes: [{ symbol: 'A', times: [0], closes: [1.005] }],
      closesBefore: new Map(),
    });
    // 3 x 1.005 = 3.015 -> 3.02 (a float sum would give 3.01), plus one cent of cash.
    expect(series.value).toEqual([303]);
  });

  it('carries prices forward, falls back to the last trade price, and books flows where they happen', () => {
    const series = valuePortfolio({
      width: MIN,
      to: 10 * MIN,
      opening: { holdings: [], cash: 0 },
      transactions: [
        tx({ kind: 'deposit', time: 30_000, amount: 1_000 }),
        tx({ kind: 'buy', time: 40_000, amount: 500, symbol: 'B', quantity: 5, price: 100 }),
        tx({ kind: 'withdrawal', time: 2 * MIN + 1, amount: 100 }),
      ],
      closes: [
        { symbol: 'A', times: [0, MIN, 2 * MIN], closes: [1, 2, 3] },
        { symbol: 'B', times: [2 * MIN], closes: [110] },
      ],
      closesBefore: new Map(),
    });
    expect(series.time).toEqual([0, MIN, 2 * MIN]);
    // B has no close until minute 2: valued at its trade price, then at 110.
    expect(series.value).toEqual([1_000_00, 1_000_00, 500_00 - 100_00 + 550_00]);
    expect(series.flow).toEqual([1_000_00, 0, -100_00]);
    expect(series.cash).toEqual([500_00, 500_00, 400_00]);
  });

  it('values a holding that did not trade in the range at its last price before it', () => {
    const series = valuePortfolio({
      width: MIN,
      to: 10 * MIN,
      opening: { holdings: [{ symbol: 'QUIET', quantity: 2, lastTradePrice: 50 }], cash: 0 },
      transactions: [],
      closes: [{ symbol: 'BUSY', times: [0, MIN], closes: [1, 2] }],
      closesBefore: new Map([['QUIET', 70]]),
    });
    expect(series.value).toEqual([140_00, 140_00]);
  });

  it('draws the benchmark on the portfolio time axis', () => {
    const b = benchmarkSeries([0, MIN, 2 * MIN], { symbol: 'S', times: [MIN], closes: [110] }, 100);
    expect(b.close).toEqual([100, 110, 110]);
    expect(b.return.map((r) => +r!.toFixed(10))).toEqual([0, 0.1, 0.1]);
  });
});
