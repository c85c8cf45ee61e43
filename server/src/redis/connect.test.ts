import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { connectRedis, redact, RedisUnavailableError, spawnRedisServer } from './connect.js';

const log = createLogger('silent');

describe('finding a Redis', () => {
  it('fails with a clear message when REDIS_URL does not answer', async () => {
    const attempt = connectRedis('redis://127.0.0.1:1', log);
    await expect(attempt).rejects.toBeInstanceOf(RedisUnavailableError);
    await expect(attempt).rejects.toThrow(/REDIS_URL .*does not answer/);
  });

  it('starts a private redis-server on a free port and stops it without leaving a process', async () => {
    const { url, stop } = await spawnRedisServer(log);
    const client = new Redis(url);
    expect(await client.ping()).toBe('PONG');
    const pid = Number((await client.info('server')).match(/process_id:(\d+)/)![1]);
    client.disconnect();
    await stop();
    expect(() => process.kill(pid, 0)).toThrow(); // no such process
  });

  it('never logs a password', () => {
    expect(redact('redis://user:hunter2@cache:6379/0')).not.toContain('hunter2');
  });
});
