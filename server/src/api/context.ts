// What API handlers need, passed in once when routes are registered.
import type { LoginLimiter } from '../auth/login-limiter.js';
import type { PortfolioCache } from '../cache/portfolio-cache.js';
import type { Sessions } from '../auth/sessions.js';
import { tokenFrom } from '../auth/sessions.js';
import type { Database } from '../db/database.js';
import { unauthenticated } from '../http/http-error.js';
import type { ProxyTrust } from '../http/client-address.js';
import type { Request } from '../http/routes.js';
import type { Logger } from '../log.js';
import type { Observability } from '../observability/metrics.js';

export interface ApiContext extends ProxyTrust {
  db: Database;
  sessions: Sessions;
  loginLimiter: LoginLimiter;
  log: Logger;
  observability?: Observability;
  sessionTtlSeconds: number;
  /** Cached answers about one portfolio (docs/caching.md). */
  cache: PortfolioCache;
}

/** The signed-in user's id, or a 401. */
export async function requireUser(ctx: ApiContext, req: Request): Promise<number> {
  const token = tokenFrom(req.headers);
  const userId = token ? await ctx.sessions.lookup(token) : undefined;
  if (userId === undefined) throw unauthenticated();
  return userId;
}

/** A route parameter that must be a positive integer id; anything else is simply not found. */
export function idParam(value: string | undefined): number | undefined {
  return value && /^[1-9]\d{0,15}$/.test(value) && Number.isSafeInteger(Number(value)) ? Number(value) : undefined;
}
