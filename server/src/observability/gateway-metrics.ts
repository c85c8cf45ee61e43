// The gateway's live counters as Prometheus metrics, read at scrape time.
import type { Observability } from './metrics.js';

export interface GatewayCounters {
  connections: number;
  hotPortfolios: number;
  ticks: number;
  deltas: number;
  flushes: number;
  conflated: number;
  streamLagMs: number;
  slowReaders: { fellBehind: number; caughtUp: number; lagging: number };
}

export function registerGatewayMetrics(o: Observability, read: () => GatewayCounters): void {
  o.gauge('tickdash_ws_connections', 'Open WebSocket connections', () => read().connections);
  o.gauge(
    'tickdash_hot_portfolios',
    'Portfolios kept hot (followed on this process, or lingering)',
    () => read().hotPortfolios,
  );
  o.gauge(
    'tickdash_gateway_stream_lag_seconds',
    'How far behind the tick stream the gateway was at its last read',
    () => read().streamLagMs / 1000,
  );
  o.gauge(
    'tickdash_slow_readers',
    'Sockets currently taken off the feed for reading too slowly',
    () => read().slowReaders.lagging,
  );
  o.counter('tickdash_ticks_applied_total', 'Ticks applied to the quote board by this gateway', () => read().ticks);
  o.counter(
    'tickdash_deltas_published_total',
    'Deltas published (each once per portfolio, fanned out by uWS)',
    () => read().deltas,
  );
  o.counter('tickdash_flushes_total', 'Flushes of pending changes into deltas', () => read().flushes);
  o.counter(
    'tickdash_conflated_total',
    'Batches of ticks merged into a later flush instead of flushed at once',
    () => read().conflated,
  );
  o.counter(
    'tickdash_deltas_skipped_sockets_total',
    'Times a slow socket was taken off the feed (its deltas skipped)',
    () => read().slowReaders.fellBehind,
  );
  o.counter(
    'tickdash_catchups_total',
    'Catch-up snapshots sent to sockets that drained',
    () => read().slowReaders.caughtUp,
  );
}
