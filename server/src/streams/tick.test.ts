import { describe, expect, it } from 'vitest';
import { MAX_FUTURE_SKEW_MS, parseTick, tickFields } from './tick.js';

const NOW = 1_764_064_000_000;
const KNOWN = new Set(['AAPL', 'BRK.B', 'X']);
const isKnown = (symbol: string) => KNOWN.has(symbol);

/** A valid entry's fields with `overrides` applied; `undefined` drops the field. */
function fields(overrides: Record<string, string | undefined> = {}): string[] {
  const base: Record<string, string | undefined> = {
    symbol: 'AAPL',
    price: '191.23',
    size: '100',
    ts: String(NOW - 20),
    ...overrides,
  };
  return Object.entries(base).flatMap(([k, v]) => (v === undefined ? [] : [k, v]));
}

const parse = (overrides: Record<string, string | undefined> = {}) =>
  parseTick('1764064000000-0', fields(overrides), isKnown, NOW);

function reasonFor(overrides: Record<string, string | undefined>): string {
  const result = parse(overrides);
  if (result.ok) throw new Error(`expected a rejection for ${JSON.stringify(overrides)}`);
  return result.reason;
}

describe('parseTick accepts', () => {
  it('a well-formed entry as numbers', () => {
    expect(parse()).toEqual({
      ok: true,
      tick: { id: '1764064000000-0', symbol: 'AAPL', price: 191.23, size: 100, time: NOW - 20 },
    });
  });

  it('prices with up to six decimals, whole prices and sub-dollar prices', () => {
    expect(parse({ price: '0.000001' })).toMatchObject({ ok: true, tick: { price: 0.000001 } });
    expect(parse({ price: '123456789.123456' })).toMatchObject({ ok: true, tick: { price: 123456789.123456 } });
    expect(parse({ price: '42' })).toMatchObject({ ok: true, tick: { price: 42 } });
    expect(parse({ price: '0.5' })).toMatchObject({ ok: true, tick: { price: 0.5 } });
  });

  it('symbols with digits and dots, a fractional size, and a missing size as 0', () => {
    expect(parse({ symbol: 'BRK.B' })).toMatchObject({ ok: true, tick: { symbol: 'BRK.B' } });
    expect(parse({ size: '0.00000001' })).toMatchObject({ ok: true, tick: { size: 0.00000001 } });
    expect(parse({ size: undefined })).toMatchObject({ ok: true, tick: { size: 0 } });
  });

  it('a ts up to the allowed clock skew ahead, and the source capped at 64 characters', () => {
    expect(parse({ ts: String(NOW + MAX_FUTURE_SKEW_MS) })).toMatchObject({ ok: true, tick: { time: NOW + 5_000 } });
    expect(parse({ src: 'sim' })).toMatchObject({ ok: true, tick: { source: 'sim' } });
    const long = parse({ src: 'x'.repeat(100) });
    expect(long.ok && long.tick.source).toBe('x'.repeat(64));
  });

  it('fields in any order, unknown fields ignored, and a repeated field by its last value', () => {
    const flat = ['venue', 'XNAS', 'ts', String(NOW), 'price', '1', 'symbol', 'X', 'price', '2.5', 'size', '7'];
    expect(parseTick('5-1', flat, isKnown, NOW)).toEqual({
      ok: true,
      tick: { id: '5-1', symbol: 'X', price: 2.5, size: 7, time: NOW },
    });
  });
});

describe('parseTick rejects with a reason naming the problem', () => {
  it.each([
    ['a missing symbol', { symbol: undefined }],
    ['an empty symbol', { symbol: '' }],
    ['a lower-case symbol', { symbol: 'aapl' }],
    ['a symbol with a space', { symbol: 'AA PL' }],
    ['a symbol longer than 10 characters', { symbol: 'ABCDEFGHIJK' }],
    ['a symbol starting with a digit', { symbol: '1AB' }],
  ])('%s', (_, overrides) => {
    expect(reasonFor(overrides)).toMatch(/malformed symbol/);
  });

  it('an unknown symbol', () => {
    expect(reasonFor({ symbol: 'ZZZZ' })).toBe('unknown symbol ZZZZ');
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['a word', 'abc'],
    ['too many decimals', '1.1234567'],
    ['negative', '-1.5'],
    ['NaN', 'NaN'],
    ['Infinity', 'Infinity'],
    ['exponent form', '1e3'],
    ['exponent form with a fraction', '1.5E-3'],
    ['a trailing dot', '12.'],
    ['a leading dot', '.5'],
    ['a plus sign', '+5'],
    ['surrounding spaces', ' 5 '],
    ['hexadecimal', '0x10'],
    ['more than nine whole digits', '1234567890'],
  ])('a price that is %s', (_, price) => {
    expect(reasonFor({ price })).toMatch(/^price must be a positive decimal with at most 6 places/);
  });

  it.each(['0', '0.0', '0.000000'])('a zero price %s', (price) => {
    expect(reasonFor({ price })).toBe(`price must be positive, got ${price}`);
  });

  it.each(['-1', 'abc', '1e3', '1.123456789', 'NaN', ''])('a bad size %j', (size) => {
    expect(reasonFor({ size })).toMatch(/^size must be a non-negative decimal/);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['a word', 'yesterday'],
    ['fractional', '1764064000000.5'],
    ['negative', '-1'],
    ['an ISO date', '2025-11-25T10:00:00Z'],
    ['longer than 15 digits', '1234567890123456'],
  ])('a ts that is %s', (_, ts) => {
    expect(reasonFor({ ts })).toMatch(/^ts must be milliseconds since the epoch/);
  });

  it('a ts more than the allowed skew in the future', () => {
    const ts = String(NOW + MAX_FUTURE_SKEW_MS + 1);
    expect(reasonFor({ ts })).toBe(`ts ${ts} is more than 5000 ms in the future`);
  });

  it('quotes the offending value so an empty or odd one is visible in the log', () => {
    expect(reasonFor({ price: '' })).toContain('got ""');
    expect(reasonFor({ ts: undefined })).toContain('got undefined');
  });
});

describe('tickFields', () => {
  it('writes the fields in XADD order, with src only when there is a source', () => {
    expect(tickFields({ symbol: 'AAPL', price: 191.23, size: 100, time: NOW })).toEqual([
      'symbol',
      'AAPL',
      'price',
      '191.23',
      'size',
      '100',
      'ts',
      String(NOW),
    ]);
    expect(tickFields({ symbol: 'AAPL', price: '191.230', size: 1, time: NOW, source: 'sim' })).toEqual([
      'symbol',
      'AAPL',
      'price',
      '191.230',
      'size',
      '1',
      'ts',
      String(NOW),
      'src',
      'sim',
    ]);
  });

  it.each([
    { symbol: 'AAPL', price: 191.23, size: 100, time: NOW },
    { symbol: 'BRK.B', price: 0.000001, size: 0, time: 0 },
    { symbol: 'X', price: 123456789.123456, size: 999_999_999_999, time: NOW + MAX_FUTURE_SKEW_MS, source: 'feed-a' },
    { symbol: 'AAPL', price: 0.0001, size: 0.5, time: NOW - 1 },
    // Sizes below 1e-6 print in exponent form by default ("1e-8"), which the contract rejects.
    { symbol: 'AAPL', price: 10, size: 0.00000001, time: NOW },
    { symbol: 'AAPL', price: 10, size: 0.0000005, time: NOW },
    { symbol: 'AAPL', price: 10, size: 0.00000123, time: NOW },
  ])('round-trips through parseTick: %j', (tick) => {
    expect(parseTick('9-0', tickFields(tick), isKnown, NOW)).toEqual({ ok: true, tick: { id: '9-0', ...tick } });
  });

  it('round-trips any contract-valid tick (seeded)', () => {
    let state = 12345;
    const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const int = (max: number) => Math.floor(next() * (max + 1));
    const decimal = (wholeDigits: number, places: number) => {
      const whole = String(int(10 ** wholeDigits - 1));
      const n = int(places);
      return n === 0 ? whole : `${whole}.${Array.from({ length: n }, () => int(9)).join('')}`;
    };
    for (let i = 0; i < 2_000; i++) {
      let price = decimal(int(8) + 1, 6);
      if (Number(price) === 0) price = '0.01';
      const tick = { symbol: 'X', price: Number(price), size: Number(decimal(int(5) + 1, 8)), time: NOW - int(1e9) };
      expect(parseTick('1-0', tickFields(tick), isKnown, NOW), JSON.stringify(tick)).toEqual({
        ok: true,
        tick: { id: '1-0', ...tick },
      });
    }
  });
});
