import { describe, expect, it } from 'vitest';
import type { History } from '../api';
import { LiveTail, toChartData } from './series';

const history: History = {
  range: '1D',
  from: 1_764_000_000_000,
  to: 1_764_000_120_000,
  points: { time: [1_764_000_000_000, 1_764_000_060_000], value: [1000, 1010], netFlow: [0, 0], twr: [0, 0.01] },
  twr: 0.01,
  benchmark: { symbol: 'SPY', close: [500, null], return: [0, null], totalReturn: null },
};

describe('chart data from the history API', () => {
  it('takes seconds and percent, keeping missing benchmark points missing', () => {
    expect(toChartData(history)).toEqual([
      [1_764_000_000, 1_764_000_060],
      [1000, 1010],
      [0, 1],
      [0, null],
    ]);
  });

  it('has no benchmark column values without a benchmark', () => {
    expect(toChartData({ ...history, benchmark: null })[3]).toEqual([null, null]);
  });
});

describe('live points', () => {
  it('appends one point per bucket, chaining the return on from the last history point', () => {
    const data = toChartData(history);
    const tail = new LiveTail(data, 60);
    // 1,010 → 1,020.10 is +1 % on top of the +1 % so far: 2.01 %.
    expect(tail.add(1_764_000_125_000, 1020.1)).toBe(true);
    expect(tail.add(1_764_000_170_000, 1030.2)).toBe(true); // same minute: overwrites
    expect(tail.add(1_764_000_185_000, 1040)).toBe(true); // next minute: appends
    expect(data[0]).toEqual([1_764_000_000, 1_764_000_060, 1_764_000_170, 1_764_000_185]);
    expect(data[1]).toEqual([1000, 1010, 1030.2, 1040]);
    expect(data[2][3]).toBeCloseTo(((1.01 * 1040) / 1010 - 1) * 100, 10);
    expect(data[3]).toEqual([0, null, null, null]);
  });

  it('puts a fresher value on the history point of its bucket, and ignores earlier buckets', () => {
    const data = toChartData(history);
    const tail = new LiveTail(data, 60);
    // Older than the last point's bucket (the minute of 1_764_000_060): a stale tick.
    expect(tail.add(1_764_000_030_000, 999)).toBe(false);
    // Same minute as the last history point: the feed knows better than the stored candle.
    expect(tail.add(1_764_000_070_000, 1011)).toBe(true);
    expect(data[0]).toEqual([1_764_000_000, 1_764_000_070]);
    expect(data[1]).toEqual([1000, 1011]);
    expect(data[3]).toEqual([0, null]);
  });

  it('ignores values from before the range, such as the snapshot of a market that never ticked', () => {
    const data = toChartData({ ...history, points: { time: [], value: [], netFlow: [], twr: [] }, benchmark: null });
    const tail = new LiveTail(data, 60, history.from);
    expect(tail.add(0, 1000)).toBe(false);
    expect(tail.add(history.from + 5_000, 1000)).toBe(true);
    expect(data[1]).toEqual([1000]);
  });
});
