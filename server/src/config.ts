// The one place that reads the environment. Every setting is validated here, once, so a typo in a
// variable fails the start with its name and what it expects instead of misbehaving later.
import { hostname } from 'node:os';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], {
    error: 'expected one of true/false/1/0/yes/no/on/off',
  })
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d+$/, { error: 'expected a whole number' })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `expected at least ${min}` })
        .max(max, { error: `expected at most ${max}` }),
    );

const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { error: `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

const schema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(8080),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_.-]*$/, { error: 'expected letters, digits and : _ . - only' })
    .default(''),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  DB_POOL_MAX: int(1, 200).default(10),
  DB_CONNECT_TIMEOUT_MS: int(100, 120_000).default(5_000),
  DB_IDLE_TIMEOUT_MS: int(1_000, 3_600_000).default(30_000),
  DB_STATEMENT_TIMEOUT_MS: int(100, 3_600_000).default(30_000),
  DB_CONNECT_RETRIES: int(0, 1_000).default(30),
  SIMULATOR: bool.optional(),
  SIMULATOR_RATE: int(1, 1_000_000).default(300),
  SIMULATOR_SEED: int(0, 2 ** 31 - 1).optional(),
  STREAM_MAXLEN: int(1_000, 100_000_000).default(1_000_000),
  STREAM_RETAIN_SECONDS: int(0, 86_400).default(600),
  PERSISTER: bool.default(true),
  PERSISTER_BATCH: int(100, 50_000).default(5_000),
  PERSISTER_CONSUMER: z
    .string()
    .regex(/^[A-Za-z0-9:_.-]{1,64}$/, { error: 'expected 1 to 64 letters, digits and : _ . -' })
    .optional(),
  PERSISTER_CLAIM_IDLE_MS: int(1_000, 3_600_000).default(30_000),
  PERSISTER_INSERT: z.enum(['copy', 'unnest'], { error: 'expected copy or unnest' }).default('copy'),
  INGEST_TOKEN: z.string().min(16, { error: 'expected at least 16 characters' }).optional(),
  TIMESCALE_JOBS: bool.optional(),
  HISTORY_BENCHMARK: z
    .string()
    .regex(/^([A-Z][A-Z0-9.]{0,9}|none)$/, { error: 'expected a symbol such as SPY, or none' })
    .default('SPY'),
  DEMO_HISTORY_DAYS: int(0, 3_650).default(365),
  SEED_DEMO: bool.optional(),
  DEMO_PASSWORD: z.string().min(4, { error: 'expected at least 4 characters' }).default('demo'),
  SESSION_TTL_SECONDS: int(60, 90 * 24 * 3600).default(7 * 24 * 3600),
  TRUST_PROXY: bool.default(false),
  COOKIE_SECURE: bool.optional(),
  // 8 ms, not 16: measured both under the fan-out benchmark's load, and 8 gave the lower p99 and
  // the lower CPU per delta (docs/profiling.md).
  CONFLATION_MS: int(0, 1_000).default(8),
  RESUME_DELTAS: int(0, 100_000).default(256),
  LINGER_MS: int(0, 3_600_000).default(30_000),
  SESSION_CLOSE_UTC: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'expected HH:MM in UTC, e.g. 21:00' })
    .default('21:00'),
  ALLOWED_ORIGINS: z
    .string()
    .refine((v) => v.split(',').every((o) => /^https?:\/\/[^/\s]+$/.test(o.trim())), {
      error: 'expected a comma-separated list of origins like https://dash.example.com',
    })
    .optional(),
  METRICS_WORKERS: int(1, 64).optional(),
  METRICS_QUEUE: int(1, 1_000_000).default(1_000),
  API_CACHE: bool.default(true),
  API_CACHE_L1_ENTRIES: int(1, 1_000_000).default(10_000),
  API_CACHE_L1_TTL_MS: int(1, 60_000).default(5_000),
  API_CACHE_TTL_SECONDS: int(1, 86_400).default(300),
  API_CACHE_WARM: int(0, 100_000).default(200),
  RISK_FREE_RATE: z
    .string()
    .regex(/^-?\d+(\.\d+)?$/, { error: 'expected an annual rate as a fraction, e.g. 0.04 for 4 %' })
    .transform(Number)
    .pipe(z.number().min(-0.5).max(1))
    .default(0.04),
  ALERT_HYSTERESIS_BP: int(0, 10_000).default(10),
  ALERT_LEASE_MS: int(500, 600_000).default(10_000),
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  SMTP_FROM: z.string().min(3).default('tickdash <alerts@localhost>'),
  JOB_WORKERS: int(0, 64).default(1),
  JOB_MAX_ATTEMPTS: int(1, 20).default(3),
  JOB_RETRY_BASE_MS: int(10, 600_000).default(1_000),
  JOB_RETRY_MAX_MS: int(10, 3_600_000).default(300_000),
  JOB_CLAIM_IDLE_MS: int(200, 3_600_000).default(30_000),
  JOB_RESULT_TTL_SECONDS: int(60, 30 * 86_400).default(86_400),
  WEB_DIR: z.string().min(1).default('web/build'),
  UWS_ALLOW_FALLBACK: bool.default(false),
  SHUTDOWN_TIMEOUT_MS: int(100, 120_000).default(10_000),
});

export type DataMode = 'embedded' | 'server';

export interface Config {
  host: string;
  port: number;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  mode: DataMode;
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  databaseUrl: string | undefined;
  dataDir: string;
  db: {
    poolMax: number;
    connectTimeoutMs: number;
    idleTimeoutMs: number;
    statementTimeoutMs: number;
    connectRetries: number;
  };
  simulator: { enabled: boolean; ticksPerSecond: number; seed: number | undefined };
  streamMaxLen: number;
  /** Acknowledged ticks stay in the stream this long (a starting gateway reads recent prices). */
  streamRetainSeconds: number;
  persister: {
    enabled: boolean;
    batchSize: number;
    consumer: string;
    claimIdleMs: number;
    /** copy (binary COPY, faster) or unnest (one INSERT; for servers or proxies without COPY FROM STDIN). */
    insertMethod: 'copy' | 'unnest';
  };
  /** Unset: POST /api/v1/ticks is off. */
  ingestToken: string | undefined;
  /** Run TimescaleDB's policies in-process (the embedded engine has no scheduler). */
  timescaleJobs: boolean;
  /** The history API's default benchmark symbol; null for none. */
  historyBenchmark: string | null;
  demo: { enabled: boolean; password: string; historyDays: number };
  sessionTtlSeconds: number;
  /** A reverse proxy is in front: believe its X-Forwarded-For / X-Forwarded-Proto. */
  trustProxy: boolean;
  /** The session cookie's Secure flag forced on or off; undefined: on when a trusted proxy saw HTTPS. */
  cookieSecure: boolean | undefined;
  gateway: {
    conflationMs: number;
    resumeDeltas: number;
    lingerMs: number;
    /** Minutes after midnight UTC at which a trading session ends (the day change restarts). */
    sessionCloseMinuteUtc: number;
  };
  /** Browser origins besides the server's own that may open the socket. */
  allowedOrigins: string[];
  metrics: {
    /** Worker threads; undefined = one per core but one. */
    workers: number | undefined;
    queue: number;
    riskFreeRate: number;
  };
  /** Cached API answers: in-process L1 in front of Redis (docs/caching.md). */
  apiCache: {
    /** Off: every read computes (the benchmark's baseline). */
    enabled: boolean;
    l1Entries: number;
    l1TtlMs: number;
    ttlSeconds: number;
    /** Recently read answers a starting gateway computes again in the background. */
    warm: number;
  };
  alerts: {
    /** How far back past its level a number must go before its alert re-arms (docs/alerts.md). */
    hysteresisBp: number;
    /** The evaluator lease: a dead evaluator is replaced within this time. */
    leaseMs: number;
    /** Unset: fired alerts go to the socket only. May carry credentials: never log it. */
    smtpUrl: string | undefined;
    smtpFrom: string;
  };
  /** The background job queue (docs/jobs.md). */
  jobs: {
    /** Job worker loops in this process; 0: this gateway only queues and serves results. */
    workers: number;
    maxAttempts: number;
    retryBaseMs: number;
    retryMaxMs: number;
    /** A job's stream entry idle this long belongs to a worker presumed dead and is taken over. */
    claimIdleMs: number;
    /** How long a job's record and file are kept. */
    resultTtlSeconds: number;
  };
  webDir: string;
  uwsAllowFallback: boolean;
  shutdownTimeoutMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the settings; throws ConfigError naming every bad variable at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "not set": `FOO= npm start` should not count as a value.
  const present = Object.fromEntries(
    Object.keys(schema.shape)
      .filter((k) => env[k] !== undefined && env[k] !== '')
      .map((k) => [k, env[k]]),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? '?');
        return `${name}=${JSON.stringify(env[name])}: ${issue.message}`;
      }),
    );
  }
  const e = parsed.data;
  const mode: DataMode = e.DATABASE_URL ? 'server' : 'embedded';
  return {
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    mode,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    db: {
      poolMax: e.DB_POOL_MAX,
      connectTimeoutMs: e.DB_CONNECT_TIMEOUT_MS,
      idleTimeoutMs: e.DB_IDLE_TIMEOUT_MS,
      statementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS,
      connectRetries: e.DB_CONNECT_RETRIES,
    },
    // The embedded start is a demo out of the box; a server deployment opts in.
    simulator: {
      enabled: e.SIMULATOR ?? mode === 'embedded',
      ticksPerSecond: e.SIMULATOR_RATE,
      seed: e.SIMULATOR_SEED,
    },
    streamMaxLen: e.STREAM_MAXLEN,
    streamRetainSeconds: e.STREAM_RETAIN_SECONDS,
    persister: {
      enabled: e.PERSISTER,
      batchSize: e.PERSISTER_BATCH,
      // Stable across restarts of this process, so its unacknowledged ticks are retried first.
      consumer: e.PERSISTER_CONSUMER ?? hostname(),
      claimIdleMs: e.PERSISTER_CLAIM_IDLE_MS,
      insertMethod: e.PERSISTER_INSERT,
    },
    ingestToken: e.INGEST_TOKEN,
    timescaleJobs: e.TIMESCALE_JOBS ?? mode === 'embedded',
    historyBenchmark: e.HISTORY_BENCHMARK === 'none' ? null : e.HISTORY_BENCHMARK,
    demo: {
      enabled: e.SEED_DEMO ?? mode === 'embedded',
      password: e.DEMO_PASSWORD,
      historyDays: e.DEMO_HISTORY_DAYS,
    },
    sessionTtlSeconds: e.SESSION_TTL_SECONDS,
    trustProxy: e.TRUST_PROXY,
    cookieSecure: e.COOKIE_SECURE,
    gateway: {
      conflationMs: e.CONFLATION_MS,
      resumeDeltas: e.RESUME_DELTAS,
      lingerMs: e.LINGER_MS,
      sessionCloseMinuteUtc: Number(e.SESSION_CLOSE_UTC.slice(0, 2)) * 60 + Number(e.SESSION_CLOSE_UTC.slice(3)),
    },
    allowedOrigins: e.ALLOWED_ORIGINS ? e.ALLOWED_ORIGINS.split(',').map((o) => o.trim().toLowerCase()) : [],
    metrics: { workers: e.METRICS_WORKERS, queue: e.METRICS_QUEUE, riskFreeRate: e.RISK_FREE_RATE },
    apiCache: {
      enabled: e.API_CACHE,
      l1Entries: e.API_CACHE_L1_ENTRIES,
      l1TtlMs: e.API_CACHE_L1_TTL_MS,
      ttlSeconds: e.API_CACHE_TTL_SECONDS,
      warm: e.API_CACHE_WARM,
    },
    alerts: {
      hysteresisBp: e.ALERT_HYSTERESIS_BP,
      leaseMs: e.ALERT_LEASE_MS,
      smtpUrl: e.SMTP_URL,
      smtpFrom: e.SMTP_FROM,
    },
    jobs: {
      workers: e.JOB_WORKERS,
      maxAttempts: e.JOB_MAX_ATTEMPTS,
      retryBaseMs: e.JOB_RETRY_BASE_MS,
      retryMaxMs: e.JOB_RETRY_MAX_MS,
      claimIdleMs: e.JOB_CLAIM_IDLE_MS,
      resultTtlSeconds: e.JOB_RESULT_TTL_SECONDS,
    },
    webDir: e.WEB_DIR,
    uwsAllowFallback: e.UWS_ALLOW_FALLBACK,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
  };
}
