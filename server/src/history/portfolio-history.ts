// A portfolio's value and time-weighted return over a range, with a benchmark beside it: holdings
// and cash as of the range's start (two aggregate queries over the ledger), the transactions inside
// it and the aggregates' watermarks, then closes of every held symbol from the coarsest aggregate
// that serves the range (materialised buckets read from their table, or for daily ranges held in
// memory by daily-closes.ts, only the rest in real time); then valued in integer cents (valuation.ts) and chained (twr.ts). docs/history.md.
import type { Database } from '../db/database.js';
import { centsToAmount } from '../engine/money.js';
import {
  closesBefore,
  closeSeries,
  materializations,
  RESOLUTION_MS,
  type CloseSeries,
  type CloseSource,
  type Materialization,
  type Resolution,
} from '../store/candles.js';
import { cashAsOf, firstTransactionTime, holdingsAsOf, transactionsBetween } from '../store/transactions.js';
import type { Freshness, PortfolioCache } from '../cache/portfolio-cache.js';
import type { AggregateWatermarks } from './aggregate-watermarks.js';
import type { DailyCloses } from './daily-closes.js';
import { rangeWindow, type Range } from './ranges.js';
import { timeWeightedReturns } from './twr.js';
import { benchmarkSeries, valuePortfolio } from './valuation.js';

export interface HistoryResponse {
  portfolio: number;
  range: Range;
  resolution: Resolution;
  from: number;
  to: number;
  /** Columnar, ready for a chart: one entry per bucket. Amounts in the portfolio's currency. */
  points: { time: number[]; value: number[]; netFlow: number[]; twr: number[] };
  /** Time-weighted return over the whole range, as a fraction (0.0123 = 1.23 %). */
  twr: number;
  benchmark: { symbol: string; close: (number | null)[]; return: (number | null)[]; totalReturn: number | null } | null;
}

/** Returns are fractions rounded to 8 places: far below what a chart or a trader can see. */
const round8 = (x: number) => Math.round(x * 1e8) / 1e8;

/** How old the newest (real-time) bucket of a cached answer may get, by resolution. */
export const MAX_AGE_MS: Record<Resolution, number> = { '1m': 15_000, '1h': 60_000, '1d': 300_000 };

/**
 * When an answer computed from a range's history goes stale without a write: once the aggregate it
 * reads materialises new buckets (its watermark moves: a new day for 1Y), or once its newest bucket
 * is older than the resolution's max age.
 */
export function historyFreshness(range: Range, watermarks: AggregateWatermarks | undefined, now: number): Freshness {
  const { resolution } = rangeWindow(range, now);
  return { stamp: watermarks?.of(resolution) ?? 0, maxAgeMs: MAX_AGE_MS[resolution] };
}

export class PortfolioHistory {
  constructor(
    private readonly db: Database,
    private readonly cache: PortfolioCache | undefined,
    readonly watermarks: AggregateWatermarks | undefined,
    /** The materialised daily closes in memory (YTD, 1Y, MAX); without it they are read each time. */
    private readonly dailyCloses?: DailyCloses,
  ) {}

  /** The history, from the cache while it is still fresh (historyFreshness says when). */
  async get(portfolioId: number, range: Range, benchmark: string | null, now = Date.now()): Promise<HistoryResponse> {
    const compute = () => this.compute(portfolioId, range, benchmark, now);
    if (!this.cache) return compute();
    const freshness = historyFreshness(range, this.watermarks, now);
    return this.cache.read('history', portfolioId, `${range}:${benchmark ?? ''}`, freshness, compute);
  }

  /** Computes the history; another `source` reads closes another way (benchmarks compare them). */
  async compute(
    portfolioId: number,
    range: Range,
    benchmark: string | null,
    now = Date.now(),
    source: CloseSource = 'aggregates',
  ): Promise<HistoryResponse> {
    const first = range === 'MAX' ? await firstTransactionTime(this.db, portfolioId) : undefined;
    const { from, to, resolution } = rangeWindow(range, now, first);
    const fromDate = new Date(from);
    const toDate = new Date(to);
    const [opening, cash, transactions, materialized] = await Promise.all([
      holdingsAsOf(this.db, portfolioId, fromDate),
      cashAsOf(this.db, portfolioId, fromDate),
      transactionsBetween(this.db, portfolioId, fromDate, toDate),
      // Where each aggregate's materialised table ends (the lower bound of the real-time part, see
      // closeSeries): as the poller last saw it, else from the catalog now.
      source === 'aggregates' ? (this.watermarks?.materialized ?? materializations(this.db)) : undefined,
    ]);
    const held = new Set(opening.map((h) => h.symbol));
    for (const t of transactions) if (t.symbol && (t.kind === 'buy' || t.kind === 'sell')) held.add(t.symbol);
    const wanted = benchmark && !held.has(benchmark) ? [...held, benchmark] : [...held];
    const daily = materialized?.['1d'];
    const [closes, before] =
      resolution === '1d' &&
      source === 'aggregates' &&
      this.dailyCloses &&
      daily &&
      daily.watermark > from - RESOLUTION_MS['1d']
        ? await this.dailyFromMemory(this.dailyCloses, daily, wanted, from, to)
        : await Promise.all([
            closeSeries(this.db, resolution, wanted, fromDate, toDate, source, materialized?.[resolution]),
            closesBefore(this.db, resolution, wanted, fromDate, daily),
          ]);

    const valued = valuePortfolio({
      width: RESOLUTION_MS[resolution],
      to,
      opening: { holdings: opening, cash },
      transactions,
      // Only held symbols make the time axis; the benchmark is drawn on it, never adds to it.
      closes: closes.filter((s) => held.has(s.symbol)),
      closesBefore: before,
    });
    const twr = timeWeightedReturns(valued.value, valued.flow);
    const bench = benchmark
      ? benchmarkSeries(
          valued.time,
          closes.find((s) => s.symbol === benchmark),
          before.get(benchmark),
        )
      : undefined;
    return {
      portfolio: portfolioId,
      range,
      resolution,
      from,
      to,
      points: {
        time: valued.time,
        value: valued.value.map(centsToAmount),
        netFlow: valued.flow.map(centsToAmount),
        twr: twr.map(round8),
      },
      twr: round8(twr[twr.length - 1] ?? 0),
      benchmark:
        benchmark && bench
          ? {
              symbol: benchmark,
              close: bench.close,
              return: bench.return.map((r) => (r === null ? null : round8(r))),
              totalReturn: (() => {
                const last = bench.return[bench.return.length - 1];
                return last == null ? null : round8(last);
              })(),
            }
          : null,
    };
  }

  /**
   * Daily closes as closeSeries and closesBefore read them: below the watermark from memory, the
   * real-time buckets at and after it from the view (the only database read when every symbol is
   * held). The close before the range is a materialised one (the caller checks).
   */
  private async dailyFromMemory(
    dailyCloses: DailyCloses,
    daily: Materialization,
    symbols: string[],
    from: number,
    to: number,
  ): Promise<[CloseSeries[], Map<string, number>]> {
    const [held, recent] = await Promise.all([
      dailyCloses.read(daily, symbols, from, to),
      to > daily.watermark
        ? closeSeries(this.db, '1d', symbols, new Date(Math.max(from, daily.watermark)), new Date(to), 'views')
        : [],
    ]);
    const series = new Map(held.series.map((s) => [s.symbol, s]));
    for (const tail of recent) {
      const head = series.get(tail.symbol);
      series.set(
        tail.symbol,
        head
          ? { symbol: tail.symbol, times: [...head.times, ...tail.times], closes: [...head.closes, ...tail.closes] }
          : tail,
      );
    }
    return [[...series.values()], held.before];
  }
}
