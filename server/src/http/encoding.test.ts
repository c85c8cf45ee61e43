import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compress, etagOf, negotiate, notModified } from './encoding.js';

describe('content negotiation', () => {
  it('prefers brotli, then gzip, and honours q=0', () => {
    expect(negotiate('gzip, deflate, br')).toBe('br');
    expect(negotiate('gzip')).toBe('gzip');
    expect(negotiate('br;q=0, gzip;q=0.5')).toBe('gzip');
    expect(negotiate('*;q=0')).toBe('identity');
    expect(negotiate(undefined)).toBe('identity');
    expect(negotiate('identity')).toBe('identity');
  });

  it('round-trips bodies through each encoding', () => {
    const body = Buffer.from(JSON.stringify({ rows: Array.from({ length: 200 }, (_, i) => ({ i, s: 'AAPL' })) }));
    expect(brotliDecompressSync(compress(body, 'br'))).toEqual(body);
    expect(gunzipSync(compress(body, 'gzip'))).toEqual(body);
    expect(compress(body, 'br').length).toBeLessThan(body.length / 4);
  });
});

describe('conditional requests', () => {
  it('matches weak and strong forms of the same tag, lists and *', () => {
    const tag = etagOf(Buffer.from('{"a":1}'));
    expect(tag).toMatch(/^W\/"/);
    expect(notModified(tag, tag)).toBe(true);
    expect(notModified(tag.slice(2), tag)).toBe(true);
    expect(notModified(`"other", ${tag}`, tag)).toBe(true);
    expect(notModified('*', tag)).toBe(true);
    expect(notModified('"other"', tag)).toBe(false);
    expect(notModified(undefined, tag)).toBe(false);
    expect(etagOf(Buffer.from('{"a":2}'))).not.toBe(tag);
  });
});
