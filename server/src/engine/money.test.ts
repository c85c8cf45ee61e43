import { describe, expect, it } from 'vitest';
import { amountToCents, basisPoints, basisPointsToPercent, centsToAmount, valueCents } from './money.js';

describe('money', () => {
  it('values whole shares exactly', () => {
    expect(valueCents(40, 191.23)).toBe(764_920);
    expect(valueCents(3, 0.1)).toBe(30); // 0.1 * 3 is 0.30000000000000004 in floats
  });

  it('rounds half a cent away from zero, where a float product would round down', () => {
    // 1 * 1.005 = 1.005 exactly, but 1.005 * 100 is 100.4999... in floats; a statement shows 1.01.
    expect(Math.round(1.005 * 100)).toBe(100);
    expect(valueCents(1, 1.005)).toBe(101);
    expect(valueCents(-1, 1.005)).toBe(-101);
    expect(valueCents(0.5, 10.01)).toBe(501);
    expect(valueCents(0.125, 0.04)).toBe(1); // 0.005 → 0.01
    expect(valueCents(0.1249, 0.04)).toBe(0); // 0.004996 → 0.00
  });

  it('keeps fractional shares and sub-penny prices to their full precision', () => {
    expect(valueCents(1.23456789, 1000)).toBe(123_457); // 1234.56789 → 1234.57
    expect(valueCents(1_000_000, 0.000123)).toBe(12_300); // 123.00
  });

  it('handles large positions without losing cents', () => {
    // 9,000,000 shares at 9,999.99 = 89,999,910,000.00, past 2^53 when scaled: BigInt keeps it exact.
    expect(valueCents(9_000_000, 9_999.99)).toBe(8_999_991_000_000);
  });

  it('converts stored amounts and back', () => {
    expect(amountToCents(1234.5678)).toBe(123_457);
    expect(amountToCents(12.345)).toBe(1_235); // float 12.345*100 is 1234.4999...
    expect(amountToCents(-12.345)).toBe(-1_235);
    expect(centsToAmount(123_457)).toBe(1234.57);
    expect(String(centsToAmount(30))).toBe('0.3');
  });
});

describe('basis points', () => {
  it('divides exactly and rounds half away from zero', () => {
    expect(basisPoints(1, 3)).toBe(3333); // 33.33 %
    expect(basisPoints(2, 3)).toBe(6667);
    expect(basisPoints(1, 8)).toBe(1250);
    expect(basisPoints(1, 20_000)).toBe(1); // 0.5 bp → 1
    expect(basisPoints(-1, 20_000)).toBe(-1);
    expect(basisPoints(0, 0)).toBe(0);
    expect(basisPointsToPercent(1234)).toBe(12.34);
  });

  it('stays exact for totals past the fast path', () => {
    // $1bn portfolio, one position of $333,333,333.33
    expect(basisPoints(33_333_333_333, 100_000_000_000)).toBe(3333);
    expect(basisPoints(50_000_000_000, 100_000_000_000)).toBe(5000);
    expect(basisPoints(5_000_000, 100_000_000_000)).toBe(1); // 0.5 bp → 1
  });

  it('agrees between the whole-share fast path and the exact path', () => {
    // The same position as whole shares and as a quantity the fast path does not take.
    for (const price of [0.01, 1.005, 10.01, 191.23, 9999.99, 0.000123]) {
      for (const q of [1, 3, 7, 1000, 123_456]) {
        const exact = Number((BigInt(q) * BigInt(Math.round(price * 1e6)) * 2n + 10_000n) / 20_000n);
        expect(valueCents(q, price), `${q} x ${price}`).toBe(exact);
      }
    }
  });
});
