// Who is on the other end of a request, and did it come over HTTPS. Behind a reverse proxy every
// connection comes from the proxy, so the login throttle would count all traders as one address;
// with TRUST_PROXY the proxy's headers are believed instead. Off by default: without a proxy in
// front, anyone could send those headers and pick the address they are counted under.
import type { Request } from './routes.js';

export interface ProxyTrust {
  /** A reverse proxy that sets X-Forwarded-For and X-Forwarded-Proto is in front (TRUST_PROXY). */
  trustProxy?: boolean;
  /** COOKIE_SECURE: true or false forces the cookie's Secure flag; unset derives it (below). */
  cookieSecure?: boolean | undefined;
}

type Seen = Pick<Request, 'ip' | 'headers'>;

/** The client's address: the last X-Forwarded-For entry (the one our proxy added) when trusted. */
export function clientAddress(req: Seen, { trustProxy = false }: ProxyTrust): string {
  if (!trustProxy) return req.ip;
  // Entries before the last are whatever the client claimed; only the proxy's own is believed.
  const added = req.headers['x-forwarded-for']?.split(',').at(-1)?.trim();
  return added || req.ip;
}

/** Whether the session cookie gets `Secure`: forced by COOKIE_SECURE, else HTTPS at a trusted proxy. */
export function secureCookie(req: Seen, { trustProxy = false, cookieSecure }: ProxyTrust): boolean {
  if (cookieSecure !== undefined) return cookieSecure;
  return trustProxy && req.headers['x-forwarded-proto']?.split(',')[0]?.trim().toLowerCase() === 'https';
}
