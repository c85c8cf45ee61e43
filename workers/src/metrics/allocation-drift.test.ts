import { describe, expect, it } from 'vitest';
import { allocationDrift } from './allocation-drift.js';
import { MetricsInputError } from './series.js';

describe('allocation drift', () => {
  it('gives each symbol current − target and half the total absolute drift as turnover', () => {
    const result = allocationDrift({ AAPL: 6000, MSFT: 3000, CASH: 1000 }, { AAPL: 5000, MSFT: 4000, GOOG: 1000 });
    expect(result.symbols).toEqual([
      { symbol: 'AAPL', currentBp: 6000, targetBp: 5000, driftBp: 1000 },
      { symbol: 'CASH', currentBp: 1000, targetBp: 0, driftBp: 1000 },
      { symbol: 'GOOG', currentBp: 0, targetBp: 1000, driftBp: -1000 },
      { symbol: 'MSFT', currentBp: 3000, targetBp: 4000, driftBp: -1000 },
    ]);
    // |1000| + |1000| + |−1000| + |−1000| = 4000; sell 2000 bp of AAPL and cash, buy 2000 bp
    expect(result.turnoverBp).toBe(2000);
  });

  it('is 0 on target and for an empty portfolio without targets', () => {
    expect(allocationDrift({ A: 2500.5, B: 7499.5 }, { A: 2500.5, B: 7499.5 }).turnoverBp).toBe(0);
    expect(allocationDrift({}, {})).toEqual({ symbols: [], turnoverBp: 0 });
  });

  it('accepts a short position (negative weight)', () => {
    const result = allocationDrift({ A: 12000, B: -2000 }, { A: 10000 });
    expect(result.turnoverBp).toBe(2000); // (2000 + 2000) / 2
  });

  it('rejects a weight that is not a finite number', () => {
    expect(() => allocationDrift({ A: NaN }, {})).toThrow(MetricsInputError);
    expect(() => allocationDrift({}, { A: '10' as unknown as number })).toThrow(MetricsInputError);
  });
});
