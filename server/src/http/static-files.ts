// Serves the built web app from memory. Only files that exist in the build are ever served (a map
// lookup, never a path join), so a crafted path cannot reach outside it. Hashed files under
// _app/immutable are cached for a year; everything else is revalidated by ETag. The build writes
// brotli and gzip copies next to each compressible file (web/scripts/precompress.js); they are sent
// to clients that accept them, so no byte is compressed per request.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import { negotiate } from './encoding.js';
import { statusLine } from './routes.js';

/** One encoding of a file: its bytes and a validator of its own (RFC 9110: one per representation). */
interface Variant {
  body: Buffer;
  etag: string;
}

interface StaticFile extends Variant {
  type: string;
  /** Precompressed copies, when the build wrote them. */
  br?: Variant;
  gzip?: Variant;
  cacheControl: string;
  /** Extra headers: the security policy of HTML pages. */
  headers: [string, string][];
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

export interface StaticSite {
  readonly fileCount: number;
  handle(res: HttpResponse, req: HttpRequest): void;
}

/** `dir` may be missing (web not built yet): every page then explains how to build it. */
export function loadStaticSite(dir: string): StaticSite {
  const files = new Map<string, StaticFile>();
  const paths = new Set(walk(dir));
  for (const path of paths) {
    // A precompressed copy is a variant of its original, not a file of its own.
    const suffix = extname(path);
    if ((suffix === '.br' || suffix === '.gz') && paths.has(path.slice(0, -suffix.length))) continue;
    const url = '/' + relative(dir, path).split(sep).join('/');
    const body = readFileSync(path);
    const type = TYPES[extname(path)] ?? 'application/octet-stream';
    const etag = createHash('sha1').update(body).digest('base64url');
    const variant = (extension: string, tag: string): Variant | undefined =>
      paths.has(path + extension) ? { body: readFileSync(path + extension), etag: `"${etag}-${tag}"` } : undefined;
    files.set(url, {
      body,
      type,
      etag: `"${etag}"`,
      br: variant('.br', 'br'),
      gzip: variant('.gz', 'gz'),
      cacheControl: url.startsWith('/_app/immutable/') ? IMMUTABLE : REVALIDATE,
      headers: type.startsWith('text/html') ? pageSecurityHeaders(body.toString('utf8')) : [],
    });
  }
  // The build writes each route's shell (index.html for /, login.html for /login: each preloads
  // its own route's code, so the browser fetches it with the runtime instead of after it) and
  // 200.html, the shell for any other path of the single-page app (web/svelte.config.js).
  const fallback = files.get('/200.html') ?? files.get('/index.html');

  return {
    fileCount: files.size,
    handle(res, req) {
      const url = req.getUrl();
      // A path with an extension names a file; anything else is a client-side route of the SPA.
      const file =
        files.get(url) ??
        (extname(url) === '' ? (files.get(url === '/' ? '/index.html' : `${url}.html`) ?? fallback) : undefined);
      res.cork(() => {
        if (!file) {
          res.writeStatus(statusLine(fallback ? 404 : 503)).writeHeader('Content-Type', 'text/plain; charset=utf-8');
          res.end(fallback ? 'Not found' : 'The web app is not built yet: run `npm run build`, then restart.');
          return;
        }
        const compressed = file.br || file.gzip;
        const encoding = compressed ? negotiate(req.getHeader('accept-encoding')) : 'identity';
        const sent: Variant = (encoding === 'br' ? file.br : encoding === 'gzip' ? file.gzip : undefined) ?? file;
        const fresh = req.getHeader('if-none-match') === sent.etag;
        res.writeStatus(statusLine(fresh ? 304 : 200));
        res.writeHeader('Content-Type', file.type);
        res.writeHeader('Cache-Control', file.cacheControl);
        res.writeHeader('ETag', sent.etag);
        if (compressed) res.writeHeader('Vary', 'Accept-Encoding');
        if (sent !== file) res.writeHeader('Content-Encoding', encoding);
        res.writeHeader('X-Content-Type-Options', 'nosniff');
        for (const [name, value] of file.headers) res.writeHeader(name, value);
        if (fresh) res.endWithoutBody();
        else res.end(sent.body);
      });
    },
  };
}

function* walk(dir: string): Generator<string> {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}

/**
 * The page may run only its own scripts: files from this origin, plus the inline bootstrap
 * SvelteKit writes into the page, allowed by its hash (no 'unsafe-inline' for scripts). Sockets and
 * API calls go to this origin only; nothing may frame the page.
 */
export function pageSecurityHeaders(html: string): [string, string][] {
  const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
    (m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`,
  );
  const policy = [
    "default-src 'self'",
    `script-src 'self' ${hashes.join(' ')}`.trim(),
    // Svelte sets style attributes for transitions and dynamic widths.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return [
    ['Content-Security-Policy', policy],
    ['X-Frame-Options', 'DENY'],
    ['Referrer-Policy', 'no-referrer'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ['Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()'],
  ];
}
