import { describe, expect, it } from 'vitest';
import { dailyBenchmark, dailySeries } from './daily-series.js';

const DAY = 86_400_000;
const H = 3_600_000;

describe('daily series for risk metrics', () => {
  it('keeps the last value of each UTC day and sums its flows', () => {
    const points = {
      time: [0, 10 * H, 23 * H, DAY + H, DAY + 5 * H, 3 * DAY],
      value: [100, 110, 120, 130, 125, 140],
      netFlow: [0, 10, 5, 0, -3, 0],
    };
    const daily = dailySeries({ points: { ...points, twr: [] } });
    expect([...daily.timestamps]).toEqual([0, DAY, 3 * DAY]);
    expect([...daily.values]).toEqual([120, 125, 140]);
    expect([...daily.flows]).toEqual([15, -3, 0]);
  });

  it('aligns the benchmark by day and skips days without a close', () => {
    const history = {
      points: { time: [H, 2 * H, DAY + H, 2 * DAY + H], value: [], netFlow: [], twr: [] },
      benchmark: { symbol: 'SPY', close: [500, 501, null, 503], return: [], totalReturn: null },
    };
    const b = dailyBenchmark(history)!;
    expect([...b.timestamps]).toEqual([0, 2 * DAY]);
    expect([...b.values]).toEqual([501, 503]);
    expect(dailyBenchmark({ ...history, benchmark: null })).toBeUndefined();
  });
});
