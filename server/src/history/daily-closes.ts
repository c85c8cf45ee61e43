// Every symbol's daily closes below the 1-day aggregate's watermark, held in memory. Below the
// watermark a close changes only when a refresh rewrites its bucket, and the same closes serve every
// portfolio that holds the symbol and every range from YTD to MAX; reading them from the
// materialisation table each time was most of a 1Y history's cost on the embedded engine
// (docs/history.md). Only the real-time buckets above the watermark are read per request.
import type { Queryable } from '../db/database.js';
import {
  materializedDailyRuns,
  RESOLUTION_MS,
  type CloseSeries,
  type DailyCloseRun,
  type Materialization,
} from '../store/candles.js';
import { firstAtOrAbove } from '../sorted.js';

const DAY_MS = RESOLUTION_MS['1d'];

export interface DailyClosesOptions {
  /**
   * How long a symbol's closes are trusted while the watermark stays where it was: a refresh may
   * rewrite buckets below it after late ticks without moving it. The history cache follows the same
   * rule (historyFreshness), so this adds no staleness of its own.
   */
  maxAgeMs: number;
  /** Symbols kept; the least recently read are let go first. */
  maxSymbols: number;
  now?: () => number;
}

/** A symbol's materialised closes from `from` up to `watermark`, as read at `loadedAt`. */
interface Held {
  watermark: number;
  loadedAt: number;
  /** Every bucket at or after this is in `run`; `run.before` is the last one before it. */
  from: number;
  run: DailyCloseRun;
}

interface Load {
  watermark: number;
  from: number;
  done: Promise<Map<string, Held>>;
}

export interface DailyClosesRead {
  /** Closes of the buckets in [from, min(to, watermark)), for the symbols that have any. */
  series: CloseSeries[];
  /** Each symbol's close of its last bucket at or before `from` − 1 day, when it has one. */
  before: Map<string, number>;
}

export class DailyCloses {
  private readonly held = new Map<string, Held>();
  private readonly loading = new Map<string, Load>();
  /** Moves on every clear(): a read under way when it happened is used once but not kept. */
  private generation = 0;
  private readonly now: () => number;

  constructor(
    private readonly db: Queryable,
    private readonly o: DailyClosesOptions,
  ) {
    this.now = o.now ?? Date.now;
  }

  /** Symbols held now. */
  get size(): number {
    return this.held.size;
  }

  /** Lets every held close go (after a refresh of the 1-day aggregate that may have rewritten some). */
  clear(): void {
    this.held.clear();
    this.loading.clear();
    this.generation++;
  }

  /**
   * The closes closeSeries and closesBefore would read below `daily`'s watermark, for a range
   * starting at `from`: needs `from` − 1 day below the watermark (the caller checks), so that the
   * close before the range is a materialised one too. Symbols not held, held under an older
   * watermark, too long or not far enough back are read in one statement.
   */
  async read(daily: Materialization, symbols: readonly string[], from: number, to: number): Promise<DailyClosesRead> {
    const dayBefore = from - DAY_MS;
    if (dayBefore >= daily.watermark) throw new Error('the range starts above the 1-day watermark');
    const entries = await this.entries(daily, symbols, dayBefore);
    const end = Math.min(to, daily.watermark);
    const series: CloseSeries[] = [];
    const before = new Map<string, number>();
    for (const symbol of symbols) {
      const { run } = entries.get(symbol)!;
      const first = firstAtOrAbove(run.times, from);
      const last = firstAtOrAbove(run.times, end);
      if (last > first) {
        series.push({ symbol, times: run.times.slice(first, last), closes: run.closes.slice(first, last) });
      }
      const previous = firstAtOrAbove(run.times, dayBefore + 1) - 1;
      const close = previous >= 0 ? run.closes[previous] : run.before;
      if (close !== undefined) before.set(symbol, close);
    }
    return { series, before };
  }

  /** Usable entries for every symbol, reading the missing ones (or waiting for a read under way). */
  private async entries(daily: Materialization, symbols: readonly string[], dayBefore: number) {
    const now = this.now();
    const out = new Map<string, Held>();
    const waits = new Set<Promise<Map<string, Held>>>();
    const missing: string[] = [];
    for (const symbol of symbols) {
      const held = this.held.get(symbol);
      if (
        held &&
        held.watermark === daily.watermark &&
        now - held.loadedAt < this.o.maxAgeMs &&
        held.from <= dayBefore
      ) {
        // Read again: last to be let go.
        this.held.delete(symbol);
        this.held.set(symbol, held);
        out.set(symbol, held);
        continue;
      }
      const load = this.loading.get(symbol);
      if (load && load.watermark === daily.watermark && load.from <= dayBefore) waits.add(load.done);
      else missing.push(symbol);
    }
    // A day-aligned start covers this range and any other starting the same day.
    if (missing.length) waits.add(this.load(daily, missing, Math.floor(dayBefore / DAY_MS) * DAY_MS, now));
    for (const loaded of await Promise.all(waits)) {
      for (const symbol of symbols) {
        const held = loaded.get(symbol);
        if (held && !out.has(symbol)) out.set(symbol, held);
      }
    }
    return out;
  }

  private load(daily: Materialization, symbols: string[], from: number, now: number): Promise<Map<string, Held>> {
    const { watermark } = daily;
    const generation = this.generation;
    const done = materializedDailyRuns(this.db, daily, symbols, new Date(from), new Date(watermark))
      .then((runs) => {
        const loaded = new Map<string, Held>();
        for (const symbol of symbols) {
          const held = { watermark, loadedAt: now, from, run: runs.get(symbol) ?? EMPTY_RUN };
          loaded.set(symbol, held);
          if (generation === this.generation) this.keep(symbol, held);
        }
        return loaded;
      })
      .finally(() => {
        for (const symbol of symbols) if (this.loading.get(symbol)?.done === done) this.loading.delete(symbol);
      });
    for (const symbol of symbols) this.loading.set(symbol, { watermark, from, done });
    return done;
  }

  private keep(symbol: string, held: Held): void {
    this.held.delete(symbol);
    this.held.set(symbol, held);
    // Maps iterate in insertion order: the first key is the least recently read.
    while (this.held.size > this.o.maxSymbols) this.held.delete(this.held.keys().next().value!);
  }
}

const EMPTY_RUN: DailyCloseRun = { before: undefined, times: [], closes: [] };
