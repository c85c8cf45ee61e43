// Serves the built web app from memory. Only files that exist in the build are ever served (a map
// lookup, never a path join), so a crafted path cannot reach outside it. Hashed files under
// _app/immutable are cached for a year; everything else is revalidated by ETag.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import { statusLine } from './routes.js';

interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
  cacheControl: string;
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
  for (const path of walk(dir)) {
    const url = '/' + relative(dir, path).split(sep).join('/');
    const body = readFileSync(path);
    files.set(url, {
      body,
      type: TYPES[extname(path)] ?? 'application/octet-stream',
      etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
      cacheControl: url.startsWith('/_app/immutable/') ? IMMUTABLE : REVALIDATE,
    });
  }
  const index = files.get('/index.html');

  return {
    fileCount: files.size,
    handle(res, req) {
      const url = req.getUrl();
      // A path with an extension names a file; anything else is a client-side route of the SPA.
      const file = files.get(url) ?? (extname(url) === '' ? index : undefined);
      res.cork(() => {
        if (!file) {
          res.writeStatus(statusLine(index ? 404 : 503)).writeHeader('Content-Type', 'text/plain; charset=utf-8');
          res.end(index ? 'Not found' : 'The web app is not built yet: run `npm run build`, then restart.');
          return;
        }
        const fresh = req.getHeader('if-none-match') === file.etag;
        res.writeStatus(statusLine(fresh ? 304 : 200));
        res.writeHeader('Content-Type', file.type);
        res.writeHeader('Cache-Control', file.cacheControl);
        res.writeHeader('ETag', file.etag);
        res.writeHeader('X-Content-Type-Options', 'nosniff');
        if (file.type.startsWith('text/html')) res.writeHeader('X-Frame-Options', 'DENY');
        if (fresh) res.endWithoutBody();
        else res.end(file.body);
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
