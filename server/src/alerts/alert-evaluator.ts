// Checks alerts as the numbers they watch change. Alerts are indexed by symbol (price, day move)
// and by portfolio (value and day P&L together, drift by symbol), so a tick costs one map lookup
// for a symbol nobody watches and allocates nothing; a portfolio's alerts are checked only when its
// delta says one of their numbers moved. Each alert fires once per crossing (see crossing() in
// rules.ts). Plain TypeScript: no I/O, no clock; what happens is reported as events for the caller
// to store and send.
import type { PortfolioDelta, PortfolioSnapshot } from '../engine/types.js';
import { firstAtOrAbove } from '../sorted.js';
import { crossing, displayValue, isPast, isSymbolRule, triggerOf, type AlertRule, type Trigger } from './rules.js';

export interface ActiveAlert {
  id: number;
  userId: number;
  rule: AlertRule;
  /** The persisted hysteresis state; null when the alert has never been checked. */
  armed: boolean | null;
}

export type AlertEvent =
  /** Crossed the level: fire, and stay quiet until the number comes back past the band. */
  | { type: 'fired'; alert: ActiveAlert; value: number; time: number }
  /** Its hysteresis state changed without firing (re-armed, or first seen already past the level). */
  | { type: 'armed'; alert: ActiveAlert; armed: boolean };

export interface PriceSource {
  price(symbol: string): { price: number; time: number } | undefined;
  previousClose(symbol: string): number | undefined;
}

/**
 * One alert as the hot loop reads it: its trigger's fields flat on one object (built by one
 * function, so every watch has the same shape) and its state beside them. A check touches this
 * object only; with 100,000 alerts, chasing rule and trigger objects around the heap cost more
 * than the comparison itself.
 */
interface Watch extends Trigger {
  armed: boolean | null;
  /** 'day-move' needs the previous close; a drift watch its symbol. */
  kind: AlertRule['kind'];
  symbol: string;
  alert: ActiveAlert;
}

function watchOf(alert: ActiveAlert, hysteresisBp: number): Watch {
  const t = triggerOf(alert.rule, hysteresisBp);
  return {
    side: t.side,
    absolute: t.absolute,
    level: t.level,
    band: t.band,
    bandOfDayBase: t.bandOfDayBase,
    armed: alert.armed,
    kind: alert.rule.kind,
    symbol: 'symbol' in alert.rule ? alert.rule.symbol : '',
    alert: { ...alert },
  };
}

/**
 * One symbol's alerts. Price alerts are kept sorted by level: after each check an armed alert is
 * short of its level and a fired one within its band, so a move from `last` to a new price can only
 * change alerts whose level lies between the two prices, widened by the largest band. A tick looks
 * at those few instead of every alert on the symbol. Day moves depend on the previous close as well
 * (which a session close moves for every symbol at once), so they are all checked.
 */
interface SymbolWatches {
  /** Price alerts, by level. */
  prices: Watch[];
  levels: Float64Array;
  maxBand: number;
  /** The price every alert here was last checked at; NaN before the first. */
  last: number;
  moves: Watch[];
}

/** The numbers of one portfolio its alerts watch, as of its last snapshot or delta. */
interface PortfolioState {
  /** Value and day P&L alerts: checked when a delta carries new totals. */
  totals: Watch[];
  /** Drift alerts by symbol: checked when a delta carries that position's drift. */
  drifts: Map<string, Watch[]>;
  known: boolean;
  tickTime: number;
  value: number;
  dayChange: number;
  /** weight − target per symbol, in basis points; null without a target. */
  drift: Map<string, number | null>;
}

export class AlertEvaluator {
  private readonly bySymbol = new Map<string, SymbolWatches>();
  private readonly byPortfolio = new Map<number, PortfolioState>();
  private readonly byId = new Map<number, Watch>();

  constructor(
    private readonly prices: PriceSource,
    private readonly hysteresisBp: number,
    private readonly onEvent: (event: AlertEvent) => void,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  /** Portfolios with at least one alert: the evaluating process keeps these valued. */
  get watchedPortfolios(): IterableIterator<number> {
    return this.byPortfolio.keys();
  }

  watchesPortfolio(id: number): boolean {
    return this.byPortfolio.has(id);
  }

  /**
   * Starts watching; checks the alert at once against the number as known now, so an alert added
   * just after the crossing tick still fires, and a fresh alert learns which side it starts on.
   */
  add(alert: ActiveAlert): void {
    this.remove(alert.id);
    const watch = watchOf(alert, this.hysteresisBp);
    this.byId.set(alert.id, watch);
    const rule = alert.rule;
    if (isSymbolRule(rule)) {
      const quote = this.prices.price(rule.symbol);
      let w = this.bySymbol.get(rule.symbol);
      if (!w) {
        w = { prices: [], levels: new Float64Array(0), maxBand: 0, last: quote?.price ?? NaN, moves: [] };
        this.bySymbol.set(rule.symbol, w);
      }
      if (rule.kind === 'price') sortPrices(w, [...w.prices, watch]);
      else w.moves.push(watch);
      if (quote) this.checkSymbol(watch, quote.price, quote.time);
      return;
    }
    let state = this.byPortfolio.get(rule.portfolio);
    if (!state) {
      state = { totals: [], drifts: new Map(), known: false, tickTime: 0, value: 0, dayChange: 0, drift: new Map() };
      this.byPortfolio.set(rule.portfolio, state);
    }
    if (rule.kind === 'drift') pushTo(state.drifts, rule.symbol, watch);
    else state.totals.push(watch);
    if (state.known) this.checkPortfolio(state, watch, state.tickTime);
  }

  remove(id: number): void {
    const watch = this.byId.get(id);
    if (!watch) return;
    this.byId.delete(id);
    const rule = watch.alert.rule;
    if (isSymbolRule(rule)) {
      const w = this.bySymbol.get(rule.symbol)!;
      if (rule.kind === 'price')
        sortPrices(
          w,
          w.prices.filter((x) => x !== watch),
        );
      else w.moves = w.moves.filter((x) => x !== watch);
      if (w.prices.length === 0 && w.moves.length === 0) this.bySymbol.delete(rule.symbol);
      return;
    }
    const state = this.byPortfolio.get(rule.portfolio)!;
    if (rule.kind === 'drift') dropFrom(state.drifts, rule.symbol, watch);
    else state.totals = state.totals.filter((w) => w !== watch);
    if (state.totals.length === 0 && state.drifts.size === 0) this.byPortfolio.delete(rule.portfolio);
  }

  /** The tick path: a symbol's last price changed. */
  priceChanged(symbol: string, price: number, time: number): void {
    const w = this.bySymbol.get(symbol);
    if (w === undefined) return;
    const last = w.last;
    w.last = price;
    const prices = w.prices;
    if (prices.length > 0) {
      if (Number.isNaN(last)) {
        for (let i = 0; i < prices.length; i++) this.checkSymbol(prices[i]!, price, time);
      } else {
        // A hair wider than the bands, for the rounding of level − band.
        const margin = w.maxBand + 1e-9 * (Math.abs(price) + 1);
        const low = Math.min(last, price) - margin;
        const high = Math.max(last, price) + margin;
        const levels = w.levels;
        for (let i = firstAtOrAbove(levels, low); i < levels.length && levels[i]! <= high; i++)
          this.checkSymbol(prices[i]!, price, time);
      }
    }
    const moves = w.moves;
    for (let i = 0; i < moves.length; i++) this.checkSymbol(moves[i]!, price, time);
  }

  /** The portfolio was (re)valued from scratch: a first open, new holdings or new targets. */
  portfolioOpened(s: PortfolioSnapshot): void {
    const state = this.byPortfolio.get(s.portfolio);
    if (!state) return;
    state.known = true;
    state.tickTime = s.tickTime;
    state.value = s.value;
    state.dayChange = s.dayChange;
    state.drift.clear();
    for (const p of s.positions) state.drift.set(p.symbol, p.drift);
    for (const watch of state.totals) this.checkPortfolio(state, watch, s.tickTime);
    for (const list of state.drifts.values()) for (const watch of list) this.checkPortfolio(state, watch, s.tickTime);
  }

  /** The flush path: a delta of a valued portfolio; only alerts on numbers it carries are checked. */
  portfolioChanged(d: PortfolioDelta): void {
    const state = this.byPortfolio.get(d.portfolio);
    if (state === undefined || !state.known) return;
    const time = d.tickTime;
    state.tickTime = time;
    if (d.value !== undefined || d.dayChange !== undefined) {
      if (d.value !== undefined) state.value = d.value;
      if (d.dayChange !== undefined) state.dayChange = d.dayChange;
      const totals = state.totals;
      for (let i = 0; i < totals.length; i++) this.checkPortfolio(state, totals[i]!, time);
    }
    if (state.drifts.size === 0) return;
    for (const [symbol, list] of state.drifts) {
      const drift = d.positions[symbol]?.drift;
      if (drift === undefined) continue;
      state.drift.set(symbol, drift);
      for (let i = 0; i < list.length; i++) this.checkPortfolio(state, list[i]!, time);
    }
  }

  private checkSymbol(watch: Watch, price: number, time: number): void {
    let value = price;
    if (watch.kind === 'day-move') {
      const close = this.prices.previousClose(watch.symbol);
      if (close === undefined || close <= 0) return;
      value = ((price - close) / close) * 10_000;
    }
    this.observe(watch, value, watch.band, time);
  }

  private checkPortfolio(state: PortfolioState, watch: Watch, time: number): void {
    if (watch.kind === 'portfolio-value') return this.observe(watch, state.value, watch.band, time);
    if (watch.kind === 'day-pnl') {
      const band = (Math.abs(state.value - state.dayChange) * this.hysteresisBp) / 10_000;
      return this.observe(watch, state.dayChange, band, time);
    }
    const drift = state.drift.get(watch.symbol);
    // No target (any more): nothing to drift from.
    if (drift !== null && drift !== undefined) this.observe(watch, drift, watch.band, time);
  }

  private observe(watch: Watch, value: number, band: number, time: number): void {
    if (watch.armed === null) {
      // First sight: an alert created beyond its level waits for the number to come back first.
      watch.armed = watch.alert.armed = !isPast(watch, value);
      this.onEvent({ type: 'armed', alert: watch.alert, armed: watch.armed });
      return;
    }
    const step = crossing(watch, watch.armed, value, band);
    if (step === undefined) return;
    watch.armed = watch.alert.armed = step === 'rearm';
    if (step === 'fire')
      this.onEvent({ type: 'fired', alert: watch.alert, value: displayValue(watch.alert.rule, value), time });
    else this.onEvent({ type: 'armed', alert: watch.alert, armed: true });
  }
}

function sortPrices(w: SymbolWatches, prices: Watch[]): void {
  prices.sort((a, b) => a.level - b.level);
  w.prices = prices;
  w.levels = Float64Array.from(prices, (x) => x.level);
  w.maxBand = prices.reduce((max, x) => Math.max(max, x.band), 0);
}

function pushTo<K>(map: Map<K, Watch[]>, key: K, watch: Watch): void {
  const list = map.get(key);
  if (list) list.push(watch);
  else map.set(key, [watch]);
}

function dropFrom<K>(map: Map<K, Watch[]>, key: K, watch: Watch): void {
  const rest = map.get(key)!.filter((w) => w !== watch);
  if (rest.length) map.set(key, rest);
  else map.delete(key);
}
