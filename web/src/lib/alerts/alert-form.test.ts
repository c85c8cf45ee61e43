import { describe as suite, expect, it } from 'vitest';
import { ruleOf, type AlertDraft } from './alert-form';

const draft = (d: Partial<AlertDraft>): AlertDraft => ({
  kind: 'price',
  symbol: 'aapl',
  portfolio: null,
  direction: 'above',
  amount: '200.5',
  ...d,
});

suite('the create-alert form', () => {
  it('turns each kind into the rule the API takes', () => {
    expect(ruleOf(draft({}))).toEqual({ rule: { kind: 'price', symbol: 'AAPL', direction: 'above', level: 200.5 } });
    expect(ruleOf(draft({ kind: 'day-move', direction: 'either', amount: '2.5' }))).toEqual({
      rule: { kind: 'day-move', symbol: 'AAPL', direction: 'either', percent: 2.5 },
    });
    expect(ruleOf(draft({ kind: 'day-pnl', portfolio: 3, direction: 'below', amount: '-500' }))).toEqual({
      rule: { kind: 'day-pnl', portfolio: 3, direction: 'below', level: -500 },
    });
    expect(ruleOf(draft({ kind: 'drift', portfolio: 3, direction: '', amount: '1.5' }))).toEqual({
      rule: { kind: 'drift', portfolio: 3, symbol: 'AAPL', points: 1.5 },
    });
  });

  it('names the field at fault', () => {
    expect(ruleOf(draft({ symbol: '1x' }))).toEqual({ problems: { symbol: 'Enter a symbol such as AAPL.' } });
    expect(ruleOf(draft({ amount: '-1' }))).toEqual({ problems: { amount: 'A price above 0, at most 6 decimals.' } });
    expect(ruleOf(draft({ amount: 'lots' }))).toEqual({ problems: { amount: 'Enter a number.' } });
    expect(ruleOf(draft({ kind: 'portfolio-value', direction: 'up', amount: '10.001' }))).toEqual({
      problems: {
        portfolio: 'Choose a portfolio.',
        direction: 'Choose a direction.',
        amount: 'An amount of at least 0, 2 decimals.',
      },
    });
    expect(ruleOf(draft({ kind: 'day-move', direction: 'up', amount: '0' }))).toEqual({
      problems: { amount: 'A percent above 0 and at most 100, 2 decimals.' },
    });
  });
});
