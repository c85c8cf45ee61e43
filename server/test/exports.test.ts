// Exports through the real server: each CSV is parsed here and compared cell by cell with the JSON
// the portfolio, transactions and history endpoints return; the HTML report carries the history's
// return and escapes the portfolio's name; progress arrives as `job` notices on the requester's
// socket and nobody else's; another user's exports and portfolios are not found.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/auth/passwords.js';
import { createPortfolio } from '../src/store/portfolios.js';
import { refreshCandles } from '../src/store/candles.js';
import { insertTicks } from '../src/store/ticks.js';
import { recordTransactions, type NewTransaction } from '../src/store/transactions.js';
import { createUser } from '../src/store/users.js';
import type { Tick } from '../src/streams/tick.js';
import { csvRecords } from './csv-parse.js';
import { login, startTestApp, TestSocket, type TestApp } from './harness.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NAME = 'Growth <&> "Income", B';

let t: TestApp;
let owner: string;
let intruder: string;
let portfolio: number;
const now = Math.floor(Date.now() / MINUTE) * MINUTE;
const ledger: NewTransaction[] = [
  { kind: 'deposit', time: now - 3 * DAY, amount: 100_000 },
  { kind: 'buy', time: now - 3 * DAY + MINUTE, symbol: 'AAPL', quantity: 100, price: 190.123456 },
  { kind: 'buy', time: now - 3 * DAY + MINUTE, symbol: 'MSFT', quantity: 50.5, price: 400 },
  { kind: 'sell', time: now - 12 * HOUR, symbol: 'AAPL', quantity: 40, price: 195.55 },
  { kind: 'dividend', time: now - 8 * HOUR, symbol: 'MSFT', amount: 150 },
  { kind: 'fee', time: now - 6 * HOUR, amount: 9.99 },
];

function ticks(): Tick[] {
  const out: Tick[] = [];
  const start: Record<string, number> = { AAPL: 19_000, MSFT: 40_000, SPY: 56_000 };
  for (const symbol of Object.keys(start)) {
    let cents = start[symbol]!;
    for (let time = now - 2 * DAY; time < now - 5 * MINUTE; time += 37 * MINUTE) {
      cents += ((time / MINUTE) % 7) - 3;
      out.push({ id: `${time}-${symbol}`, symbol, price: cents / 100, size: 10, time });
    }
  }
  return out;
}

beforeAll(async () => {
  t = await startTestApp({ TIMESCALE_JOBS: 'false', JOB_WORKERS: '2' });
  const db = t.app.db;
  const ownerId = await createUser(db, {
    username: 'trader',
    displayName: 'T',
    passwordHash: await hashPassword('pw-1'),
  });
  await createUser(db, { username: 'intruder', displayName: 'I', passwordHash: await hashPassword('pw-2') });
  portfolio = await createPortfolio(db, ownerId, NAME, []);
  await recordTransactions(db, portfolio, ledger);
  await insertTicks(db, ticks());
  await refreshCandles(db, now - 3 * DAY, Date.now());
  owner = await login(t.app.url, 'trader', 'pw-1');
  intruder = await login(t.app.url, 'intruder', 'pw-2');
});
afterAll(async () => t?.stop());

async function api(path: string, token: string | undefined, init: RequestInit = {}) {
  return fetch(`${t.app.url}${path}`, {
    ...init,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
  });
}

async function json<T = Record<string, unknown>>(path: string, token = owner): Promise<T> {
  const res = await api(path, token);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

interface ExportView {
  id: string;
  status: string;
  progress: number;
  attempts: number;
  error: string | null;
  file: { name: string; contentType: string; size: number; url: string } | null;
}

async function startExport(body: unknown, token = owner): Promise<ExportView> {
  const res = await api('/api/v1/exports', token, { method: 'POST', body: JSON.stringify(body) });
  expect(res.status).toBe(202);
  return (await res.json()) as ExportView;
}

async function finished(id: string, token = owner): Promise<ExportView> {
  for (const end = Date.now() + 20_000; Date.now() < end;) {
    const view = await json<ExportView>(`/api/v1/exports/${id}`, token);
    if (view.status === 'done' || view.status === 'failed') return view;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('export did not finish');
}

async function download(body: unknown): Promise<{ text: string; res: Response; view: ExportView }> {
  const view = await finished((await startExport(body)).id);
  expect(view).toMatchObject({ status: 'done', progress: 100, attempts: 1 });
  const res = await api(view.file!.url, owner);
  expect(res.status).toBe(200);
  return { text: await res.text(), res, view };
}

/** A CSV cell is exactly the JSON the API gave: the same digits for numbers, empty for null. */
const cell = (v: unknown) =>
  v === null || v === undefined ? '' : typeof v === 'number' ? JSON.stringify(v) : String(v);

describe('CSV exports', () => {
  it('positions: one row per position of GET /portfolios/:id, same numbers', async () => {
    const { text, res, view } = await download({ portfolio, kind: 'positions-csv' });
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${view.file!.name}"`);
    expect(view.file!.name).toMatch(/^growth-income-b-positions-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(view.file!.size).toBe(Buffer.byteLength(text));
    const body = await json<{ positions: Record<string, unknown>[] }>(`/api/v1/portfolios/${portfolio}`);
    const { header, records } = csvRecords(text);
    expect(header).toEqual(['symbol', 'name', 'sector', 'quantity', 'costBasis', 'targetWeight']);
    expect(records).toEqual(body.positions.map((p) => Object.fromEntries(header.map((h) => [h, cell(p[h])]))));
    expect(records.map((r) => r.symbol)).toEqual(['AAPL', 'MSFT']);
    expect(records[1]!.quantity).toBe('50.5');
  });

  it('transactions: the whole ledger as the API lists it, times in ISO 8601', async () => {
    const { text } = await download({ portfolio, kind: 'transactions-csv' });
    const body = await json<{ transactions: Record<string, unknown>[] }>(
      `/api/v1/portfolios/${portfolio}/transactions?limit=500`,
    );
    const { header, records } = csvRecords(text);
    expect(header).toEqual(['id', 'time', 'kind', 'symbol', 'quantity', 'price', 'amount']);
    expect(records).toHaveLength(ledger.length);
    expect(records).toEqual(
      body.transactions.map((x) => ({
        ...Object.fromEntries(header.map((h) => [h, cell(x[h])])),
        time: new Date(x.time as number).toISOString(),
      })),
    );
    expect(records.find((r) => r.kind === 'buy' && r.symbol === 'AAPL')!.price).toBe('190.123456');
  });

  it('history: every point of GET /portfolios/:id/history with the benchmark beside it', async () => {
    const { text } = await download({ portfolio, kind: 'history-csv', range: '1W' });
    const body = await json<{
      points: { time: number[]; value: number[]; netFlow: number[]; twr: number[] };
      benchmark: { symbol: string; close: (number | null)[]; return: (number | null)[] };
    }>(`/api/v1/portfolios/${portfolio}/history?range=1W`);
    const { header, records } = csvRecords(text);
    expect(header).toEqual(['time', 'value', 'netFlow', 'twr', 'SPYClose', 'SPYReturn']);
    expect(body.points.time.length).toBeGreaterThan(10);
    expect(records).toEqual(
      body.points.time.map((time, i) => ({
        time: new Date(time).toISOString(),
        value: cell(body.points.value[i]),
        netFlow: cell(body.points.netFlow[i]),
        twr: cell(body.points.twr[i]),
        SPYClose: cell(body.benchmark.close[i]),
        SPYReturn: cell(body.benchmark.return[i]),
      })),
    );
  });
});

describe('HTML report', () => {
  it('is a print-ready page with the chart, the history’s return and the escaped name', async () => {
    const { text, res, view } = await download({ portfolio, kind: 'report-html', range: '1W' });
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(view.file!.name).toMatch(/^growth-income-b-report-1W-.*\.html$/);
    const history = await json<{ twr: number }>(`/api/v1/portfolios/${portfolio}/history?range=1W`);
    const percent = `${history.twr > 0 ? '+' : ''}${(history.twr * 100).toFixed(2)} %`;
    expect(text).toContain(
      `<td>Time-weighted return</td><td class="num${history.twr > 0 ? ' pos' : history.twr < 0 ? ' neg' : ''}">${percent}</td>`,
    );
    expect(text).toContain('<h1>Growth &lt;&amp;&gt; &quot;Income&quot;, B</h1>');
    expect(text).not.toContain('<&>');
    expect(text).toMatch(/<svg class="chart"[^>]*>.*<polyline class="value"/s);
    expect(text).toContain('@media print');
    expect(text).not.toMatch(/<script/i);
  });
});

describe('progress notices', () => {
  it('reach the requesting user’s socket, ending with the file, and no one else’s', async () => {
    const mine = await TestSocket.open(t.wsUrl, owner);
    const theirs = await TestSocket.open(t.wsUrl, intruder);
    await mine.next((f) => f.type === 'hello');
    await theirs.next((f) => f.type === 'hello');
    const { id } = await startExport({ portfolio, kind: 'report-html', range: '1W' });
    const done = await mine.next((f) => f.type === 'job' && f.id === id && f.status === 'done');
    expect(done).toMatchObject({ v: 1, kind: 'report-html', portfolio, progress: 100, error: null });
    expect((done.file as { url: string }).url).toBe(`/api/v1/exports/${id}/file`);
    const progress = mine.frames.filter((f) => f.type === 'job' && f.id === id).map((f) => f.progress as number);
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    theirs.send({ op: 'ping' });
    await theirs.next((f) => f.type === 'pong');
    expect(theirs.frames.filter((f) => f.type === 'job')).toEqual([]);
    mine.close();
    theirs.close();
  });
});

describe('authorisation and validation', () => {
  it('answers another user’s export and portfolio exactly like missing ones', async () => {
    const view = await finished((await startExport({ portfolio, kind: 'positions-csv' })).id);
    for (const path of [`/api/v1/exports/${view.id}`, `/api/v1/exports/${view.id}/file`]) {
      const res = await api(path, intruder);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no such export' } });
    }
    const missing = await api('/api/v1/exports/00000000-0000-4000-8000-000000000000', owner);
    expect(missing.status).toBe(404);
    expect((await api('/api/v1/exports/not-an-id/file', owner)).status).toBe(404);
    const theft = await api('/api/v1/exports', intruder, {
      method: 'POST',
      body: JSON.stringify({ portfolio, kind: 'positions-csv' }),
    });
    expect(theft.status).toBe(404);
    expect(await theft.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no such portfolio' } });
    expect(await json<{ exports: unknown[] }>('/api/v1/exports', intruder)).toEqual({ exports: [] });
    const mine = await json<{ exports: { id: string }[] }>('/api/v1/exports');
    expect(mine.exports.map((e) => e.id)).toContain(view.id);
  });

  it('asks for a login, and refuses bad requests with a stable code', async () => {
    expect((await api('/api/v1/exports', undefined)).status).toBe(401);
    expect((await api('/api/v1/exports', undefined, { method: 'POST', body: '{}' })).status).toBe(401);
    for (const body of [
      { portfolio, kind: 'pdf' },
      { portfolio, kind: 'history-csv', range: '2Y' },
      { portfolio: -1, kind: 'positions-csv' },
      { kind: 'positions-csv' },
    ]) {
      const res = await api('/api/v1/exports', owner, { method: 'POST', body: JSON.stringify(body) });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST');
    }
  });
});
