import { describe, expect, it } from 'vitest';
import { clientAddress, secureCookie } from './client-address.js';

const req = (headers: Record<string, string>) => ({ ip: '10.0.0.2', headers });

describe('clientAddress', () => {
  it('is the connection address unless a proxy is trusted', () => {
    expect(clientAddress(req({ 'x-forwarded-for': '203.0.113.7' }), {})).toBe('10.0.0.2');
  });

  it("behind a trusted proxy, is the entry the proxy added, not the client's own claims", () => {
    const proxy = { trustProxy: true };
    expect(clientAddress(req({ 'x-forwarded-for': '203.0.113.7' }), proxy)).toBe('203.0.113.7');
    expect(clientAddress(req({ 'x-forwarded-for': '1.1.1.1, 203.0.113.7' }), proxy)).toBe('203.0.113.7');
    expect(clientAddress(req({}), proxy)).toBe('10.0.0.2');
    expect(clientAddress(req({ 'x-forwarded-for': ' , ' }), proxy)).toBe('10.0.0.2');
  });
});

describe('secureCookie', () => {
  it('follows COOKIE_SECURE when set, else HTTPS as seen by a trusted proxy', () => {
    const https = req({ 'x-forwarded-proto': 'https' });
    expect(secureCookie(https, {})).toBe(false);
    expect(secureCookie(https, { trustProxy: true })).toBe(true);
    expect(secureCookie(req({ 'x-forwarded-proto': 'http' }), { trustProxy: true })).toBe(false);
    expect(secureCookie(req({}), { cookieSecure: true })).toBe(true);
    expect(secureCookie(https, { trustProxy: true, cookieSecure: false })).toBe(false);
  });
});
