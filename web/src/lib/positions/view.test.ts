import { describe, expect, it } from 'vitest';
import type { Position } from '../feed/types';
import { dayChangePct, largest, nextSort, rowWindow, viewPositions } from './view';

function position(symbol: string, name: string, value: number, price = 10, previousClose = 10): Position {
  return {
    symbol,
    name,
    quantity: 1,
    price,
    previousClose,
    value,
    cost: value,
    pnl: 0,
    dayChange: 0,
    weight: 0,
    target: null,
    drift: null,
  };
}

const rows = [
  position('MSFT', 'Microsoft Corp.', 300),
  position('AAPL', 'Apple Inc.', 100),
  position('AMZN', 'Amazon.com Inc.', 300),
  position('XOM', 'Exxon Mobil Corp.', 200),
];
const symbols = (list: readonly Position[]) => list.map((p) => p.symbol);

describe('filtering and sorting the positions', () => {
  it('returns the same array when there is nothing to do', () => {
    expect(viewPositions(rows, '  ', null)).toBe(rows);
  });

  it('keeps rows whose symbol or name contains the filter, ignoring case', () => {
    expect(symbols(viewPositions(rows, 'corp', null))).toEqual(['MSFT', 'XOM']);
    expect(symbols(viewPositions(rows, 'am', null))).toEqual(['AMZN']);
  });

  it('sorts figures and text either way, ties in snapshot order', () => {
    expect(symbols(viewPositions(rows, '', { key: 'value', descending: true }))).toEqual([
      'MSFT',
      'AMZN',
      'XOM',
      'AAPL',
    ]);
    expect(symbols(viewPositions(rows, '', { key: 'value', descending: false }))).toEqual([
      'AAPL',
      'XOM',
      'MSFT',
      'AMZN',
    ]);
    expect(symbols(viewPositions(rows, '', { key: 'symbol', descending: false }))).toEqual([
      'AAPL',
      'AMZN',
      'MSFT',
      'XOM',
    ]);
  });

  it('leaves the input in its order', () => {
    viewPositions(rows, '', { key: 'symbol', descending: false });
    expect(symbols(rows)).toEqual(['MSFT', 'AAPL', 'AMZN', 'XOM']);
  });

  it('starts text ascending and figures descending, then flips on a second click', () => {
    expect(nextSort(null, 'name')).toEqual({ key: 'name', descending: false });
    expect(nextSort(null, 'pnl')).toEqual({ key: 'pnl', descending: true });
    expect(nextSort({ key: 'pnl', descending: true }, 'pnl')).toEqual({ key: 'pnl', descending: false });
    expect(nextSort({ key: 'pnl', descending: true }, 'value')).toEqual({ key: 'value', descending: true });
  });

  it('computes the day change in percent of the previous close', () => {
    expect(dayChangePct(position('A', 'A', 0, 102, 100))).toBeCloseTo(2, 10);
    expect(dayChangePct(position('A', 'A', 0, 5, 0))).toBe(0);
  });
});

describe('the rendered window of a virtualised table', () => {
  it('covers the visible rows plus the overscan, clipped to the list', () => {
    // 36 px rows, a 360 px viewport scrolled to row 100: rows 100..109 visible.
    expect(rowWindow(1000, 3600, 360, 36, 5)).toEqual({ start: 95, end: 115 });
    expect(rowWindow(1000, 0, 360, 36, 5)).toEqual({ start: 0, end: 15 });
    expect(rowWindow(12, 0, 360, 36, 5)).toEqual({ start: 0, end: 12 });
  });

  it('stays empty and ordered when the list shrank under the scroll position', () => {
    expect(rowWindow(3, 3600, 360, 36, 5)).toEqual({ start: 3, end: 3 });
    expect(rowWindow(0, 0, 360, 36, 5)).toEqual({ start: 0, end: 0 });
  });
});

describe('the largest few', () => {
  it('keeps the top scores, largest first, ties in input order', () => {
    expect(largest([5, 1, 9, 3, 9, 7, 2], 3, (x) => x)).toEqual([9, 9, 7]);
    expect(largest(['b', 'a', 'c'], 5, (x) => x.charCodeAt(0))).toEqual(['c', 'b', 'a']);
    expect(largest([], 3, (x: number) => x)).toEqual([]);
  });

  it('agrees with sorting a copy', () => {
    const values = Array.from({ length: 200 }, (_, i) => (i * 7919) % 997);
    expect(largest(values, 6, (x) => x)).toEqual([...values].sort((a, b) => b - a).slice(0, 6));
  });
});
