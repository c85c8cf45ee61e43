// Composes the process: Redis, the database, the market simulator, the tick reader, the portfolio
// engine, the socket gateway, the HTTP API and the web app, and takes them down in reverse order.
import { isAbsolute, resolve } from 'node:path';
import type { us_listen_socket, us_socket } from 'uWebSockets.js';
import { registerAuthRoutes } from './api/auth-routes.js';
import { registerPortfolioRoutes } from './api/portfolio-routes.js';
import { redisLoginLimiter } from './auth/login-limiter.js';
import { redisSessions } from './auth/sessions.js';
import type { Config } from './config.js';
import { connectDatabase } from './db/connect.js';
import type { Database } from './db/database.js';
import { demoInstruments, seedDemo, DEMO_USERNAME } from './demo/demo-data.js';
import { backfillDemoHistory } from './demo/demo-history.js';
import { PortfolioBook } from './engine/portfolio-book.js';
import { QuoteBoard } from './engine/quote-board.js';
import { PortfolioFeed } from './gateway/portfolio-feed.js';
import { registerSocketServer, type SocketServer } from './gateway/socket-server.js';
import { listenExclusive, loadUws } from './gateway/uws.js';
import { route } from './http/routes.js';
import { registerOpsRoutes } from './api/ops-routes.js';
import { registerExportRoutes } from './api/export-routes.js';
import { startExportJobs } from './exports/export-jobs.js';
import { registerMetricsRoutes } from './api/metrics-routes.js';
import { MetricsPool } from '../../workers/src/pool/metrics-pool.js';
import { registerAllocationRoutes } from './api/allocation-routes.js';
import { portfolioChanges } from './gateway/portfolio-changes.js';
import { userNotices, type UserNotices } from './gateway/user-notices.js';
import { smtpMailer } from './alerts/alert-mailer.js';
import { AlertService } from './alerts/alert-service.js';
import { registerAlertRoutes } from './api/alert-routes.js';
import { createObservability } from './observability/metrics.js';
import { registerGatewayMetrics } from './observability/gateway-metrics.js';
import { timedDatabase } from './observability/timed-database.js';
import { notFound } from './http/http-error.js';
import { loadStaticSite } from './http/static-files.js';
import type { Logger } from './log.js';
import { MarketSimulator } from './market/simulator.js';
import { UNIVERSE } from './market/universe.js';
import { PROJECT_ROOT } from './paths.js';
import { connectRedis, type RedisHandle } from './redis/connect.js';
import { redisKeys, type RedisKeys } from './redis/keys.js';
import { listAssets, upsertAssets } from './store/assets.js';
import { loadHoldings } from './store/portfolios.js';
import { closingPrices } from './store/prices.js';
import { lastSessionClose, nextSessionClose } from './market/session.js';
import { readStreamTail, TickReader } from './streams/tick-reader.js';
import { registerHistoryRoutes } from './api/history-routes.js';
import { cacheWarmers } from './api/cache-warmers.js';
import { CacheWarmer } from './cache/cache-warmer.js';
import { PortfolioCache } from './cache/portfolio-cache.js';
import { registerIngestRoutes } from './api/ingest-routes.js';
import { AggregateWatermarks } from './history/aggregate-watermarks.js';
import { DailyCloses } from './history/daily-closes.js';
import { MAX_AGE_MS, PortfolioHistory } from './history/portfolio-history.js';
import { TimescaleJobs } from './jobs/timescale-jobs.js';
import { StreamTrimmer } from './persist/stream-trimmer.js';
import { TickPersister } from './persist/tick-persister.js';
import { latestPrices } from './store/ticks.js';

export interface RunningApp {
  port: number;
  url: string;
  db: Database;
  redis: RedisHandle;
  keys: RedisKeys;
  /** Frames for one user's sockets on any gateway (alerts, job progress). */
  notices: UserNotices;
  /** Alerts: whether this process evaluates them, and how many it watches. */
  alerts: AlertService;
  /** Live counters of the gateway, for tests and metrics. */
  stats(): GatewayStats;
  close(): Promise<void>;
}

export interface GatewayStats {
  connections: number;
  hotPortfolios: number;
  ticks: number;
  deltas: number;
  flushes: number;
  conflated: number;
  slowReaders: SocketServer['slowReaders']['stats'];
}

/** How far back a starting gateway looks in the stream for each symbol's last price. */
const TAIL_ENTRIES_FOR_PRICES = 200_000;
/** At most one log line per this many rejected ticks, so a broken producer cannot flood the logs. */
const REJECT_LOG_EVERY = 1_000;
/** How far back a starting gateway looks in the database for a symbol's newest stored tick. */
const STORED_PRICE_LOOKBACK_MS = 24 * 3600 * 1000;
/** How often the stream is trimmed, and the backlog that earns a warning. */
const TRIM_EVERY_MS = 5_000;
const BACKLOG_WARNING = 1_000_000;
/** Symbols whose daily closes are held in memory: the whole universe and then some (a few MB). */
const DAILY_CLOSE_SYMBOLS = 5_000;

export async function startApp(config: Config, log: Logger): Promise<RunningApp> {
  const { uws, native, binary } = loadUws(config.uwsAllowFallback);
  log.info(
    { native, binary: binary?.split('/').pop() },
    native ? 'uWebSockets.js native binary loaded' : 'uWebSockets.js FALLBACK in use (slow)',
  );

  const cleanup: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    const steps = cleanup.splice(0).reverse();
    for (const step of steps) await step().catch((err) => log.warn({ err }, 'shutdown step failed'));
  };
  try {
    const observability = createObservability();
    cleanup.push(async () => observability.stop());
    const redis = await connectRedis(config.redisUrl, log);
    cleanup.push(() => redis.close());
    log.info({ redis: redis.where, source: redis.source }, 'redis connected');
    const keys = redisKeys(config.redisKeyPrefix);

    const db = timedDatabase(await connectDatabase(config, log), observability);
    cleanup.push(() => db.close());
    await upsertAssets(db, UNIVERSE);
    const demoNow = Date.now();
    const demo = { now: demoNow, historyDays: config.demo.historyDays };
    const demoCreated = config.demo.enabled && (await seedDemo(db, UNIVERSE, config.demo.password, demo));
    if (demoCreated) log.info({ username: DEMO_USERNAME }, 'demo user and portfolios created');

    // Prices: every asset's reference price, overridden by the newest tick still in the stream.
    const assets = await listAssets(db);
    const known = new Set(assets.map((a) => a.symbol));
    const isKnownSymbol = (s: string) => known.has(s);
    const quotes = new QuoteBoard();
    const closes = await closingPrices(
      db,
      new Date(lastSessionClose(Date.now(), config.gateway.sessionCloseMinuteUtc)),
    );
    for (const a of assets) {
      quotes.set(a.symbol, a.referencePrice, 0);
      quotes.setPreviousClose(a.symbol, closes.get(a.symbol) ?? a.referencePrice);
    }
    // Then the newest stored tick (the stream keeps only recent ones), then the stream's own tail.
    const stored = await latestPrices(db, [...known], new Date(Date.now() - STORED_PRICE_LOOKBACK_MS));
    for (const [symbol, q] of stored) quotes.set(symbol, q.price, q.time);
    const command = redis.connect('commands');
    const tail = await readStreamTail(command, keys.ticks, TAIL_ENTRIES_FOR_PRICES, isKnownSymbol);
    for (const t of tail.latest.values()) quotes.set(t.symbol, t.price, t.time);

    if (config.simulator.enabled) {
      const simulator = new MarketSimulator({
        redis: redis.connect('simulator'),
        stream: keys.ticks,
        ticksPerSecond: config.simulator.ticksPerSecond,
        seed: config.simulator.seed,
        instruments: assets.map((a) => ({
          symbol: a.symbol,
          volatility: a.volatility,
          price: quotes.get(a.symbol)!.price,
        })),
        log,
      });
      simulator.start();
      cleanup.push(() => simulator.stop());
      log.info({ ticksPerSecond: config.simulator.ticksPerSecond, symbols: assets.length }, 'market simulator on');
    }

    const app = uws.App();
    // Runs late in the shutdown, after the listen socket closed and the sockets were told to go:
    // HTTP keep-alive connections would otherwise outlive the app and reach handlers whose Redis
    // and database are gone. The registry build has `close` at run time but not in its types.
    cleanup.push(async () => (app as unknown as { close?: () => void }).close?.());
    const book = new PortfolioBook(quotes);
    const feed = new PortfolioFeed({
      book,
      loadHoldings: (id) => loadHoldings(db, id),
      publish: (topic, frame) => app.publish(topic, frame),
      ...config.gateway,
    });
    cleanup.push(async () => feed.stop());
    const sessionCloses = scheduleSessionCloses(config.gateway.sessionCloseMinuteUtc, () => feed.closeSession());
    cleanup.push(async () => sessionCloses.stop());
    const sessions = redisSessions(command, keys, config.sessionTtlSeconds);
    const sockets = registerSocketServer({ app, allowedOrigins: config.allowedOrigins, db, sessions, feed, log });
    const loginLimiter = redisLoginLimiter(command, keys);
    // Cached answers about portfolios (docs/caching.md); what is read is noted for warming.
    const warmer = new CacheWarmer(command, keys.cacheRecent, log);
    warmer.start();
    cleanup.push(() => warmer.stop());
    const cache = new PortfolioCache({
      redis: command,
      keys,
      enabled: config.apiCache.enabled,
      l1Entries: config.apiCache.l1Entries,
      l1TtlMs: config.apiCache.l1TtlMs,
      redisTtlSeconds: config.apiCache.ttlSeconds,
      counters: {
        hit: (name, tier) => observability.cacheHits.inc({ cache: name, tier }),
        miss: (name) => observability.cacheMisses.inc({ cache: name }),
      },
      onRead: (name, id, field) => warmer.note(name, id, field),
    });
    const ctx = {
      db,
      sessions,
      loginLimiter,
      log,
      observability,
      sessionTtlSeconds: config.sessionTtlSeconds,
      cache,
      trustProxy: config.trustProxy,
      cookieSecure: config.cookieSecure,
    };
    registerAuthRoutes(app, ctx);
    registerPortfolioRoutes(app, ctx);
    // A portfolio changed anywhere (targets, a transaction): every gateway revalues it.
    const changes = await portfolioChanges(
      command,
      redis.connect('portfolio-changes'),
      keys.portfolioChanges,
      (id) => {
        cache.forget(id);
        feed
          .reload(id)
          .catch((err: unknown) => log.error({ err, portfolio: id }, 'could not reload a changed portfolio'));
      },
      log,
    );
    cleanup.push(() => changes.stop());
    const notices = await userNotices(
      command,
      redis.connect('user-notices'),
      keys.userNotices,
      (topic, frame) => app.publish(topic, frame),
      log,
    );
    cleanup.push(() => notices.stop());
    // Alerts: evaluated by the one process holding the lease, on this feed's ticks and deltas.
    const alerts = await AlertService.start({
      db,
      redis: command,
      subscriber: redis.connect('alert-changes'),
      leaseKey: keys.alertLease,
      changesChannel: keys.alertChanges,
      leaseMs: config.alerts.leaseMs,
      hysteresisBp: config.alerts.hysteresisBp,
      feed,
      book,
      quotes,
      notices,
      mailer: config.alerts.smtpUrl
        ? smtpMailer({ url: config.alerts.smtpUrl, from: config.alerts.smtpFrom }, log)
        : undefined,
      log,
    });
    cleanup.push(() => alerts.stop());
    observability.gauge(
      'tickdash_alerts_watched',
      'Alerts evaluated by this process (0 on gateways without the evaluator lease)',
      () => alerts.status.watching,
    );
    registerAlertRoutes(app, { ...ctx, isKnownSymbol, onAlertChanged: (id) => alerts.announce(id) });
    const onPortfolioChanged = async (id: number) => {
      await cache.changed(id);
      await changes.announce(id);
    };
    registerAllocationRoutes(app, { ...ctx, onPortfolioChanged });
    const watermarks = new AggregateWatermarks(db, log);
    await watermarks.start();
    cleanup.push(() => watermarks.stop());
    // Every symbol's materialised daily closes, shared by every portfolio's YTD, 1Y and MAX.
    const dailyCloses = new DailyCloses(db, { maxAgeMs: MAX_AGE_MS['1d'], maxSymbols: DAILY_CLOSE_SYMBOLS });
    const history = new PortfolioHistory(db, cache, watermarks, dailyCloses);
    registerHistoryRoutes(app, {
      ...ctx,
      history,
      isKnownSymbol,
      defaultBenchmark: config.historyBenchmark,
      onPortfolioChanged,
    });
    registerIngestRoutes(app, {
      redis: command,
      keys,
      ingestToken: config.ingestToken,
      isKnownSymbol,
      log,
      observability,
    });
    const pool = new MetricsPool({
      ...(config.metrics.workers ? { size: config.metrics.workers } : {}),
      maxQueue: config.metrics.queue,
      onWorkerLost: (err) => log.error({ err }, 'metrics worker lost, replaced'),
    });
    cleanup.push(() => pool.close());
    const metricsCtx = {
      ...ctx,
      history,
      pool,
      riskFreeRate: config.metrics.riskFreeRate,
      defaultBenchmark: config.historyBenchmark,
    };
    registerMetricsRoutes(app, metricsCtx);
    observability.gauge(
      'tickdash_metrics_queue_depth',
      'Metrics tasks waiting for a worker',
      () => pool.stats().queued,
    );
    observability.gauge('tickdash_metrics_busy_workers', 'Metrics workers computing', () => pool.stats().busy);
    // Exports in the background: every gateway queues and serves them; JOB_WORKERS loops here make
    // them (docs/jobs.md).
    const exportJobs = await startExportJobs({
      config: config.jobs,
      commands: command,
      connect: (name) => redis.connect(name),
      keyBase: keys.jobs,
      notices,
      log,
      deps: {
        db,
        history,
        pool,
        riskFreeRate: config.metrics.riskFreeRate,
        defaultBenchmark: config.historyBenchmark,
        priceOf: (symbol) => quotes.get(symbol)?.price,
      },
    });
    cleanup.push(() => exportJobs.stop());
    registerExportRoutes(app, { ...ctx, jobs: exportJobs.queue });
    registerOpsRoutes(app, { db, redis: command, observability, log });
    route(app, 'get', '/api/*', async () => Promise.reject(notFound('no such endpoint')), { log });
    const webDir = isAbsolute(config.webDir) ? config.webDir : resolve(PROJECT_ROOT, config.webDir);
    const site = loadStaticSite(webDir);
    if (site.fileCount === 0) log.warn({ webDir }, 'web app not built: run `npm run build`');
    app.get('/*', (res, req) => site.handle(res, req));

    const stats = (): GatewayStats => ({
      connections: sockets.connections,
      hotPortfolios: feed.hotPortfolios,
      ...feed.stats,
      conflated: feed.conflated,
      slowReaders: { ...sockets.slowReaders.stats },
    });

    let rejected = 0;
    const reader = new TickReader({
      redis: redis.connect('tick-reader'),
      stream: keys.ticks,
      fromId: tail.lastId,
      isKnownSymbol,
      onTicks: (ticks) => feed.onTicks(ticks),
      minReadIntervalMs: config.gateway.conflationMs,
      onRejected: (id, reason) => {
        observability.ticksRejected.inc();
        if (rejected++ % REJECT_LOG_EVERY === 0) log.warn({ id, reason, rejected }, 'tick rejected');
      },
      log,
    });
    reader.start();
    cleanup.push(() => reader.stop());

    // Persistence: every tick into the database once (persist/), the stream trimmed behind it, and
    // in embedded mode TimescaleDB's policies run here (jobs/).
    if (config.persister.enabled) {
      const persister = new TickPersister({
        reader: redis.connect('persister'),
        commands: command,
        stream: keys.ticks,
        group: keys.persistGroup,
        consumer: config.persister.consumer,
        deadTicks: keys.deadTicks,
        deadTicksCount: keys.deadTicksCount,
        db,
        isKnownSymbol,
        log,
        batchSize: config.persister.batchSize,
        claimIdleMs: config.persister.claimIdleMs,
        insertMethod: config.persister.insertMethod,
      });
      persister.start();
      cleanup.push(() => persister.stop());
      observability.gauge('tickdash_ticks_persisted', 'Ticks stored by this process', () => persister.stats.persisted);
      observability.gauge(
        'tickdash_ticks_dead_lettered',
        'Ticks rejected by this process',
        () => persister.stats.rejected,
      );
    }
    const trimmer = new StreamTrimmer(command, {
      stream: keys.ticks,
      group: keys.persistGroup,
      retainMs: config.streamRetainSeconds * 1000,
      maxLenWithoutGroup: config.streamMaxLen,
      everyMs: TRIM_EVERY_MS,
      warnBacklog: BACKLOG_WARNING,
      log,
    });
    trimmer.start();
    cleanup.push(() => trimmer.stop());
    if (config.timescaleJobs) {
      const jobs = new TimescaleJobs(db, log, {
        onRefreshed: (job) => {
          void watermarks.refresh();
          // A refresh may rewrite buckets below the watermark (late ticks): read them again.
          if (job.target === 'candles_1d') dailyCloses.clear();
        },
      });
      await jobs.start();
      cleanup.push(() => jobs.stop());
    }
    registerGatewayMetrics(observability, () => ({ ...stats(), streamLagMs: reader.lagMs }));

    const listenSocket = await new Promise<us_listen_socket>((ok, fail) =>
      listenExclusive(app, config.host, config.port, (socket) =>
        socket ? ok(socket) : fail(new Error(`cannot listen on ${config.host}:${config.port} (is the port taken?)`)),
      ),
    );
    const port = uws.us_socket_local_port(listenSocket as unknown as us_socket);
    cleanup.push(async () => {
      uws.us_listen_socket_close(listenSocket);
      sockets.closeAll('server shutting down');
    });

    if (config.apiCache.enabled && config.apiCache.warm > 0) {
      // In the background, one at a time: what traders read recently, so it hits when they return.
      void warmer
        .warm(config.apiCache.warm, cacheWarmers(metricsCtx))
        .then((warmed) => warmed > 0 && log.info({ warmed }, 'cache warmed'))
        .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'cache warming failed'));
    }

    if (demoCreated && demo.historyDays > 0) {
      // Once the server listens, in the background: the history fills in behind a running dashboard.
      const instruments = await demoInstruments(db, UNIVERSE, config.historyBenchmark);
      const backfill = backfillDemoHistory(db, instruments, demoNow, demo.historyDays, log);
      cleanup.push(() => backfill.stop());
    }

    return {
      port,
      url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
      db,
      redis,
      keys,
      notices,
      alerts,
      stats,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** Calls `onClose` at every session close from now on. */
function scheduleSessionCloses(closeMinuteUtc: number, onClose: () => void): { stop(): void } {
  let timer: NodeJS.Timeout;
  const arm = () => {
    // setTimeout cannot wait longer than ~24.8 days; a day is far below that.
    timer = setTimeout(
      () => {
        onClose();
        arm();
      },
      nextSessionClose(Date.now(), closeMinuteUtc) - Date.now(),
    );
    timer.unref();
  };
  arm();
  return { stop: () => clearTimeout(timer) };
}
