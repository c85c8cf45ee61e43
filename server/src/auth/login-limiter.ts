// Slows down password guessing: at most LIMIT failed logins per window per username and per client
// address, counted in Redis so every gateway process shares the count. A success clears the
// username's count.
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/keys.js';

export const FAILED_LOGINS_ALLOWED = 10;
export const WINDOW_SECONDS = 300;

export interface LoginLimiter {
  /** Seconds to wait when this username or address is locked out, else 0. */
  retryAfter(username: string, ip: string): Promise<number>;
  failed(username: string, ip: string): Promise<void>;
  succeeded(username: string): Promise<void>;
}

export function redisLoginLimiter(redis: Redis, redisKeys: RedisKeys): LoginLimiter {
  const keys = (username: string, ip: string) => [
    redisKeys.loginFailures('user', username),
    redisKeys.loginFailures('ip', ip),
  ];
  return {
    async retryAfter(username, ip) {
      const [user, addr] = keys(username, ip);
      const results = await redis.multi().get(user!).ttl(user!).get(addr!).ttl(addr!).exec();
      const [userCount, userTtl, ipCount, ipTtl] = (results ?? []).map(([, v]) => v as string | number | null);
      let wait = 0;
      if (Number(userCount ?? 0) >= FAILED_LOGINS_ALLOWED) wait = Math.max(wait, Number(userTtl));
      if (Number(ipCount ?? 0) >= FAILED_LOGINS_ALLOWED * 5) wait = Math.max(wait, Number(ipTtl));
      return Math.max(0, wait);
    },
    async failed(username, ip) {
      const pipeline = redis.multi();
      for (const key of keys(username, ip)) pipeline.incr(key).expire(key, WINDOW_SECONDS, 'NX');
      await pipeline.exec();
    },
    async succeeded(username) {
      await redis.del(keys(username, '')[0]!);
    },
  };
}
