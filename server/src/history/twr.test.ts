import { describe, expect, it } from 'vitest';
import { timeWeightedReturns } from './twr.js';

describe('time-weighted return', () => {
  it('is plain growth when no money moves', () => {
    expect(timeWeightedReturns([100_00, 110_00, 99_00], [0, 0, 0]).map((r) => +r.toFixed(10))).toEqual([0, 0.1, -0.01]);
  });

  it('does not count a deposit or a withdrawal as performance', () => {
    // +10 %, then 1,000 deposited and nothing moves, then -50 withdrawn and nothing moves.
    const twr = timeWeightedReturns([1_000_00, 1_100_00, 2_100_00, 2_050_00], [0, 0, 1_000_00, -50_00]);
    expect(twr.map((r) => +r.toFixed(10))).toEqual([0, 0.1, 0.1, 0.1]);
  });

  it('chains sub-period returns: the deposit earns only from its arrival on', () => {
    // 1,000 grows 10 % to 1,100; 1,100 more arrives; the 2,200 then loses 5 % to 2,090.
    const twr = timeWeightedReturns([1_000_00, 1_100_00, 2_090_00], [0, 0, 1_100_00]);
    expect(twr[2]).toBeCloseTo(1.1 * 0.95 - 1, 12);
  });

  it('has no return while there is no money in the portfolio', () => {
    const twr = timeWeightedReturns([0, 0, 1_000_00, 1_050_00], [0, 0, 1_000_00, 0]);
    expect(twr.map((r) => +r.toFixed(10))).toEqual([0, 0, 0, 0.05]);
  });
});
