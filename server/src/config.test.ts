import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

/** The ConfigError that `env` produces; fails the test if it loads. */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('loadConfig', () => {
  it('starts an embedded demo from an empty environment', () => {
    expect(loadConfig({})).toEqual({
      host: '127.0.0.1',
      port: 8080,
      logLevel: 'info',
      mode: 'embedded',
      redisUrl: undefined,
      redisKeyPrefix: '',
      databaseUrl: undefined,
      dataDir: '.data',
      db: {
        poolMax: 10,
        connectTimeoutMs: 5_000,
        idleTimeoutMs: 30_000,
        statementTimeoutMs: 30_000,
        connectRetries: 30,
      },
      simulator: { enabled: true, ticksPerSecond: 300, seed: undefined },
      streamMaxLen: 1_000_000,
      streamRetainSeconds: 600,
      persister: { enabled: true, batchSize: 5_000, consumer: hostname(), claimIdleMs: 30_000, insertMethod: 'copy' },
      ingestToken: undefined,
      timescaleJobs: true,
      historyBenchmark: 'SPY',
      demo: { enabled: true, password: 'demo', historyDays: 365 },
      sessionTtlSeconds: 604_800,
      trustProxy: false,
      cookieSecure: undefined,
      gateway: { conflationMs: 8, resumeDeltas: 256, lingerMs: 30_000, sessionCloseMinuteUtc: 21 * 60 },
      allowedOrigins: [],
      metrics: { workers: undefined, queue: 1_000, riskFreeRate: 0.04 },
      apiCache: { enabled: true, l1Entries: 10_000, l1TtlMs: 5_000, ttlSeconds: 300, warm: 200 },
      alerts: { hysteresisBp: 10, leaseMs: 10_000, smtpUrl: undefined, smtpFrom: 'tickdash <alerts@localhost>' },
      jobs: {
        workers: 1,
        maxAttempts: 3,
        retryBaseMs: 1_000,
        retryMaxMs: 300_000,
        claimIdleMs: 30_000,
        resultTtlSeconds: 86_400,
      },
      webDir: 'web/build',
      uwsAllowFallback: false,
      shutdownTimeoutMs: 10_000,
    });
  });

  it('reads the job queue settings; 0 workers runs a gateway that only queues', () => {
    const config = loadConfig({
      JOB_WORKERS: '0',
      JOB_MAX_ATTEMPTS: '5',
      JOB_RETRY_BASE_MS: '250',
      JOB_RETRY_MAX_MS: '60000',
      JOB_CLAIM_IDLE_MS: '5000',
      JOB_RESULT_TTL_SECONDS: '3600',
    });
    expect(config.jobs).toEqual({
      workers: 0,
      maxAttempts: 5,
      retryBaseMs: 250,
      retryMaxMs: 60_000,
      claimIdleMs: 5_000,
      resultTtlSeconds: 3_600,
    });
    expect(problemsOf({ JOB_WORKERS: '-1', JOB_MAX_ATTEMPTS: '0', JOB_CLAIM_IDLE_MS: 'soon' })).toEqual([
      'JOB_WORKERS="-1": expected at least 0',
      'JOB_MAX_ATTEMPTS="0": expected at least 1',
      'JOB_CLAIM_IDLE_MS="soon": expected a whole number',
    ]);
  });

  it('reads the values it is given', () => {
    const config = loadConfig({
      HOST: '0.0.0.0',
      PORT: '9000',
      LOG_LEVEL: 'debug',
      REDIS_URL: 'rediss://cache.internal:6380/2',
      REDIS_KEY_PREFIX: 'td:test.1-',
      SIMULATOR_SEED: '42',
      SESSION_TTL_SECONDS: '3600',
      UWS_ALLOW_FALLBACK: 'yes',
    });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 9000,
      logLevel: 'debug',
      redisUrl: 'rediss://cache.internal:6380/2',
      redisKeyPrefix: 'td:test.1-',
      simulator: { seed: 42 },
      sessionTtlSeconds: 3600,
      uwsAllowFallback: true,
    });
  });

  it('reads the API cache settings, and refuses an L1 that could not hold anything', () => {
    const config = loadConfig({
      API_CACHE: 'false',
      API_CACHE_L1_ENTRIES: '500',
      API_CACHE_L1_TTL_MS: '1000',
      API_CACHE_TTL_SECONDS: '60',
      API_CACHE_WARM: '0',
    });
    expect(config.apiCache).toEqual({ enabled: false, l1Entries: 500, l1TtlMs: 1_000, ttlSeconds: 60, warm: 0 });
    expect(problemsOf({ API_CACHE_L1_ENTRIES: '0', API_CACHE: 'maybe' })).toEqual([
      'API_CACHE="maybe": expected one of true/false/1/0/yes/no/on/off',
      'API_CACHE_L1_ENTRIES="0": expected at least 1',
    ]);
  });

  it('reads the alert and SMTP settings, and refuses a mail URL that is not SMTP', () => {
    const config = loadConfig({
      ALERT_HYSTERESIS_BP: '25',
      ALERT_LEASE_MS: '2000',
      SMTP_URL: 'smtp://user:pw@127.0.0.1:2525',
      SMTP_FROM: 'Desk <desk@example.com>',
    });
    expect(config.alerts).toEqual({
      hysteresisBp: 25,
      leaseMs: 2_000,
      smtpUrl: 'smtp://user:pw@127.0.0.1:2525',
      smtpFrom: 'Desk <desk@example.com>',
    });
    expect(problemsOf({ SMTP_URL: 'http://mail', ALERT_LEASE_MS: '10' })).toEqual([
      'ALERT_LEASE_MS="10": expected at least 500',
      'SMTP_URL="http://mail": expected a URL starting with smtp:// or smtps://',
    ]);
  });

  it('switches to server mode with DATABASE_URL and leaves the simulator and demo off', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://tick:secret@db:5432/tickdash' });
    expect(config.mode).toBe('server');
    expect(config.databaseUrl).toBe('postgres://tick:secret@db:5432/tickdash');
    expect(config.simulator.enabled).toBe(false);
    expect(config.demo.enabled).toBe(false);
  });

  it('turns the simulator and demo on in server mode when asked', () => {
    const config = loadConfig({ DATABASE_URL: 'postgresql://db/tickdash', SIMULATOR: 'on', SEED_DEMO: '1' });
    expect(config.mode).toBe('server');
    expect(config.simulator.enabled).toBe(true);
    expect(config.demo.enabled).toBe(true);
  });

  it('turns the simulator and demo off in embedded mode when asked', () => {
    const config = loadConfig({ SIMULATOR: 'false', SEED_DEMO: 'no' });
    expect(config.mode).toBe('embedded');
    expect(config.simulator.enabled).toBe(false);
    expect(config.demo.enabled).toBe(false);
  });

  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['on', true],
    ['false', false],
    ['0', false],
    ['no', false],
    ['off', false],
  ])('reads the boolean %s as %s', (value, enabled) => {
    expect(loadConfig({ SIMULATOR: value }).simulator.enabled).toBe(enabled);
  });

  it('treats empty strings as unset', () => {
    const config = loadConfig({
      PORT: '',
      DATABASE_URL: '',
      REDIS_URL: '',
      SIMULATOR: '',
      SEED_DEMO: '',
      LOG_LEVEL: '',
      HOST: '',
    });
    expect(config).toMatchObject({
      port: 8080,
      mode: 'embedded',
      redisUrl: undefined,
      logLevel: 'info',
      host: '127.0.0.1',
    });
    expect(config.simulator.enabled).toBe(true);
    expect(config.demo.enabled).toBe(true);
  });

  it('ignores variables it does not know', () => {
    expect(loadConfig({ PATH: '/usr/bin', NODE_ENV: 'test' }).port).toBe(8080);
  });

  it('reads allowed origins as a list and refuses anything that is not an origin', () => {
    expect(loadConfig({ ALLOWED_ORIGINS: 'https://a.example, http://b.example:8080' }).allowedOrigins).toEqual([
      'https://a.example',
      'http://b.example:8080',
    ]);
    expect(problemsOf({ ALLOWED_ORIGINS: 'https://a.example/path' })).toHaveLength(1);
  });

  it('reads the session close as minutes after midnight UTC and refuses other shapes', () => {
    expect(loadConfig({ SESSION_CLOSE_UTC: '16:30' }).gateway.sessionCloseMinuteUtc).toBe(16 * 60 + 30);
    expect(problemsOf({ SESSION_CLOSE_UTC: '25:00' })).toEqual([
      'SESSION_CLOSE_UTC="25:00": expected HH:MM in UTC, e.g. 21:00',
    ]);
  });

  it.each([
    ['abc', 'PORT="abc": expected a whole number'],
    ['80.5', 'PORT="80.5": expected a whole number'],
    ['-1', 'PORT="-1": expected at least 0'],
    ['65536', 'PORT="65536": expected at most 65535'],
    ['0x1F', 'PORT="0x1F": expected a whole number'],
    ['  ', 'PORT="  ": expected a whole number'],
    ['8e3', 'PORT="8e3": expected a whole number'],
  ])('refuses PORT=%s', (port, problem) => {
    expect(problemsOf({ PORT: port })).toEqual([problem]);
  });

  it.each(['http://cache:6379', 'localhost:6379', 'not a url', 'postgres://db/x'])('refuses REDIS_URL=%s', (url) => {
    expect(problemsOf({ REDIS_URL: url })).toEqual([
      `REDIS_URL=${JSON.stringify(url)}: expected a URL starting with redis:// or rediss://`,
    ]);
  });

  it('refuses a DATABASE_URL that is not postgres', () => {
    expect(problemsOf({ DATABASE_URL: 'mysql://db/x' })).toEqual([
      'DATABASE_URL="mysql://db/x": expected a URL starting with postgres:// or postgresql://',
    ]);
  });

  it.each(['maybe', 'TRUE', 'y', '2'])('refuses the boolean %s', (value) => {
    expect(problemsOf({ SEED_DEMO: value })).toEqual([
      `SEED_DEMO=${JSON.stringify(value)}: expected one of true/false/1/0/yes/no/on/off`,
    ]);
  });

  it('refuses an unknown LOG_LEVEL and lists the levels it knows', () => {
    const [problem, ...rest] = problemsOf({ LOG_LEVEL: 'verbose' });
    expect(rest).toEqual([]);
    expect(problem).toMatch(/^LOG_LEVEL="verbose": /);
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      expect(problem).toContain(level);
  });

  it('reports every bad variable at once, in the message too', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        REDIS_URL: 'http://cache',
        SIMULATOR: 'sometimes',
        LOG_LEVEL: 'loud',
        HOST: 'fine',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message, name } = error as ConfigError;
    expect(name).toBe('ConfigError');
    expect(problems.map((p) => p.slice(0, p.indexOf('='))).sort()).toEqual([
      'LOG_LEVEL',
      'PORT',
      'REDIS_URL',
      'SIMULATOR',
    ]);
    expect(message.split('\n')).toEqual(['Invalid configuration:', ...problems.map((p) => `  - ${p}`)]);
  });
});

describe('loadConfig: persistence and history settings', () => {
  it('runs TimescaleDB policies in-process only in embedded mode unless told', () => {
    expect(loadConfig({}).timescaleJobs).toBe(true);
    expect(loadConfig({ DATABASE_URL: 'postgres://db/x' }).timescaleJobs).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://db/x', TIMESCALE_JOBS: 'on' }).timescaleJobs).toBe(true);
  });

  it('reads the persister, ingest and history settings', () => {
    const config = loadConfig({
      PERSISTER: 'off',
      PERSISTER_BATCH: '2000',
      PERSISTER_CONSUMER: 'gw-1',
      INGEST_TOKEN: 'a-long-enough-token',
      HISTORY_BENCHMARK: 'none',
      STREAM_RETAIN_SECONDS: '60',
    });
    expect(config).toMatchObject({
      persister: { enabled: false, batchSize: 2_000, consumer: 'gw-1' },
      ingestToken: 'a-long-enough-token',
      historyBenchmark: null,
      streamRetainSeconds: 60,
    });
  });

  it('refuses a short ingest token and a benchmark that is not a symbol', () => {
    expect(problemsOf({ INGEST_TOKEN: 'short' })).toEqual(['INGEST_TOKEN="short": expected at least 16 characters']);
    expect(problemsOf({ HISTORY_BENCHMARK: 'spy' })).toEqual([
      'HISTORY_BENCHMARK="spy": expected a symbol such as SPY, or none',
    ]);
  });
});

describe('loadConfig: behind a reverse proxy', () => {
  it('trusts no proxy headers and derives the cookie flag unless told', () => {
    expect(loadConfig({})).toMatchObject({ trustProxy: false, cookieSecure: undefined });
    expect(loadConfig({ TRUST_PROXY: 'true', COOKIE_SECURE: 'false' })).toMatchObject({
      trustProxy: true,
      cookieSecure: false,
    });
    expect(loadConfig({ COOKIE_SECURE: 'on' }).cookieSecure).toBe(true);
  });

  it('stores ticks with COPY unless told to use one INSERT', () => {
    expect(loadConfig({}).persister.insertMethod).toBe('copy');
    expect(loadConfig({ PERSISTER_INSERT: 'unnest' }).persister.insertMethod).toBe('unnest');
    expect(() => loadConfig({ PERSISTER_INSERT: 'insert' })).toThrow(
      /PERSISTER_INSERT="insert": expected copy or unnest/,
    );
  });

  it('refuses what is not a yes or no', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'nginx' })).toThrow(/TRUST_PROXY="nginx": expected one of true\/false/);
    expect(() => loadConfig({ COOKIE_SECURE: 'maybe' })).toThrow(/COOKIE_SECURE="maybe"/);
  });
});
