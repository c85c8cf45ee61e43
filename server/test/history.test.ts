// Historical performance over real HTTP against the real server, checked against an independent
// computation from the raw ticks and the ledger made here: for each bucket the last price of every
// held symbol at its end, shares and cash from the transactions before it, value in integer cents,
// flows and the chained time-weighted return; deposits, withdrawals, a sale, a dividend and a fee
// included. Also: only the owner may read it, the cache gives way when the ledger changes, and the
// ingest endpoint's contract.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/auth/passwords.js';
import { createPortfolio } from '../src/store/portfolios.js';
import { refreshCandles } from '../src/store/candles.js';
import { insertTicks } from '../src/store/ticks.js';
import { recordTransactions, type NewTransaction } from '../src/store/transactions.js';
import { createUser } from '../src/store/users.js';
import type { Tick } from '../src/streams/tick.js';
import { login, startTestApp, type TestApp } from './harness.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const HELD = ['AAPL', 'MSFT', 'KO'];
const BENCHMARK = 'SPY';

let t: TestApp;
let owner: string;
let intruder: string;
let portfolio: number;
const now = Math.floor(Date.now() / MINUTE) * MINUTE;
const ledger: NewTransaction[] = [
  { kind: 'deposit', time: now - 3 * DAY, amount: 100_000 },
  { kind: 'buy', time: now - 3 * DAY + MINUTE, symbol: 'AAPL', quantity: 100, price: 190 },
  { kind: 'buy', time: now - 3 * DAY + MINUTE, symbol: 'MSFT', quantity: 50, price: 400 },
  { kind: 'deposit', time: now - 20 * HOUR, amount: 20_000 },
  { kind: 'buy', time: now - 19 * HOUR, symbol: 'KO', quantity: 200, price: 60 },
  { kind: 'sell', time: now - 12 * HOUR, symbol: 'AAPL', quantity: 40, price: 195.55 },
  { kind: 'dividend', time: now - 8 * HOUR, symbol: 'MSFT', amount: 150 },
  { kind: 'fee', time: now - 6 * HOUR, amount: 9.99 },
  { kind: 'withdrawal', time: now - 4 * HOUR, amount: 5_000 },
];

/** Prices in whole cents so the expected values are exact integer arithmetic. */
function makeTicks(): Tick[] {
  let state = 42;
  const next = () => (state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
  const ticks: Tick[] = [];
  const start: Record<string, number> = { AAPL: 19_000, MSFT: 40_000, KO: 6_000, SPY: 56_000 };
  for (const symbol of [...HELD, BENCHMARK]) {
    let cents = start[symbol]!;
    const tick = (time: number) => {
      cents = Math.max(100, cents + Math.round((next() - 0.5) * 60));
      ticks.push({ id: `${time}-${symbol}`, symbol, price: cents / 100, size: 10, time });
    };
    // Before the day: one tick two days ago (the last price before the 1D range).
    tick(now - 2 * DAY + 17 * MINUTE);
    // KO trades only from 15 hours ago: until then its price is the one from before the range.
    const first = symbol === 'KO' ? now - 15 * HOUR : now - 23 * HOUR;
    for (let time = first + Math.floor(next() * 5 * MINUTE); time < now - 5 * MINUTE;) {
      tick(time);
      time += 3 * MINUTE + Math.floor(next() * 9 * MINUTE);
    }
  }
  return ticks;
}
const ticks = makeTicks();

beforeAll(async () => {
  // No policy runs here: materialising new minutes would (rightly) invalidate the cache between
  // two requests; every level then reads these ticks through real-time aggregation.
  t = await startTestApp({ INGEST_TOKEN: 'test-ingest-token-123456', TIMESCALE_JOBS: 'false' });
  const db = t.app.db;
  const ownerId = await createUser(db, {
    username: 'trader',
    displayName: 'T',
    passwordHash: await hashPassword('pw-trader'),
  });
  await createUser(db, { username: 'intruder', displayName: 'I', passwordHash: await hashPassword('pw-intruder') });
  portfolio = await createPortfolio(db, ownerId, 'Measured', []);
  await recordTransactions(db, portfolio, ledger);
  await insertTicks(db, ticks);
  // Ticks written straight into the past, like a backfill: materialise their candles as a backfill
  // does (the server's first refresh may already have passed these hours while they were empty).
  await refreshCandles(db, now - 3 * DAY, Date.now());
  owner = await login(t.app.url, 'trader', 'pw-trader');
  intruder = await login(t.app.url, 'intruder', 'pw-intruder');
});
afterAll(async () => t?.stop());

interface History {
  resolution: string;
  points: { time: number[]; value: number[]; netFlow: number[]; twr: number[] };
  twr: number;
  benchmark: { symbol: string; close: (number | null)[]; return: (number | null)[]; totalReturn: number | null };
}

async function history(range: string, token = owner, query = ''): Promise<{ status: number; body: History }> {
  const res = await fetch(`${t.app.url}/api/v1/portfolios/${portfolio}/history?range=${range}${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, body: (await res.json()) as History };
}

/**
 * The expected series, computed independently: buckets of `width` where a held symbol traded inside
 * the last `span`; at each bucket's end, every position at its last traded price in integer cents.
 */
function expected(width: number, span: number, transactions: readonly NewTransaction[]) {
  const from = now - span;
  const inRange = (time: number) => time >= from;
  const buckets = [
    ...new Set(
      ticks.filter((x) => HELD.includes(x.symbol) && inRange(x.time)).map((x) => Math.floor(x.time / width) * width),
    ),
  ]
    .filter(inRange)
    .sort((a, b) => a - b);
  const lastPrice = (symbol: string, end: number) =>
    ticks.filter((x) => x.symbol === symbol && x.time < end).sort((a, b) => b.time - a.time)[0]?.price;
  const cents = (amount: number) => Math.round(amount * 100);
  const values: number[] = [];
  const flows: number[] = [];
  let previousEnd = from;
  for (const [i, bucket] of buckets.entries()) {
    const end = bucket + width;
    const before = transactions.filter((x) => x.time < end);
    let value = 0;
    for (const x of before) {
      const amount = x.kind === 'buy' || x.kind === 'sell' ? cents(x.quantity! * x.price!) : cents(x.amount!);
      value += ['deposit', 'sell', 'dividend'].includes(x.kind) ? amount : -amount;
    }
    for (const symbol of HELD) {
      const shares = before
        .filter((x) => x.symbol === symbol && (x.kind === 'buy' || x.kind === 'sell'))
        .reduce((q, x) => q + (x.kind === 'buy' ? x.quantity! : -x.quantity!), 0);
      if (shares) value += shares * cents(lastPrice(symbol, end)!);
    }
    const flow = transactions
      .filter((x) => x.time < end && (i === 0 ? x.time >= from : x.time >= previousEnd))
      .reduce(
        (f, x) => f + (x.kind === 'deposit' ? cents(x.amount!) : x.kind === 'withdrawal' ? -cents(x.amount!) : 0),
        0,
      );
    values.push(value);
    flows.push(flow);
    previousEnd = end;
  }
  const twr: number[] = [];
  let growth = 1;
  values.forEach((v, i) => {
    if (i > 0 && values[i - 1]! + flows[i]! > 0) growth *= v / (values[i - 1]! + flows[i]!);
    twr.push(growth - 1);
  });
  const spy = buckets.map((b) => lastPrice(BENCHMARK, b + width)!);
  return {
    time: buckets,
    value: values.map((v) => v / 100),
    netFlow: flows.map((f) => f / 100),
    twr,
    benchmark: spy.map((c) => c / spy[0]! - 1),
  };
}

function expectSeries(actual: History, want: ReturnType<typeof expected>) {
  expect(actual.points.time).toEqual(want.time);
  expect(actual.points.value).toEqual(want.value);
  expect(actual.points.netFlow).toEqual(want.netFlow);
  expect(actual.points.twr).toHaveLength(want.twr.length);
  actual.points.twr.forEach((r, i) => expect(r).toBeCloseTo(want.twr[i]!, 7));
  expect(actual.twr).toBeCloseTo(want.twr[want.twr.length - 1]!, 7);
  expect(actual.benchmark.symbol).toBe(BENCHMARK);
  actual.benchmark.return.forEach((r, i) => expect(r).toBeCloseTo(want.benchmark[i]!, 7));
}

describe('portfolio history', () => {
  it('1D from 1-minute candles equals the independent computation, flows and TWR included', async () => {
    const { status, body } = await history('1D', owner, `&benchmark=${BENCHMARK}`);
    expect(status).toBe(200);
    expect(body.resolution).toBe('1m');
    const want = expected(MINUTE, DAY, ledger);
    expect(want.time.length).toBeGreaterThan(200);
    expect(want.netFlow.filter((f) => f !== 0)).toEqual([20_000, -5_000]);
    expectSeries(body, want);
  });

  it('1W from 1-hour candles and 1Y from 1-day candles equal it too', async () => {
    const week = await history('1W');
    expect(week.body.resolution).toBe('1h');
    expectSeries(week.body, expected(HOUR, 7 * DAY, ledger));
    const year = await history('1Y');
    expect(year.body.resolution).toBe('1d');
    expectSeries(year.body, expected(DAY, 365 * DAY, ledger));
  });

  it('is served from the cache until the ledger changes, then recomputed', async () => {
    const first = await history('1D');
    expect((await history('1D')).body).toEqual(first.body);
    const deposit = { kind: 'deposit' as const, time: now - 30 * MINUTE, amount: 1_000 };
    const res = await fetch(`${t.app.url}/api/v1/portfolios/${portfolio}/transactions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
      body: JSON.stringify(deposit),
    });
    expect(res.status).toBe(201);
    ledger.push(deposit);
    expectSeries((await history('1D')).body, expected(MINUTE, DAY, ledger));
  });

  it('answers only the owner: 404 for anyone else, 401 without a session', async () => {
    expect((await history('1D', intruder)).status).toBe(404);
    const anonymous = await fetch(`${t.app.url}/api/v1/portfolios/${portfolio}/history?range=1D`);
    expect(anonymous.status).toBe(401);
    const ledgerRead = await fetch(`${t.app.url}/api/v1/portfolios/${portfolio}/transactions`, {
      headers: { authorization: `Bearer ${intruder}` },
    });
    expect(ledgerRead.status).toBe(404);
  });

  it('refuses an unknown range or benchmark', async () => {
    expect((await history('5Y')).status).toBe(400);
    expect((await history('1D', owner, '&benchmark=NOPE')).status).toBe(400);
  });
});

describe('the ledger over HTTP', () => {
  const post = (body: unknown) =>
    fetch(`${t.app.url}/api/v1/portfolios/${portfolio}/transactions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('keeps positions equal to the sum of buys and sells, and refuses to sell what is not held', async () => {
    expect((await post({ kind: 'sell', symbol: 'KO', quantity: 201, price: 61 })).status).toBe(400);
    expect((await post({ kind: 'buy', symbol: 'KO', quantity: 1 })).status).toBe(400);
    expect((await post({ kind: 'deposit', amount: 1.234 })).status).toBe(400);
    expect((await post({ kind: 'sell', symbol: 'KO', quantity: 50, price: 61.5, time: now - 2 * MINUTE })).status).toBe(
      201,
    );
    const res = await fetch(`${t.app.url}/api/v1/portfolios/${portfolio}`, {
      headers: { authorization: `Bearer ${owner}` },
    });
    const positions = ((await res.json()) as { positions: { symbol: string; quantity: number; costBasis: number }[] })
      .positions;
    expect(Object.fromEntries(positions.map((p) => [p.symbol, p.quantity]))).toEqual({ AAPL: 60, MSFT: 50, KO: 150 });
    // Average cost: 40 of 100 AAPL sold takes 40 % of the 19,000.00 paid; 50 of 200 KO a quarter.
    expect(positions.find((p) => p.symbol === 'AAPL')!.costBasis).toBe(11_400);
    expect(positions.find((p) => p.symbol === 'KO')!.costBasis).toBe(9_000);
    const list = await fetch(`${t.app.url}/api/v1/portfolios/${portfolio}/transactions`, {
      headers: { authorization: `Bearer ${owner}` },
    });
    const { transactions } = (await list.json()) as { transactions: { kind: string; amount: number }[] };
    expect(transactions[0]).toMatchObject({ kind: 'sell', amount: 3_075 });
    expect(transactions).toHaveLength(ledger.length + 1);
  });
});

describe('tick ingest over HTTP', () => {
  const ingest = (body: unknown, token = 'test-ingest-token-123456') =>
    fetch(`${t.app.url}/api/v1/ticks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('refuses a missing or wrong token and a malformed body', async () => {
    expect((await ingest({ ticks: [] }, 'wrong-token-wrong-token')).status).toBe(401);
    const anonymous = await fetch(`${t.app.url}/api/v1/ticks`, { method: 'POST' });
    expect(anonymous.status).toBe(401);
    expect((await ingest({ ticks: [] })).status).toBe(400);
    expect((await ingest({ nope: 1 })).status).toBe(400);
  });

  it('streams the valid ticks, dead-letters the others with reasons, and the persister stores them', async () => {
    const ts = Date.now();
    const res = await ingest({
      ticks: [
        { symbol: 'NVDA', price: '123.45', size: 10, ts, src: 'http-test' },
        { symbol: 'ZZZZ', price: '1', ts },
        { symbol: 'NVDA', price: 'NaN', ts },
        { symbol: 'NVDA', price: '-1', ts },
        { symbol: 'NVDA', price: 123.46, ts: ts + 3_600_000 },
        { symbol: 'NVDA', price: 123.47, ts: ts + 1 },
      ],
    });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { accepted: number; rejected: { index: number; reason: string }[] };
    expect(body.accepted).toBe(2);
    expect(body.rejected.map((r) => r.index)).toEqual([1, 2, 3, 4]);
    expect(body.rejected[0]!.reason).toBe('unknown symbol ZZZZ');
    expect(body.rejected[3]!.reason).toMatch(/in the future/);

    const redis = t.app.redis.connect('test-ingest');
    const letters = (await redis.xrange(t.app.keys.deadTicks, '-', '+')) as [string, string[]][];
    const http = letters.map(([, f]) => f).filter((f) => f[1] === 'http');
    expect(http).toHaveLength(4);
    expect(JSON.parse(http[0]![9]!)).toEqual(['symbol', 'ZZZZ', 'price', '1', 'ts', String(ts)]);

    const deadline = Date.now() + 15_000;
    let stored: { price: number; source: string }[] = [];
    while (stored.length < 2 && Date.now() < deadline) {
      stored = await t.app.db.query(`SELECT price, source FROM ticks WHERE source = 'http-test' OR price = 123.47`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(stored.map((s) => s.price).sort()).toEqual([123.45, 123.47]);
  });
});
