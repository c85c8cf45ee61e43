// The HTTP API over real HTTP against the real server: authentication, ownership, errors,
// conditional requests, compression, sparse fieldsets, limits, login throttling and operations.
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILED_LOGINS_ALLOWED } from '../src/auth/login-limiter.js';
import { hashPassword } from '../src/auth/passwords.js';
import { createPortfolio } from '../src/store/portfolios.js';
import { createUser } from '../src/store/users.js';
import { login, startTestApp, type TestApp } from './harness.js';

let t: TestApp;
let token: string;
let theirs: number;

beforeAll(async () => {
  t = await startTestApp();
  token = await login(t.app.url, 'demo', 'demo');
  const other = await createUser(t.app.db, {
    username: 'neighbour',
    displayName: 'N',
    passwordHash: await hashPassword('pw-neighbour'),
  });
  theirs = await createPortfolio(t.app.db, other, 'Private Holdings', [
    { symbol: 'MSFT', quantity: 3, costBasis: 999 },
  ]);
});
afterAll(async () => t?.stop());

const auth = () => ({ authorization: `Bearer ${token}` });

/** Raw GET that does not decode bodies, so encodings can be checked. */
function rawGet(
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${t.app.url}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('authentication', () => {
  it('refuses every API call without a session, with a stable error body', async () => {
    for (const path of ['/api/v1/me', '/api/v1/portfolios', '/api/v1/portfolios/1']) {
      const res = await fetch(`${t.app.url}${path}`);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'log in first' } });
    }
  });

  it('logs in with a cookie that is HttpOnly and SameSite, and logs out', async () => {
    const res = await fetch(`${t.app.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'demo', password: 'demo' }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\//);
    const session = cookie.split(';')[0]!;
    expect((await fetch(`${t.app.url}/api/v1/me`, { headers: { cookie: session } })).status).toBe(200);
    expect(
      (await fetch(`${t.app.url}/api/v1/auth/logout`, { method: 'POST', headers: { cookie: session } })).status,
    ).toBe(204);
    expect((await fetch(`${t.app.url}/api/v1/me`, { headers: { cookie: session } })).status).toBe(401);
  });

  it('rejects malformed login bodies with reasons', async () => {
    const post = (body: string, type = 'application/json') =>
      fetch(`${t.app.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': type }, body });
    expect((await post('{not json')).status).toBe(400);
    expect(((await (await post('{not json')).json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST');
    expect((await post(JSON.stringify({ username: 5 }))).status).toBe(400);
    expect((await post('username=demo', 'application/x-www-form-urlencoded')).status).toBe(415);
    expect((await post(JSON.stringify({ username: 'x', password: 'y'.repeat(70_000) }))).status).toBe(413);
  });

  it('throttles password guessing per username, and says when to retry', async () => {
    await createUser(t.app.db, { username: 'target', displayName: 'T', passwordHash: await hashPassword('right-one') });
    const attempt = (password: string) =>
      fetch(`${t.app.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'target', password }),
      });
    for (let i = 0; i < FAILED_LOGINS_ALLOWED; i++) expect((await attempt(`guess-${i}`)).status).toBe(401);
    const locked = await attempt('right-one'); // even the right password waits out the window
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Other users are not affected.
    expect(
      (
        await fetch(`${t.app.url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'demo', password: 'demo' }),
        })
      ).status,
    ).toBe(200);
  });
});

describe('portfolios', () => {
  it('lists only the caller’s portfolios and never leaks another’s', async () => {
    const list = (await (await fetch(`${t.app.url}/api/v1/portfolios`, { headers: auth() })).json()) as {
      portfolios: { id: number; name: string }[];
    };
    expect(list.portfolios.map((p) => p.name)).toEqual(['Core Growth', 'Dividend Income', 'Tech Leaders']);
    const res = await fetch(`${t.app.url}/api/v1/portfolios/${theirs}`, { headers: auth() });
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('Private');
    for (const bad of ['0', '-1', 'abc', '1.5', '99999999999999999999', "1'%20OR%20'1'='1"]) {
      expect((await fetch(`${t.app.url}/api/v1/portfolios/${bad}`, { headers: auth() })).status).toBe(404);
    }
  });

  it('answers 304 to a matching If-None-Match, and a new tag when the data changes', async () => {
    const first = await fetch(`${t.app.url}/api/v1/portfolios`, { headers: auth() });
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\//);
    const again = await fetch(`${t.app.url}/api/v1/portfolios`, { headers: { ...auth(), 'if-none-match': etag } });
    expect(again.status).toBe(304);
    const { createPortfolio: create } = await import('../src/store/portfolios.js');
    await create(t.app.db, 1, 'Another', [{ symbol: 'AAPL', quantity: 1, costBasis: 100 }]);
    const changed = await fetch(`${t.app.url}/api/v1/portfolios`, { headers: { ...auth(), 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it('compresses large bodies with the best encoding the client accepts', async () => {
    const plain = await rawGet('/api/v1/portfolios/1', auth());
    expect(plain.headers['content-encoding']).toBeUndefined();
    const br = await rawGet('/api/v1/portfolios/1', { ...auth(), 'accept-encoding': 'gzip, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.body)).toEqual(plain.body);
    const gz = await rawGet('/api/v1/portfolios/1', { ...auth(), 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body)).toEqual(plain.body);
    expect(br.headers.vary).toBe('Accept-Encoding');
  });

  it('returns only the requested fields and drops excluded nested resources', async () => {
    const sparse = await (
      await fetch(`${t.app.url}/api/v1/portfolios/1?fields=id,positions.symbol`, { headers: auth() })
    ).json();
    expect(Object.keys(sparse as object)).toEqual(['id', 'positions']);
    expect((sparse as { positions: object[] }).positions.every((p) => Object.keys(p).join() === 'symbol')).toBe(true);
    const lean = await (await fetch(`${t.app.url}/api/v1/portfolios/1?exclude=positions`, { headers: auth() })).json();
    expect(lean).not.toHaveProperty('positions');
    expect(lean).toHaveProperty('name', 'Core Growth');
  });

  it('answers unknown endpoints with a JSON 404', async () => {
    const res = await fetch(`${t.app.url}/api/v1/nope`, { headers: auth() });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });
});

describe('operations', () => {
  it('reports liveness, readiness with its checks, and Prometheus metrics', async () => {
    expect(await (await fetch(`${t.app.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${t.app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { redis: 'ok', database: 'ok', schema: 'ok' } });
    const metrics = await (await fetch(`${t.app.url}/metrics`)).text();
    for (const name of [
      'tickdash_http_request_duration_seconds_bucket',
      'tickdash_db_query_duration_seconds_bucket',
      'tickdash_ws_connections',
      'tickdash_deltas_published_total',
      'tickdash_gateway_stream_lag_seconds',
      'tickdash_event_loop_delay_p99_seconds',
      'tickdash_process_resident_memory_bytes',
    ]) {
      expect(metrics).toContain(name);
    }
    expect(metrics).toMatch(
      /tickdash_http_request_duration_seconds_count\{route="\/api\/v1\/portfolios",method="GET",status="200"\} \d+/,
    );
  });

  it('sends a strict content security policy and the usual protective headers with the page', async () => {
    const page = await fetch(`${t.app.url}/`);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves the web app with content types and caching that fit each file', async () => {
    const index = await fetch(`${t.app.url}/`);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const html = await index.text();
    const script = /\/_app\/immutable\/[^"]+\.js/.exec(html)?.[0];
    expect(script).toBeDefined();
    const js = await fetch(`${t.app.url}${script}`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${t.app.url}/some/client/route`)).headers.get('content-type')).toContain('text/html');

    // The build's precompressed copies, chosen by Accept-Encoding, each with its own validator
    // (the app entry: files too small to gain are left uncompressed).
    const entry = /\/_app\/immutable\/entry\/app\.[^"]+\.js/.exec(html)?.[0];
    expect(entry).toBeDefined();
    const plain = await rawGet(entry!, {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('Accept-Encoding');
    const br = await rawGet(entry!, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    expect(br.body.length).toBeLessThan(plain.body.length);
    const gz = await rawGet(entry!, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
    expect(new Set([plain.headers.etag, br.headers.etag, gz.headers.etag]).size).toBe(3);
    const again = await rawGet(entry!, { 'accept-encoding': 'br', 'if-none-match': String(br.headers.etag) });
    expect(again.status).toBe(304);
    // The copies are variants, not files of their own.
    expect((await rawGet(`${entry!}.br`, {})).status).toBe(404);
    // Traversal attempts reach only the build's own files (here: the SPA's index), never the disk.
    for (const path of [
      '/../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/_app/../../../../etc/passwd',
      '/..%2f..%2fpackage.json',
    ]) {
      const body = (await rawGet(path, {})).body.toString();
      expect(body).not.toContain('root:');
      expect(body).not.toContain('"dependencies"');
    }
  });
});
