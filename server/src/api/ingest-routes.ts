// POST /api/v1/ticks: bulk ingest for producers that speak HTTP rather than Redis. The same contract
// as the stream (docs/streams.md), checked by the same parseTick; valid ticks are XADDed and bad
// ones dead-lettered with their reason, all in one pipeline. Authenticated by INGEST_TOKEN.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { TemplatedApp } from 'uWebSockets.js';
import { z } from 'zod';
import { badRequest, HttpError, notFound, unauthenticated } from '../http/http-error.js';
import { route, type RouteContext } from '../http/routes.js';
import { queueDeadLetters, type DeadLetter } from '../persist/dead-letters.js';
import type { RedisKeys } from '../redis/keys.js';
import { parseTick } from '../streams/tick.js';

export interface IngestContext extends RouteContext {
  redis: Redis;
  keys: RedisKeys;
  /** Unset: the endpoint answers 404, ingest over HTTP is off. */
  ingestToken: string | undefined;
  isKnownSymbol(symbol: string): boolean;
}

/** One request's worth; the 64 KB body limit allows about 800 ticks anyway. */
export const MAX_TICKS_PER_REQUEST = 5_000;

const scalar = z.union([z.string(), z.number()]).transform(String);
const Body = z.object({
  ticks: z
    .array(
      z.object({ symbol: z.string(), price: scalar, size: scalar.optional(), ts: scalar, src: z.string().optional() }),
    )
    .min(1)
    .max(MAX_TICKS_PER_REQUEST),
});

const digest = (s: string) => createHash('sha256').update(s).digest();

export function registerIngestRoutes(app: TemplatedApp, ctx: IngestContext): void {
  const expected = ctx.ingestToken ? digest(ctx.ingestToken) : undefined;

  route(
    app,
    'post',
    '/api/v1/ticks',
    async (req) => {
      if (!expected) throw notFound('tick ingest over HTTP is off (set INGEST_TOKEN)');
      const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      // Compared as digests: equal length, constant time.
      if (!token || !timingSafeEqual(digest(token), expected)) throw unauthenticated();
      const parsed = Body.safeParse(req.body);
      if (!parsed.success) {
        throw badRequest(
          `send {"ticks": [{"symbol", "price", "size"?, "ts", "src"?}, ...]} with 1 to ${MAX_TICKS_PER_REQUEST} ticks`,
        );
      }
      const now = Date.now();
      const pipeline = ctx.redis.pipeline();
      const rejected: { index: number; reason: string }[] = [];
      const dead: DeadLetter[] = [];
      parsed.data.ticks.forEach((t, index) => {
        const fields = ['symbol', t.symbol, 'price', t.price];
        if (t.size !== undefined) fields.push('size', t.size);
        fields.push('ts', t.ts);
        if (t.src !== undefined) fields.push('src', t.src);
        const result = parseTick('', fields, ctx.isKnownSymbol, now);
        if (result.ok) {
          pipeline.xadd(ctx.keys.ticks, '*', ...fields);
        } else {
          rejected.push({ index, reason: result.reason });
          dead.push({ origin: 'http', id: '', reason: result.reason, fields });
        }
      });
      queueDeadLetters(pipeline, ctx.keys, dead, now);
      const replies = await pipeline.exec();
      const failed = replies?.find(([err]) => err);
      if (!replies || failed) throw new HttpError(500, 'INTERNAL', 'the tick stream did not take the ticks');
      // Accepted into the stream; the persister stores them shortly (docs/streams.md).
      return { status: 202, body: { accepted: parsed.data.ticks.length - rejected.length, rejected } };
    },
    ctx,
  );
}
