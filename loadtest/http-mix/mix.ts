// The seed's request mix under autocannon: every connection is one signed-in trader cycling through
// view portfolio ×3, portfolio metrics ×2 and update allocations ×1 (the seed's weights, in a fixed
// cycle so the mix is exact at any rate), each on a random portfolio of theirs. Every response's
// latency is kept per endpoint, so per-endpoint and overall percentiles come from the raw samples.
import type { EventEmitter } from 'node:events';
import autocannon, { type Request, type Result } from 'autocannon';
import { createRandom } from '../../server/src/market/random.js';

export interface Trader {
  token: string;
  portfolios: { id: number; symbols: string[] }[];
}

export const ENDPOINTS = ['view portfolio', 'portfolio metrics', 'update allocations'] as const;
export type Endpoint = (typeof ENDPOINTS)[number];
const CYCLE: Endpoint[] = [
  'view portfolio',
  'view portfolio',
  'view portfolio',
  'portfolio metrics',
  'portfolio metrics',
  'update allocations',
];

export interface MixOptions {
  url: string;
  traders: Trader[];
  connections: number;
  seconds: number;
  /** Requests per second over all connections; undefined = as fast as the server answers. */
  rate: number | undefined;
  /**
   * With a rate: autocannon spends each connection's share of it at the start of every second, so
   * all connections burst together and the server sees every request of a second at once. With
   * `phases` N the connections are split into N autocannon instances started 1/N s apart, so the
   * bursts are spread over the second as independent traders' requests are.
   */
  phases?: number;
  /** Update allocations: the seed re-saves the same targets; `changing` alternates two sets. */
  updates: 'same' | 'changing';
  seed: number;
}

export interface MixResult {
  seconds: number;
  latencyMs: Record<Endpoint, number[]>;
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** Equal weights in percent with 2 decimals summing to exactly 100; `tilt` moves 1 % between two. */
export function equalTargets(symbols: string[], tilt = false): { symbol: string; weight: number }[] {
  const bp = Math.floor(10_000 / symbols.length);
  const weights = symbols.map((_, i) => bp + (i === 0 ? 10_000 - bp * symbols.length : 0));
  if (tilt && symbols.length > 1) {
    weights[0]! += 100;
    weights[1]! -= 100;
  }
  return symbols.map((symbol, i) => ({ symbol, weight: weights[i]! / 100 }));
}

export async function runMix(o: MixOptions): Promise<MixResult> {
  const random = createRandom(o.seed);
  const latencyMs = Object.fromEntries(ENDPOINTS.map((e) => [e, [] as number[]])) as Record<Endpoint, number[]>;
  let nextTrader = 0;
  let flips = 0;
  type Context = { trader?: Trader };
  const traderOf = (context: Context) => (context.trader ??= o.traders[nextTrader++ % o.traders.length]!);
  const pick = (trader: Trader) => trader.portfolios[Math.floor(random.next() * trader.portfolios.length)]!;

  const requests = CYCLE.map((endpoint): Request => ({
    method: endpoint === 'update allocations' ? 'PUT' : 'GET',
    setupRequest: (req: Request, context: object) => {
      const trader = traderOf(context as Context);
      const portfolio = pick(trader);
      const headers = { authorization: `Bearer ${trader.token}`, 'content-type': 'application/json' };
      if (endpoint === 'view portfolio') return { ...req, path: `/api/v1/portfolios/${portfolio.id}`, headers };
      if (endpoint === 'portfolio metrics') {
        return { ...req, path: `/api/v1/calculations/portfolio-metrics?portfolio=${portfolio.id}`, headers };
      }
      const targets = equalTargets(portfolio.symbols, o.updates === 'changing' && flips++ % 2 === 0);
      return {
        ...req,
        path: '/api/v1/allocations',
        headers,
        body: JSON.stringify({ portfolio: portfolio.id, targets }),
      };
    },
  }));

  const url = new URL(o.url);
  const launch = (connections: number, rate: number | undefined) => {
    const instance = autocannon({
      url: `http://${url.host}`,
      connections,
      pipelining: 1,
      duration: o.seconds,
      ...(rate ? { overallRate: rate } : {}),
      requests,
      timeout: 10,
    }) as unknown as EventEmitter & PromiseLike<Result>; // without a callback: an emitter that is thenable
    instance.on('response', (client: unknown, _status: number, _bytes: number, ms: number) => {
      const index = (client as { requestIterator: { currentRequestIndex: number } }).requestIterator
        .currentRequestIndex;
      latencyMs[CYCLE[index]!].push(ms);
    });
    return instance;
  };
  const phases = o.rate ? Math.max(1, Math.min(o.phases ?? 1, o.connections)) : 1;
  /** The i-th of n near-equal integer shares of total. */
  const share = (total: number, i: number) => Math.floor(total / phases) + (i < total % phases ? 1 : 0);
  const running: PromiseLike<Result>[] = [];
  for (let i = 0; i < phases; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 1000 / phases));
    running.push(launch(share(o.connections, i), o.rate === undefined ? undefined : share(o.rate, i)));
  }
  const results = await Promise.all(running);
  const sum = (pick: (r: Result) => number) => results.reduce((total, r) => total + pick(r), 0);
  return {
    seconds: o.seconds,
    latencyMs,
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
  };
}
