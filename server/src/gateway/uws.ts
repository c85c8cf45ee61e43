// Loads uWebSockets.js and says which implementation runs. The registry build silently falls back
// to a slow TypeScript implementation over `ws` when its native binary cannot load; that would
// quietly cost most of the product's speed, so it is refused unless explicitly allowed.
import { createRequire } from 'node:module';
import type * as UWS from 'uWebSockets.js';
import type { TemplatedApp, us_listen_socket } from 'uWebSockets.js';

const require = createRequire(import.meta.url);

export type Uws = typeof UWS;

export interface LoadedUws {
  uws: Uws;
  native: boolean;
  binary: string | undefined;
}

export function loadUws(allowFallback: boolean): LoadedUws {
  const uws = require('uWebSockets.js') as Uws;
  const binary = Object.keys(require.cache).find((path) => /uws_[a-z0-9_]+\.node$/.test(path));
  if (!binary && !allowFallback) {
    throw new Error(
      'uWebSockets.js could not load its native binary for this platform/Node ABI and fell back to the slow ' +
        'implementation. Use Node 20 on Linux x64/arm64 (or macOS/Windows x64), or set UWS_ALLOW_FALLBACK=true to accept it.',
    );
  }
  return { uws, native: Boolean(binary), binary };
}

/**
 * uWS listens with SO_REUSEPORT unless told otherwise, so a second process on a taken port would
 * start silently; one instance per port must fail loudly. The typings lack the (host, port,
 * options, cb) overload that the native binary has.
 */
export function listenExclusive(
  app: TemplatedApp,
  host: string,
  port: number,
  cb: (socket: us_listen_socket | false) => void,
): void {
  const EXCLUSIVE_PORT = 1; // uWS.LIBUS_LISTEN_EXCLUSIVE_PORT
  (app.listen as unknown as (h: string, p: number, o: number, c: typeof cb) => void).call(
    app,
    host,
    port,
    EXCLUSIVE_PORT,
    cb,
  );
}
