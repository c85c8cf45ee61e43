// The HTTP API of docs/protocol.md: one request helper, one error type, one function per call.
// Same-origin only: the browser sends the session cookie by itself.

export interface User {
  id: number;
  username: string;
  displayName: string;
}

export interface PortfolioSummary {
  id: number;
  name: string;
  baseCurrency: string;
  positionCount: number;
}

export type Range = '1D' | '1W' | '1M' | 'YTD' | '1Y' | 'MAX';
export const RANGES: readonly Range[] = ['1D', '1W', '1M', 'YTD', '1Y', 'MAX'];

/** docs/history.md: columnar, one entry per bucket; returns are fractions. */
export interface History {
  range: Range;
  from: number;
  to: number;
  points: { time: number[]; value: number[]; netFlow: number[]; twr: number[] };
  twr: number;
  benchmark: { symbol: string; close: (number | null)[]; return: (number | null)[]; totalReturn: number | null } | null;
}

/** The lead's metrics contract: fractions, null where a figure is undefined. */
export interface Metrics {
  portfolio: number;
  range: Range;
  from: number | null;
  to: number | null;
  returns: number;
  timeWeightedReturn: number | null;
  annualisedVolatility: number | null;
  sharpe: number | null;
  sortino: number | null;
  maxDrawdown: { depth: number; peakAt: number | null; troughAt: number | null; recoveredAt: number | null } | null;
  benchmark: { symbol: string; observations: number; beta: number | null; correlation: number | null } | null;
  valueAtRisk95: number | null;
  conditionalValueAtRisk95: number | null;
}

/** Target weight in percent. */
export interface Target {
  symbol: string;
  weight: number;
}

/** One thing wrong with a request body; `path` is like `targets.3.weight`. */
export interface Issue {
  path: string;
  message: string;
}

/** `code` is the server's stable code (e.g. INVALID_CREDENTIALS); `message` is for people. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly issues: readonly Issue[];

  constructor(status: number, code: string, message: string, issues: readonly Issue[] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.issues = issues;
  }
}

/** SvelteKit's `load` passes its own fetch; pages call with the global one. */
type Fetch = typeof fetch;

export async function request<T>(
  fetcher: Fetch,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetcher(`/api/v1${path}`, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (response.status === 204) return undefined as T;

  const payload: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (payload as { error?: { code?: string; message?: string; issues?: Issue[] } } | null)?.error;
    throw new ApiError(
      response.status,
      error?.code ?? 'INTERNAL',
      error?.message ?? `The server answered ${response.status}.`,
      error?.issues,
    );
  }
  return payload as T;
}

export function login(username: string, password: string, fetcher: Fetch = fetch) {
  return request<{ token: string; user: User }>(fetcher, 'POST', '/auth/login', { username, password });
}

export function logout(fetcher: Fetch = fetch) {
  return request<void>(fetcher, 'POST', '/auth/logout');
}

export function getMe(fetcher: Fetch = fetch) {
  return request<User>(fetcher, 'GET', '/me');
}

export async function listPortfolios(fetcher: Fetch = fetch) {
  const answer = await request<{ portfolios: PortfolioSummary[] }>(fetcher, 'GET', '/portfolios');
  return answer.portfolios;
}

export function getHistory(portfolio: number, range: Range, fetcher: Fetch = fetch) {
  return request<History>(fetcher, 'GET', `/portfolios/${portfolio}/history?range=${range}&benchmark=SPY`);
}

export function getMetrics(portfolio: number, range: Range, fetcher: Fetch = fetch) {
  return request<Metrics>(fetcher, 'GET', `/calculations/portfolio-metrics?portfolio=${portfolio}&range=${range}`);
}

export function saveTargets(portfolio: number, targets: Target[], fetcher: Fetch = fetch) {
  return request<{ portfolio: number; targets: Target[] }>(fetcher, 'PUT', '/allocations', { portfolio, targets });
}

export function isUnauthenticated(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401;
}

export type ExportKind = 'positions-csv' | 'transactions-csv' | 'history-csv' | 'report-html';

/** docs/jobs.md: an export and where it stands; `file` once it is done. */
export interface ExportJob {
  id: string;
  kind: ExportKind;
  portfolio: number;
  range: Range | null;
  status: 'queued' | 'running' | 'retrying' | 'done' | 'failed';
  progress: number;
  error: string | null;
  file: { name: string; contentType: string; size: number; url: string } | null;
}

export function startExport(portfolio: number, kind: ExportKind, range?: Range, fetcher: Fetch = fetch) {
  return request<ExportJob>(fetcher, 'POST', '/exports', { portfolio, kind, ...(range ? { range } : {}) });
}

export function getExport(id: string, fetcher: Fetch = fetch) {
  return request<ExportJob>(fetcher, 'GET', `/exports/${encodeURIComponent(id)}`);
}
