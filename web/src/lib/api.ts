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

/** `code` is the server's stable code (e.g. INVALID_CREDENTIALS); `message` is for people. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** SvelteKit's `load` passes its own fetch; pages call with the global one. */
type Fetch = typeof fetch;

async function request<T>(fetcher: Fetch, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const response = await fetcher(`/api/v1${path}`, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (response.status === 204) return undefined as T;

  const payload: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (payload as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(
      response.status,
      error?.code ?? 'INTERNAL',
      error?.message ?? `The server answered ${response.status}.`,
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

export function isUnauthenticated(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401;
}
