// The bad-input corpus, table-driven, against one real server: malformed socket frames, bad JSON,
// wrong types, huge bodies, path traversal against the static files, SQL metacharacters in every
// parameter, forged and expired session tokens, other users' ids, malformed ticks over HTTP and
// straight onto the stream. Each case gets a clear error with a stable code; after each the process
// still answers /healthz; no body names the other user's data; nothing bad is stored.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/passwords.js';
import { createPortfolio } from '../../src/store/portfolios.js';
import { createUser } from '../../src/store/users.js';
import { tickFields } from '../../src/streams/tick.js';
import { login, startTestApp, TestSocket, type TestApp } from '../harness.js';

const INGEST_TOKEN = 'corpus-ingest-token-0123456789';
const SECRET_NAME = 'Bob Private Book';
const OUTSIDE_SECRET = 'outside-the-web-root-4242';

let t: TestApp;
let web: string;
let alice: string;
let alicePortfolio: number;
let bobPortfolio: number;
let redis: Redis;
const bodies: string[] = [];

beforeAll(async () => {
  // A web root of our own, with a secret file beside it that traversal must never reach.
  web = mkdtempSync(join(tmpdir(), 'tickdash-corpus-web-'));
  mkdirSync(join(web, 'site'));
  writeFileSync(join(web, 'site', 'index.html'), '<!doctype html><title>tickdash</title>');
  writeFileSync(join(web, 'site', 'app.js'), 'console.log(1)');
  writeFileSync(join(web, 'secret.txt'), OUTSIDE_SECRET);
  t = await startTestApp({ INGEST_TOKEN, WEB_DIR: join(web, 'site') });
  const passwordHash = await hashPassword('alice-pass');
  const aliceId = await createUser(t.app.db, { username: 'alice', displayName: 'Alice', passwordHash });
  const bobId = await createUser(t.app.db, { username: 'bob', displayName: 'Bob', passwordHash });
  alicePortfolio = await createPortfolio(t.app.db, aliceId, 'Alice Book', [
    { symbol: 'AAPL', quantity: 10, costBasis: 1000 },
  ]);
  bobPortfolio = await createPortfolio(t.app.db, bobId, SECRET_NAME, [{ symbol: 'TSLA', quantity: 7, costBasis: 700 }]);
  alice = await login(t.app.url, 'alice', 'alice-pass');
  redis = t.app.redis.connect('corpus');
}, 120_000);
afterAll(async () => {
  await t?.stop();
  rmSync(web, { recursive: true, force: true });
});

/** Raw HTTP, so paths go out exactly as written (fetch would normalise `..`). */
function raw(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string | Buffer,
): Promise<{ status: number; text: string }> {
  const url = new URL(t.app.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function stillServing(): Promise<void> {
  const health = await raw('GET', '/healthz');
  expect(health.status).toBe(200);
}

const json = { 'content-type': 'application/json' };
const asAlice = (extra: Record<string, string> = {}) => ({ authorization: `Bearer ${alice}`, ...json, ...extra });
const sqlBits = ["1' OR '1'='1", '1; DROP TABLE ticks;--', "x') UNION SELECT password_hash FROM users--", '%27%3B--'];

interface HttpCase {
  name: string;
  method: string;
  path: string | (() => string);
  headers?: () => Record<string, string>;
  body?: string | Buffer | (() => string);
  status: number;
  code: string;
}

const httpCases: HttpCase[] = [
  {
    name: 'bad JSON',
    method: 'POST',
    path: '/api/v1/auth/login',
    headers: () => json,
    body: '{"username":',
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'JSON that is not an object',
    method: 'POST',
    path: '/api/v1/auth/login',
    headers: () => json,
    body: '[1,2]',
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'wrong types in login',
    method: 'POST',
    path: '/api/v1/auth/login',
    headers: () => json,
    body: '{"username":1,"password":["x"]}',
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'huge body',
    method: 'POST',
    path: '/api/v1/auth/login',
    headers: () => json,
    body: JSON.stringify({ username: 'a', password: 'x'.repeat(200_000) }),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'huge ingest body',
    method: 'POST',
    path: '/api/v1/ticks',
    headers: () => ({ ...json, authorization: `Bearer ${INGEST_TOKEN}` }),
    body: 'x'.repeat(70_000),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  ...sqlBits.map((bit): HttpCase => ({
    name: `SQL in the username: ${bit}`,
    method: 'POST',
    path: '/api/v1/auth/login',
    headers: () => json,
    body: JSON.stringify({ username: bit, password: bit }),
    status: 401,
    code: 'INVALID_CREDENTIALS',
  })),
  ...sqlBits.map((bit): HttpCase => ({
    name: `SQL in a portfolio id: ${bit}`,
    method: 'GET',
    path: `/api/v1/portfolios/${encodeURIComponent(bit)}`,
    headers: asAlice,
    status: 404,
    code: 'NOT_FOUND',
  })),
  ...sqlBits.map((bit): HttpCase => ({
    name: `SQL in the history range: ${bit}`,
    method: 'GET',
    path: () => `/api/v1/portfolios/${alicePortfolio}/history?range=${encodeURIComponent(bit)}`,
    headers: asAlice,
    status: 400,
    code: 'BAD_REQUEST',
  })),
  ...sqlBits.map((bit): HttpCase => ({
    name: `SQL in the benchmark: ${bit}`,
    method: 'GET',
    path: () => `/api/v1/portfolios/${alicePortfolio}/history?range=1D&benchmark=${encodeURIComponent(bit)}`,
    headers: asAlice,
    status: 400,
    code: 'BAD_REQUEST',
  })),
  ...sqlBits.map((bit): HttpCase => ({
    name: `SQL in the ledger cursor: ${bit}`,
    method: 'GET',
    path: () => `/api/v1/portfolios/${alicePortfolio}/transactions?cursor=${encodeURIComponent(bit)}`,
    headers: asAlice,
    status: 400,
    code: 'BAD_REQUEST',
  })),
  ...sqlBits.map((bit): HttpCase => ({
    name: `SQL in a transaction symbol: ${bit}`,
    method: 'POST',
    path: () => `/api/v1/portfolios/${alicePortfolio}/transactions`,
    headers: asAlice,
    body: JSON.stringify({ kind: 'buy', symbol: bit, quantity: 1, price: 1 }),
    status: 400,
    code: 'BAD_REQUEST',
  })),
  ...sqlBits.map((bit): HttpCase => ({
    name: `SQL in an allocation symbol: ${bit}`,
    method: 'PUT',
    path: '/api/v1/allocations',
    headers: asAlice,
    body: () => JSON.stringify({ portfolio: alicePortfolio, targets: [{ symbol: bit, weight: 100 }] }),
    status: 400,
    code: 'VALIDATION',
  })),
  ...sqlBits.map((bit): HttpCase => ({
    name: `SQL in the metrics portfolio: ${bit}`,
    method: 'GET',
    path: `/api/v1/calculations/portfolio-metrics?portfolio=${encodeURIComponent(bit)}&range=1M`,
    headers: asAlice,
    status: 400,
    code: 'BAD_REQUEST',
  })),
  {
    name: 'wrong type of transaction quantity',
    method: 'POST',
    path: () => `/api/v1/portfolios/${alicePortfolio}/transactions`,
    headers: asAlice,
    body: '{"kind":"buy","symbol":"AAPL","quantity":"ten","price":1}',
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'forged token',
    method: 'GET',
    path: '/api/v1/me',
    headers: () => ({ authorization: `Bearer ${'A'.repeat(43)}` }),
    status: 401,
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'malformed token',
    method: 'GET',
    path: '/api/v1/portfolios',
    headers: () => ({ authorization: "Bearer ' OR 1=1 --" }),
    status: 401,
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'forged cookie',
    method: 'GET',
    path: '/api/v1/portfolios',
    headers: () => ({ cookie: 'session=../../etc/passwd' }),
    status: 401,
    code: 'UNAUTHENTICATED',
  },
  {
    name: "another user's portfolio",
    method: 'GET',
    path: () => `/api/v1/portfolios/${bobPortfolio}`,
    headers: asAlice,
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: "another user's history",
    method: 'GET',
    path: () => `/api/v1/portfolios/${bobPortfolio}/history?range=1M`,
    headers: asAlice,
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: "another user's ledger",
    method: 'GET',
    path: () => `/api/v1/portfolios/${bobPortfolio}/transactions`,
    headers: asAlice,
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: "a transaction into another user's portfolio",
    method: 'POST',
    path: () => `/api/v1/portfolios/${bobPortfolio}/transactions`,
    headers: asAlice,
    body: '{"kind":"deposit","amount":1000}',
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: "targets for another user's portfolio",
    method: 'PUT',
    path: '/api/v1/allocations',
    headers: asAlice,
    body: () => JSON.stringify({ portfolio: bobPortfolio, targets: [{ symbol: 'TSLA', weight: 100 }] }),
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: "metrics of another user's portfolio",
    method: 'GET',
    path: () => `/api/v1/calculations/portfolio-metrics?portfolio=${bobPortfolio}&range=1M`,
    headers: asAlice,
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: 'ingest with a wrong token',
    method: 'POST',
    path: '/api/v1/ticks',
    headers: () => ({ ...json, authorization: 'Bearer not-the-ingest-token-at-all' }),
    body: '{"ticks":[]}',
    status: 401,
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'ingest with bad JSON',
    method: 'POST',
    path: '/api/v1/ticks',
    headers: () => ({ ...json, authorization: `Bearer ${INGEST_TOKEN}` }),
    body: '{"ticks":[{',
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'ingest with ticks that are not a list',
    method: 'POST',
    path: '/api/v1/ticks',
    headers: () => ({ ...json, authorization: `Bearer ${INGEST_TOKEN}` }),
    body: '{"ticks":"AAPL"}',
    status: 400,
    code: 'BAD_REQUEST',
  },
];

const pathOf = (c: HttpCase) => (typeof c.path === 'function' ? c.path() : c.path);

describe('bad HTTP input', () => {
  it.each(httpCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const body = typeof c.body === 'function' ? c.body() : c.body;
    const res = await raw(c.method, pathOf(c), c.headers?.() ?? {}, body);
    bodies.push(res.text);
    expect(res.status).toBe(c.status);
    expect((JSON.parse(res.text) as { error: { code: string } }).error.code).toBe(c.code);
    await stillServing();
  });
});

describe('path traversal against the static files', () => {
  const attempts = [
    '/../secret.txt',
    '/../../../../etc/passwd',
    '/%2e%2e/secret.txt',
    '/%2e%2e%2fsecret.txt',
    '/..%2fsecret.txt',
    '/%252e%252e%252fsecret.txt',
    '/..%5csecret.txt',
    '/.%2e/.%2e/etc/passwd',
    '/app.js/../../secret.txt',
    '/%c0%ae%c0%ae/secret.txt',
    '//secret.txt',
    '/site/../secret.txt',
  ];
  it.each(attempts)('%s reaches nothing outside the web root', async (path) => {
    const res = await raw('GET', path);
    bodies.push(res.text);
    expect(res.text).not.toContain(OUTSIDE_SECRET);
    expect(res.text).not.toMatch(/root:.*:0:0:/);
    // Either not found, or the app's own page for a client-side route: never another file.
    expect([200, 404]).toContain(res.status);
    if (res.status === 200) expect(res.text).toBe('<!doctype html><title>tickdash</title>');
    await stillServing();
  });
});

describe('expired sessions', () => {
  it('are refused on the API and on the socket upgrade', async () => {
    const token = await login(t.app.url, 'alice', 'alice-pass');
    const key = t.app.keys.session(createHash('sha256').update(token).digest('hex'));
    expect(await redis.exists(key)).toBe(1);
    await redis.pexpire(key, 1);
    await expect.poll(() => redis.exists(key)).toBe(0);
    const res = await raw('GET', '/api/v1/me', { authorization: `Bearer ${token}` });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.text).error.code).toBe('UNAUTHENTICATED');
    await expect(TestSocket.open(t.wsUrl, token)).rejects.toThrow('upgrade refused: 401');
    await expect(TestSocket.open(t.wsUrl, 'B'.repeat(43))).rejects.toThrow('upgrade refused: 401');
    await stillServing();
  });
});

interface FrameCase {
  name: string;
  frame: () => string | Buffer;
  code: string;
}

const frameCases: FrameCase[] = [
  { name: 'not JSON', frame: () => '{"op":', code: 'BAD_FRAME' },
  { name: 'not an object', frame: () => '[1]', code: 'BAD_FRAME' },
  { name: 'no op', frame: () => '{"portfolios":[1]}', code: 'BAD_FRAME' },
  { name: 'a binary frame', frame: () => Buffer.from([0, 1, 2, 255]), code: 'BAD_FRAME' },
  { name: 'an unknown op', frame: () => '{"op":"drop_tables"}', code: 'UNKNOWN_OP' },
  { name: 'ids of the wrong type', frame: () => '{"op":"subscribe","portfolios":"1"}', code: 'BAD_ARGUMENT' },
  { name: 'a negative id', frame: () => '{"op":"subscribe","portfolios":[-1]}', code: 'BAD_ARGUMENT' },
  { name: 'a fractional id', frame: () => '{"op":"subscribe","portfolios":[1.5]}', code: 'BAD_ARGUMENT' },
  {
    name: 'SQL as an id',
    frame: () => JSON.stringify({ op: 'subscribe', portfolios: ["1' OR '1'='1"] }),
    code: 'BAD_ARGUMENT',
  },
  {
    name: 'a resume point with SQL in the epoch',
    frame: () =>
      JSON.stringify({ op: 'subscribe', portfolios: [{ id: 1, epoch: "'; DROP TABLE positions;--", seq: 'x' }] }),
    code: 'BAD_ARGUMENT',
  },
  {
    name: 'too many ids',
    frame: () => JSON.stringify({ op: 'subscribe', portfolios: Array.from({ length: 101 }, (_, i) => i + 1) }),
    code: 'BAD_ARGUMENT',
  },
  {
    name: 'a frame over 4 KB',
    frame: () => JSON.stringify({ op: 'ping', pad: 'x'.repeat(5_000) }),
    code: 'FRAME_TOO_LARGE',
  },
  {
    name: "another user's portfolio",
    frame: () => JSON.stringify({ op: 'subscribe', portfolios: [bobPortfolio] }),
    code: 'NOT_FOUND',
  },
  {
    name: 'a portfolio that does not exist',
    frame: () => '{"op":"subscribe","portfolios":[999999]}',
    code: 'NOT_FOUND',
  },
];

describe('bad socket frames', () => {
  let bystander: TestSocket;
  beforeAll(async () => {
    bystander = await TestSocket.open(t.wsUrl, alice);
  });
  afterAll(() => bystander.close());

  it.each(frameCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const socket = await TestSocket.open(t.wsUrl, alice);
    socket.ws.send(c.frame());
    const error = await socket.next((f) => f.type === 'error');
    expect(error.code).toBe(c.code);
    // The connection stays open after an error, and the server answers everyone.
    socket.send({ op: 'ping' });
    await socket.next((f) => f.type === 'pong');
    const pongs = bystander.frames.filter((f) => f.type === 'pong').length;
    bystander.send({ op: 'ping' });
    await expect.poll(() => bystander.frames.filter((f) => f.type === 'pong').length).toBe(pongs + 1);
    bodies.push(JSON.stringify(socket.frames));
    socket.close();
    await stillServing();
  });

  it('a frame over 16 KB ends that socket', async () => {
    const socket = await TestSocket.open(t.wsUrl, alice);
    socket.send({ op: 'ping', pad: 'x'.repeat(17_000) });
    // uWS drops the connection without a close frame, so the client sees 1006, not 1009.
    expect((await socket.closed).code).toBe(1006);
    const pongs = bystander.frames.filter((f) => f.type === 'pong').length;
    bystander.send({ op: 'ping' });
    await expect.poll(() => bystander.frames.filter((f) => f.type === 'pong').length).toBe(pongs + 1);
    await stillServing();
  });

  it('a wrong token on an anonymous socket gets UNAUTHENTICATED and 4401', async () => {
    const socket = await TestSocket.open(t.wsUrl);
    socket.send({ op: 'subscribe', portfolios: [alicePortfolio] });
    expect((await socket.next((f) => f.type === 'error')).code).toBe('UNAUTHENTICATED');
    socket.send({ op: 'auth', token: 'C'.repeat(43) });
    expect((await socket.closed).code).toBe(4401);
    bodies.push(JSON.stringify(socket.frames));
    await stillServing();
  });
});

describe('malformed ticks', () => {
  const bad: Record<string, string>[] = [
    { symbol: 'ZZZZ', price: '1.00', ts: 'now' },
    { symbol: 'AAPL', price: 'NaN', ts: String(Date.now()) },
    { symbol: 'AAPL', price: '-5', ts: String(Date.now()) },
    { symbol: 'AAPL', price: '1e9', ts: String(Date.now()) },
    { symbol: 'AAPL', price: '1.00', ts: String(Date.now() + 3_600_000) },
    { symbol: "AAPL'; DROP TABLE ticks;--", price: '1.00', ts: String(Date.now()) },
    { symbol: 'aapl', price: '1.00', ts: String(Date.now()) },
    { symbol: 'AAPL', price: '1.1234567', ts: String(Date.now()) },
    { symbol: 'AAPL', price: '1.00' },
  ];

  it('over HTTP: a tick without the fields a tick has fails the request, with nothing written', async () => {
    const res = await raw(
      'POST',
      '/api/v1/ticks',
      { ...json, authorization: `Bearer ${INGEST_TOKEN}` },
      JSON.stringify({ ticks: [{ symbol: 'AAPL', price: '1.00', src: 'corpus-http-shape' }] }),
    );
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error.code).toBe('BAD_REQUEST');
    await stillServing();
  });

  it('over HTTP: each bad tick rejected with its reason, none stored, the good one accepted', async () => {
    const shaped = bad.filter((b) => 'ts' in b);
    const ticks = [
      ...shaped.map((b, i) => ({ ...b, src: `corpus-http-bad-${i}` })),
      { symbol: 'AAPL', price: '190.5', ts: Date.now(), src: 'corpus-http-good' },
    ];
    const res = await raw(
      'POST',
      '/api/v1/ticks',
      { ...json, authorization: `Bearer ${INGEST_TOKEN}` },
      JSON.stringify({ ticks }),
    );
    expect(res.status).toBe(202);
    const answer = JSON.parse(res.text) as { accepted: number; rejected: { index: number; reason: string }[] };
    expect(answer.accepted).toBe(1);
    expect(answer.rejected.map((r) => r.index)).toEqual(shaped.map((_, i) => i));
    for (const r of answer.rejected) expect(r.reason).toMatch(/\w{4,}/);
    await stillServing();
  });

  it('straight onto the stream: dead-lettered with reasons, none stored, the reader and persister go on', async () => {
    const deadBefore = Number(await redis.get(t.app.keys.deadTicksCount));
    const pipeline = redis.pipeline();
    bad.forEach((b, i) =>
      pipeline.xadd(t.app.keys.ticks, '*', ...Object.entries(b).flat(), 'src', `corpus-stream-bad-${i}`),
    );
    pipeline.xadd(t.app.keys.ticks, '*', 'price', '1.00');
    pipeline.xadd(
      t.app.keys.ticks,
      '*',
      ...tickFields({ symbol: 'AAPL', price: '191.25', size: 1, time: Date.now(), source: 'corpus-stream-good' }),
    );
    await pipeline.exec();
    const stored = () =>
      t.app.db.query<{ source: string }>(`SELECT source FROM ticks WHERE source LIKE 'corpus-%' ORDER BY source`);
    await expect.poll(async () => (await stored()).length, { timeout: 15_000 }).toBe(2);
    expect((await stored()).map((r) => r.source)).toEqual(['corpus-http-good', 'corpus-stream-good']);
    await expect.poll(async () => Number(await redis.get(t.app.keys.deadTicksCount))).toBe(deadBefore + bad.length + 1);
    const dead = (await redis.xrange(t.app.keys.deadTicks, '-', '+')) as [string, string[]][];
    const reasons = dead
      .filter(([, f]) => f[f.indexOf('origin') + 1] === 'stream')
      .map(([, f]) => f[f.indexOf('reason') + 1]);
    expect(reasons).toHaveLength(bad.length + 1);
    for (const reason of reasons) expect(reason).toMatch(/\w{4,}/);
    await stillServing();
  });
});

describe('afterwards', () => {
  it('no body named the other user or their book, and nothing bad was stored', async () => {
    for (const body of bodies) {
      expect(body).not.toContain(SECRET_NAME);
      expect(body).not.toContain('TSLA');
      expect(body).not.toContain('scrypt$');
    }
    const [counts] = await t.app.db.query<{ users: number; ticks: number }>(
      `SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM ticks) AS ticks`,
    );
    // The demo user plus alice and bob; no ledger entry in their books.
    expect(counts!.users).toBe(3);
    const [ledger] = await t.app.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM transactions WHERE portfolio_id = ANY($1::int8[])`,
      [[alicePortfolio, bobPortfolio]],
    );
    expect(ledger!.n).toBe(0);
    const [bob] = await t.app.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM positions WHERE portfolio_id = $1`,
      [bobPortfolio],
    );
    expect(bob!.n).toBe(1);
    expect(counts!.ticks).toBe(2);
    await stillServing();
  });
});
