// Behind nginx, over real HTTP: the login throttle counts the address nginx saw only when
// TRUST_PROXY is on (off, anyone could pick the address they are counted under), and the session
// cookie is Secure when COOKIE_SECURE says so (and, unit-tested in client-address.test.ts, when it is
// unset and a trusted proxy says the page came over HTTPS).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILED_LOGINS_ALLOWED } from '../../src/auth/login-limiter.js';
import { startTestApp, type TestApp } from '../harness.js';

let direct: TestApp;
let proxied: TestApp;

beforeAll(async () => {
  [direct, proxied] = await Promise.all([startTestApp(), startTestApp({ TRUST_PROXY: 'true', COOKIE_SECURE: 'true' })]);
}, 120_000);
afterAll(async () => Promise.all([direct, proxied].map((t) => t?.stop())));

function attempt(t: TestApp, username: string, password: string, headers: Record<string, string> = {}) {
  return fetch(`${t.app.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ username, password }),
  });
}

/** The failure count the throttle keeps for an address. */
async function failuresOf(t: TestApp, address: string): Promise<number> {
  return Number(await t.app.redis.connect('check').get(t.app.keys.loginFailures('ip', address)));
}

/** Puts an address at the per-address limit, as that many failed logins would. */
async function lockOut(t: TestApp, address: string): Promise<void> {
  await t.app.redis
    .connect('lock')
    .set(t.app.keys.loginFailures('ip', address), String(FAILED_LOGINS_ALLOWED * 5), 'EX', 300);
}

describe('the login throttle behind a proxy', () => {
  it('with TRUST_PROXY, counts and locks the address the proxy added, whatever the client claims', async () => {
    const res = await attempt(proxied, 'nobody', 'wrong', { 'x-forwarded-for': '198.51.100.1, 203.0.113.7' });
    expect(res.status).toBe(401);
    expect(await failuresOf(proxied, '203.0.113.7')).toBe(1);
    expect(await failuresOf(proxied, '198.51.100.1')).toBe(0);
    expect(await failuresOf(proxied, '127.0.0.1')).toBe(0);

    await lockOut(proxied, '203.0.113.7');
    const locked = await attempt(proxied, 'demo', 'demo', { 'x-forwarded-for': '203.0.113.7' });
    expect(locked.status).toBe(429);
    expect(((await locked.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    // Another trader behind the same proxy is not locked out with them.
    expect((await attempt(proxied, 'demo', 'demo', { 'x-forwarded-for': '203.0.113.8' })).status).toBe(200);
  });

  it('without TRUST_PROXY (the default), ignores X-Forwarded-For and counts the connection', async () => {
    expect((await attempt(direct, 'nobody', 'wrong', { 'x-forwarded-for': '203.0.113.7' })).status).toBe(401);
    expect(await failuresOf(direct, '127.0.0.1')).toBe(1);
    expect(await failuresOf(direct, '203.0.113.7')).toBe(0);
    await lockOut(direct, '127.0.0.1');
    // A forged header does not get a locked-out client past the throttle.
    expect((await attempt(direct, 'demo', 'demo', { 'x-forwarded-for': '203.0.113.9' })).status).toBe(429);
    await direct.app.redis.connect('unlock').del(direct.app.keys.loginFailures('ip', '127.0.0.1'));
  });
});

describe('the session cookie', () => {
  it('is Secure with COOKIE_SECURE=true, on logout too, and not by default whatever the headers say', async () => {
    const login = await attempt(proxied, 'demo', 'demo', { 'x-forwarded-for': '203.0.113.20' });
    expect(login.headers.get('set-cookie')).toMatch(
      /^session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=\d+; Secure$/,
    );
    const logout = await fetch(`${proxied.app.url}/api/v1/auth/logout`, { method: 'POST' });
    expect(logout.headers.get('set-cookie')).toBe('session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0; Secure');
    // Without TRUST_PROXY nobody vouches for X-Forwarded-Proto.
    const plain = await attempt(direct, 'demo', 'demo', { 'x-forwarded-proto': 'https' });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('set-cookie')).not.toMatch(/Secure/);
  });
});
