import { describe, expect, it } from 'vitest';
import { checkTargets, evenly, fromWeights, placeIssues } from './targets';

describe('checking targets before they are sent', () => {
  it('accepts percentages with up to 2 decimals that total 100, skipping empty inputs', () => {
    expect(
      checkTargets([
        { symbol: 'AAPL', text: '12.5' },
        { symbol: 'MSFT', text: '' },
        { symbol: 'XOM', text: ' 87.50 ' },
      ]),
    ).toEqual({
      targets: [
        { symbol: 'AAPL', weight: 12.5 },
        { symbol: 'XOM', weight: 87.5 },
      ],
      fields: {},
      total: 100,
      overall: null,
      ok: true,
    });
  });

  it('sums in cents, so three thirds rounded to 33.33 and 33.34 make exactly 100', () => {
    const checked = checkTargets([
      { symbol: 'A', text: '33.33' },
      { symbol: 'B', text: '33.33' },
      { symbol: 'C', text: '33.34' },
    ]);
    expect(checked.total).toBe(100);
    expect(checked.ok).toBe(true);
  });

  it('names what is wrong with each field', () => {
    const checked = checkTargets([
      { symbol: 'A', text: '12.345' },
      { symbol: 'B', text: '-5' },
      { symbol: 'C', text: '101' },
      { symbol: 'D', text: 'ten' },
      { symbol: 'E', text: '100' },
    ]);
    expect(checked.fields).toEqual({
      A: 'At most 2 decimals.',
      B: 'Enter a percentage such as 12.5.',
      C: 'At most 100 %.',
      D: 'Enter a percentage such as 12.5.',
    });
    expect(checked.ok).toBe(false);
  });

  it('explains a total that is not 100', () => {
    const checked = checkTargets([
      { symbol: 'A', text: '40' },
      { symbol: 'B', text: '57.5' },
    ]);
    expect(checked.overall).toBe('Targets add up to 97.50 %; they must total exactly 100 %.');
    expect(checked.ok).toBe(false);
  });

  it('asks for at least one target when every input is empty', () => {
    expect(checkTargets([{ symbol: 'A', text: '' }]).overall).toBe('Set at least one target.');
  });
});

describe('starting from the current weights', () => {
  it('puts the rounding remainder on the largest line', () => {
    expect(
      fromWeights([
        { symbol: 'A', weight: 10.004 },
        { symbol: 'B', weight: 60.004 },
        { symbol: 'C', weight: 29.994 },
      ]),
    ).toEqual([
      { symbol: 'A', text: '10.00' },
      { symbol: 'B', text: '60.01' },
      { symbol: 'C', text: '29.99' },
    ]);
  });
});

describe('spreading evenly', () => {
  it('gives the leftover cents to the first lines so the total is exactly 100', () => {
    const drafts = evenly(['A', 'B', 'C']);
    expect(drafts).toEqual([
      { symbol: 'A', text: '33.34' },
      { symbol: 'B', text: '33.33' },
      { symbol: 'C', text: '33.33' },
    ]);
    expect(checkTargets(drafts).ok).toBe(true);
  });
});

describe('placing the server issues', () => {
  it('maps targets.N paths to the Nth target sent, the rest to the form', () => {
    const sent = [
      { symbol: 'AAPL', weight: 50 },
      { symbol: 'MSFT', weight: 50 },
    ];
    expect(
      placeIssues(
        [
          { path: 'targets.1.weight', message: 'not held' },
          { path: 'targets', message: 'total must be 100' },
          { path: 'targets.9.symbol', message: 'no such row' },
        ],
        sent,
      ),
    ).toEqual({ fields: { MSFT: 'not held' }, overall: ['total must be 100', 'no such row'] });
  });
});
