// Sessions in Redis: a random token goes to the client, only its SHA-256 is stored, so a copy of
// Redis is not a copy of everyone's logins. Every gateway process sees every session.
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/keys.js';

export interface Sessions {
  create(userId: number): Promise<string>;
  /** The user id behind a token, or undefined when it is unknown or expired. */
  lookup(token: string): Promise<number | undefined>;
  destroy(token: string): Promise<void>;
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

const digest = (token: string) => createHash('sha256').update(token).digest('hex');

export function redisSessions(redis: Redis, keys: RedisKeys, ttlSeconds: number): Sessions {
  return {
    async create(userId) {
      const token = randomBytes(32).toString('base64url');
      await redis.set(keys.session(digest(token)), String(userId), 'EX', ttlSeconds);
      return token;
    },
    async lookup(token) {
      if (!TOKEN.test(token)) return undefined;
      const value = await redis.get(keys.session(digest(token)));
      return value === null ? undefined : Number(value);
    },
    async destroy(token) {
      if (TOKEN.test(token)) await redis.del(keys.session(digest(token)));
    },
  };
}

/** The token from `Authorization: Bearer ...`, else from the `session` cookie. */
export function tokenFrom(headers: { authorization?: string; cookie?: string }): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '');
  if (bearer) return bearer[1];
  for (const part of (headers.cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === 'session') return rest.join('=');
  }
  return undefined;
}
