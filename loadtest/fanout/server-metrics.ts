// The server's own view of a load window, from its Prometheus endpoint (/metrics): event-loop delay
// and flushes. Scraped once when the window opens (the event-loop histograms reset on every scrape)
// and once when it closes, so it costs the measured server next to nothing.

export interface ServerView {
  /** Event-loop delay over the window, ms (prom-client's monitor, 10 ms resolution). */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  flushesPerSecond: number;
  /** How far the tick reader was behind the stream when the window closed, ms. */
  streamLagMs: number;
}

type Samples = Map<string, number>;

/** The first sample of every metric, by name (labels ignored); empty when there is no endpoint. */
export async function scrapeMetrics(baseUrl: string): Promise<Samples> {
  const samples: Samples = new Map();
  try {
    const res = await fetch(`${baseUrl}/metrics`);
    if (!res.ok) return samples;
    for (const line of (await res.text()).split('\n')) {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})? (\S+)/.exec(line);
      if (m && !samples.has(m[1]!)) samples.set(m[1]!, Number(m[2]));
    }
  } catch {
    // A server without /metrics still gets benchmarked; its view is just not shown.
  }
  return samples;
}

export function serverView(before: Samples, after: Samples, seconds: number): ServerView {
  const ms = (name: string) => (after.get(name) ?? NaN) * 1000;
  return {
    loopDelayP99Ms: ms('tickdash_nodejs_eventloop_lag_p99_seconds'),
    loopDelayMaxMs: ms('tickdash_nodejs_eventloop_lag_max_seconds'),
    flushesPerSecond:
      ((after.get('tickdash_flushes_total') ?? NaN) - (before.get('tickdash_flushes_total') ?? NaN)) / seconds,
    streamLagMs: ms('tickdash_gateway_stream_lag_seconds'),
  };
}
