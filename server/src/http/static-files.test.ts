// The built web app as the server hands it out, over a real uWS listener: each route gets its own
// prerendered shell (the one that preloads that route's code), any other path of the single-page
// app gets the fallback shell, files are only ever files of the build, and hashed files are
// cached for good while pages are revalidated.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { us_listen_socket } from 'uWebSockets.js';
import { listenExclusive, loadUws } from '../gateway/uws.js';
import { loadStaticSite } from './static-files.js';

const { uws } = loadUws(false);
let dir: string;
let base: string;
let listen: us_listen_socket;

const page = (name: string) => `<!doctype html><title>${name}</title><script>boot("${name}")</script>`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tickdash-static-'));
  writeFileSync(join(dir, 'index.html'), page('dashboard'));
  writeFileSync(join(dir, 'login.html'), page('login'));
  writeFileSync(join(dir, '200.html'), page('fallback'));
  mkdirSync(join(dir, '_app/immutable'), { recursive: true });
  writeFileSync(join(dir, '_app/immutable/app.abc123.js'), 'export const x = 1;');
  const site = loadStaticSite(dir);
  const app = uws.App().get('/*', (res, req) => site.handle(res, req));
  const port = await new Promise<number>((ok, fail) =>
    listenExclusive(app, '127.0.0.1', 0, (socket) => {
      if (!socket) return fail(new Error('cannot listen'));
      listen = socket;
      ok(uws.us_socket_local_port(socket));
    }),
  );
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => {
  if (listen) uws.us_listen_socket_close(listen);
  rmSync(dir, { recursive: true, force: true });
});

async function get(path: string) {
  const res = await fetch(base + path);
  return {
    status: res.status,
    body: await res.text(),
    cache: res.headers.get('cache-control'),
    csp: res.headers.get('content-security-policy'),
  };
}

describe('serving the built web app', () => {
  it("gives each route its own prerendered shell and any other path the fallback's", async () => {
    expect((await get('/')).body).toBe(page('dashboard'));
    expect((await get('/login')).body).toBe(page('login'));
    expect((await get('/login/')).body).toBe(page('fallback'));
    expect((await get('/portfolios/7')).body).toBe(page('fallback'));
    expect((await get('/index.html')).body).toBe(page('dashboard'));
  });

  it('allows each page only its own inline bootstrap, and revalidates pages', async () => {
    const login = await get('/login');
    const fallback = await get('/anything');
    expect(login.cache).toBe('no-cache');
    expect(login.csp).toMatch(/script-src 'self' 'sha256-/);
    expect(login.csp).not.toBe(fallback.csp);
  });

  it('serves files of the build only, hashed ones cached for a year', async () => {
    const js = await get('/_app/immutable/app.abc123.js');
    expect(js.status).toBe(200);
    expect(js.cache).toContain('immutable');
    expect((await get('/_app/immutable/missing.js')).status).toBe(404);
    expect((await get('/login.js')).status).toBe(404);
  });
});
