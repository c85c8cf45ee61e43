// Prometheus metrics (prom-client) on a registry of our own, so tests can create as many servers as
// they like in one process. Gauges that mirror live counters are read at scrape time (collect), so
// the hot path only ever bumps plain numbers.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface Observability {
  registry: Registry;
  httpDuration: Histogram<'route' | 'method' | 'status'>;
  dbDuration: Histogram<'query' | 'outcome'>;
  ticksRejected: Counter;
  /** Cached API answers served, by cache and tier (l1: in-process, redis), and computed afresh. */
  cacheHits: Counter<'cache' | 'tier'>;
  cacheMisses: Counter<'cache'>;
  /** Registers a gauge whose value is computed when Prometheus scrapes. */
  gauge(name: string, help: string, read: () => number): void;
  /** Registers a counter that follows a running total read when Prometheus scrapes. */
  counter(name: string, help: string, readTotal: () => number): void;
  stop(): void;
}

export function createObservability(): Observability {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tickdash_' });
  // The default metrics report event-loop lag as a mean; traders feel the tail, so keep p99 too.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();

  const gauge = (name: string, help: string, read: () => number) =>
    void new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('tickdash_event_loop_delay_p99_seconds', 'Event-loop delay p99 since the previous scrape', () => {
    const p99 = loopDelay.percentile(99) / 1e9;
    loopDelay.reset();
    return p99;
  });

  return {
    registry,
    httpDuration: new Histogram({
      name: 'tickdash_http_request_duration_seconds',
      help: 'HTTP API request duration by route',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    dbDuration: new Histogram({
      name: 'tickdash_db_query_duration_seconds',
      help: 'Database query duration by query name',
      labelNames: ['query', 'outcome'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers: [registry],
    }),
    ticksRejected: new Counter({
      name: 'tickdash_ticks_rejected_total',
      help: 'Ticks that failed validation at the gateway',
      registers: [registry],
    }),
    cacheHits: new Counter({
      name: 'tickdash_cache_hits_total',
      help: 'Cached API answers served, by cache and tier (l1 in-process, redis)',
      labelNames: ['cache', 'tier'],
      registers: [registry],
    }),
    cacheMisses: new Counter({
      name: 'tickdash_cache_misses_total',
      help: 'Cached API answers computed afresh, by cache',
      labelNames: ['cache'],
      registers: [registry],
    }),
    gauge,
    counter(name, help, readTotal) {
      let seen = 0;
      void new Counter({
        name,
        help,
        registers: [registry],
        collect() {
          const total = readTotal();
          if (total > seen) this.inc(total - seen);
          seen = total;
        },
      });
    },
    stop: () => loopDelay.disable(),
  };
}
