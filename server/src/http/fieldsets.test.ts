import { describe, expect, it } from 'vitest';
import { parsePaths, selectFields } from './fieldsets.js';

const portfolio = {
  id: 1,
  name: 'Core',
  baseCurrency: 'USD',
  positions: [
    { symbol: 'AAPL', name: 'Apple', quantity: 10 },
    { symbol: 'MSFT', name: 'Microsoft', quantity: 5 },
  ],
};

describe('sparse fieldsets', () => {
  it('keeps only the named fields, reaching into arrays with dotted paths', () => {
    expect(selectFields(portfolio, parsePaths('id,positions.symbol'), undefined)).toEqual({
      id: 1,
      positions: [{ symbol: 'AAPL' }, { symbol: 'MSFT' }],
    });
  });

  it('applies fields to the items of a wrapped list', () => {
    const list = { portfolios: [portfolio, { ...portfolio, id: 2 }] };
    expect(selectFields(list, parsePaths('id,name'), undefined)).toEqual({
      portfolios: [
        { id: 1, name: 'Core' },
        { id: 2, name: 'Core' },
      ],
    });
  });

  it('excludes nested resources and nested fields', () => {
    expect(selectFields(portfolio, undefined, parsePaths('positions'))).toEqual({
      id: 1,
      name: 'Core',
      baseCurrency: 'USD',
    });
    expect(selectFields(portfolio, undefined, parsePaths('positions.name,baseCurrency'))).toEqual({
      id: 1,
      name: 'Core',
      positions: [
        { symbol: 'AAPL', quantity: 10 },
        { symbol: 'MSFT', quantity: 5 },
      ],
    });
  });

  it('ignores unknown fields and empty lists', () => {
    expect(selectFields(portfolio, parsePaths('nope'), undefined)).toEqual({});
    expect(selectFields(portfolio, parsePaths(''), undefined)).toEqual(portfolio);
    expect(parsePaths(null)).toBeUndefined();
  });
});
