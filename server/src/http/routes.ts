// A thin layer over uWS HTTP: it copies what a handler needs out of the request (uWS requests are
// only valid until the first await), reads a bounded JSON body, awaits the handler and writes the
// reply corked, unless the client went away meanwhile. Handlers are plain async functions.
import { STATUS_CODES } from 'node:http';
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import type { Logger } from '../log.js';
import type { Observability } from '../observability/metrics.js';
import { compress, COMPRESS_MIN_BYTES, etagOf, negotiate, notModified } from './encoding.js';
import { parsePaths, selectFields } from './fieldsets.js';
import { HttpError } from './http-error.js';

export interface Request {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  params: Record<string, string>;
  body: unknown;
  /** Remote address, for rate limits and logs. */
  ip: string;
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent as is instead of `body` as JSON (a file download); `headers` give its Content-Type. */
  raw?: Buffer;
}

export type Handler = (req: Request) => Promise<Reply>;

export const MAX_JSON_BODY_BYTES = 64 * 1024;

const API_HEADERS: Record<string, string> = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

export function statusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? ''}`;
}

/** What every route needs besides its handler: where to log, and where to time requests. */
export interface RouteContext {
  log: Logger;
  observability?: Pick<Observability, 'httpDuration'>;
}

export function route(
  app: TemplatedApp,
  method: 'get' | 'post' | 'put' | 'patch' | 'del',
  pattern: string,
  handler: Handler,
  { log, observability }: RouteContext,
): void {
  const paramNames = pattern
    .split('/')
    .filter((s) => s.startsWith(':'))
    .map((s) => s.slice(1));
  const hasBody = method === 'post' || method === 'put' || method === 'patch';
  app[method](pattern, (res: HttpResponse, req: HttpRequest) => {
    const state = { aborted: false };
    res.onAborted(() => (state.aborted = true));
    const started = performance.now();
    const headers: Record<string, string> = {};
    req.forEach((k, v) => (headers[k] = v));
    const params: Record<string, string> = {};
    paramNames.forEach((name, i) => (params[name] = req.getParameter(i) ?? ''));
    const request: Request = {
      method: req.getCaseSensitiveMethod(),
      path: req.getUrl(),
      query: new URLSearchParams(req.getQuery() ?? ''),
      headers,
      params,
      body: undefined,
      ip: Buffer.from(res.getRemoteAddressAsText()).toString(),
    };
    const run = async () => {
      if (hasBody) request.body = await readJsonBody(res, headers);
      return handler(request);
    };
    const timed = (reply: Reply) => {
      send(res, state, request, reply);
      observability?.httpDuration.observe(
        { route: pattern, method: request.method, status: String(reply.status ?? 200) },
        (performance.now() - started) / 1000,
      );
    };
    run().then(
      (reply) => timed(reply),
      (err: unknown) => {
        if (err instanceof HttpError) {
          timed({ status: err.status, body: { error: { code: err.code, message: err.message } } });
        } else {
          log.error({ err, path: request.path }, 'request failed');
          timed({ status: 500, body: { error: { code: 'INTERNAL', message: 'internal error' } } });
        }
      },
    );
  });
}

function send(res: HttpResponse, state: { aborted: boolean }, req: Request, reply: Reply): void {
  if (state.aborted) return;
  const status = reply.status ?? 200;
  const headers: Record<string, string> = { ...API_HEADERS, ...reply.headers };
  let body: Buffer | undefined = reply.raw;
  if (body === undefined && reply.body !== undefined) {
    const shaped =
      status < 300
        ? selectFields(reply.body, parsePaths(req.query.get('fields')), parsePaths(req.query.get('exclude')))
        : reply.body;
    body = Buffer.from(JSON.stringify(shaped));
  }
  let notModifiedReply = false;
  if (body && status === 200 && req.method === 'GET') {
    headers.ETag = etagOf(body);
    // Private data: the browser may keep it but must ask again, and gets a 304 when nothing changed.
    headers['Cache-Control'] = 'private, no-cache';
    notModifiedReply = notModified(req.headers['if-none-match'], headers.ETag);
  }
  if (body && !notModifiedReply && body.length >= COMPRESS_MIN_BYTES) {
    const encoding = negotiate(req.headers['accept-encoding']);
    headers.Vary = 'Accept-Encoding';
    if (encoding !== 'identity') {
      body = compress(body, encoding);
      headers['Content-Encoding'] = encoding;
    }
  }
  res.cork(() => {
    res.writeStatus(statusLine(notModifiedReply ? 304 : status));
    for (const [k, v] of Object.entries(headers)) res.writeHeader(k, v);
    if (notModifiedReply) res.endWithoutBody();
    else res.end(body ?? '');
  });
}

/** Reads the whole body (at most MAX_JSON_BODY_BYTES) and parses it as JSON. */
function readJsonBody(res: HttpResponse, headers: Record<string, string>): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(headers['content-length'] ?? 0);
    if (declared > MAX_JSON_BODY_BYTES) {
      reject(new HttpError(413, 'PAYLOAD_TOO_LARGE', `request bodies are limited to ${MAX_JSON_BODY_BYTES} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    res.onData((chunk, isLast) => {
      if (failed) return;
      size += chunk.byteLength;
      if (size > MAX_JSON_BODY_BYTES) {
        failed = true;
        reject(new HttpError(413, 'PAYLOAD_TOO_LARGE', `request bodies are limited to ${MAX_JSON_BODY_BYTES} bytes`));
        return;
      }
      // uWS reuses the chunk's memory after this callback returns: copy it.
      chunks.push(Buffer.from(chunk.slice(0)));
      if (!isLast) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.length === 0) return resolve(undefined);
      if (!/^application\/json\b/i.test(headers['content-type'] ?? '')) {
        return reject(new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json'));
      }
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new HttpError(400, 'BAD_REQUEST', 'request body is not valid JSON'));
      }
    });
  });
}
