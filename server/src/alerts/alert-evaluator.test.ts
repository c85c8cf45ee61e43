// The evaluator against an independent count of crossings. Each observation is put in a zone: past
// the level (P), back beyond the level by more than the band (B), or in between (N, noise). With the
// noise dropped and repeats merged, the path reads like B P B P ...; an alert fires once at the start
// of every P run that follows a B run, and an alert first seen already past its level waits for a B.
import { describe, expect, it } from 'vitest';
import { createRandom } from '../market/random.js';
import type { PortfolioDelta, PortfolioSnapshot } from '../engine/types.js';
import { AlertEvaluator, type ActiveAlert, type AlertEvent } from './alert-evaluator.js';
import type { AlertRule } from './rules.js';

const BP = 10;

type Zone = 'P' | 'B' | 'N';

/** The zone of `x` for "fire at or past `level` on `side`", re-arming beyond `band`. */
function zoneOf(x: number, side: 'above' | 'below', level: number, band: number): Zone {
  if (side === 'above') return x >= level ? 'P' : x < level - band ? 'B' : 'N';
  return x <= level ? 'P' : x > level + band ? 'B' : 'N';
}

/** Indexes of the observations that must fire. */
function expectedFires(zones: Zone[]): number[] {
  const fires: number[] = [];
  // First sight: not past the level counts as armed (a virtual B before the path).
  let last: Zone = zones[0] === 'P' ? 'P' : 'B';
  zones.forEach((z, i) => {
    if (z === 'N' || z === last) return;
    if (z === 'P' && i > 0) fires.push(i);
    last = z;
  });
  return fires;
}

function randomPath(seed: number, length: number, start: number, vol: number): number[] {
  const r = createRandom(seed);
  const path: number[] = [];
  let x = start;
  for (let i = 0; i < length; i++) {
    x *= Math.exp(vol * r.normal());
    // Ticks carry at most 6 decimals.
    path.push(Math.round(x * 1e6) / 1e6);
  }
  return path;
}

function evaluatorWith(
  alerts: { id: number; rule: AlertRule }[],
  prices: Map<string, number> = new Map(),
  closes: Map<string, number> = new Map(),
) {
  const events: AlertEvent[] = [];
  const ev = new AlertEvaluator(
    {
      price: (s) => (prices.has(s) ? { price: prices.get(s)!, time: 0 } : undefined),
      previousClose: (s) => closes.get(s),
    },
    BP,
    (e) => events.push(e),
  );
  for (const a of alerts) ev.add({ id: a.id, userId: 1, rule: a.rule, armed: null } satisfies ActiveAlert);
  return { ev, events, fired: () => events.filter((e) => e.type === 'fired') };
}

describe('price alerts', () => {
  it('fire once per crossing and never on noise inside the band, over random price paths', () => {
    let total = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const path = randomPath(seed, 1_500, 100, 0.0015);
      const level = 100 + (seed % 7) - 3 + (seed % 3) * 0.37;
      const side = seed % 2 ? 'above' : 'below';
      const band = (level * BP) / 10_000;
      const { ev, fired } = evaluatorWith([{ id: 1, rule: { kind: 'price', symbol: 'AAA', direction: side, level } }]);
      // Times are the observation indexes, so the firings name where they happened.
      path.forEach((price, i) => ev.priceChanged('AAA', price, i));
      const expected = expectedFires(path.map((x) => zoneOf(x, side, level, band)));
      expect(fired().map((e) => e.type === 'fired' && e.time)).toEqual(expected);
      expect(fired().map((e) => e.type === 'fired' && e.value)).toEqual(expected.map((i) => path[i]));
      total += expected.length;
    }
    // The paths do cross, often: the comparison above is not vacuous.
    expect(total).toBeGreaterThan(100);
  });

  it('keep firing exactly when they should with many levels on one symbol (only nearby ones checked)', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const r = createRandom(500 + seed);
      const path = randomPath(900 + seed, 2_000, 100, 0.003);
      const alerts = Array.from({ length: 60 }, (_, i) => ({
        id: i + 1,
        rule: {
          kind: 'price' as const,
          symbol: 'AAA',
          direction: r.next() < 0.5 ? ('above' as const) : ('below' as const),
          level: Math.round((90 + 20 * r.next()) * 100) / 100,
        },
      }));
      const { ev, fired } = evaluatorWith(alerts);
      // One alert leaves and comes back halfway: it starts again from first sight.
      path.forEach((price, i) => {
        if (i === 1_000) {
          ev.remove(7);
          ev.add({ id: 7, userId: 1, rule: alerts[6]!.rule, armed: null });
        }
        ev.priceChanged('AAA', price, i);
      });
      for (const a of alerts) {
        const band = (a.rule.level * BP) / 10_000;
        const zones = path.map((x) => zoneOf(x, a.rule.direction, a.rule.level, band));
        const expected =
          a.id === 7
            ? [
                ...expectedFires(zones.slice(0, 1_000)),
                // Its first sight after coming back is the tick at 1,000 (no price known when added).
                ...expectedFires(zones.slice(1_000)).map((k) => k + 1_000),
              ]
            : expectedFires(zones);
        const got = fired().flatMap((e) => (e.type === 'fired' && e.alert.id === a.id ? [e.time] : []));
        expect(got, `alert ${a.id}, seed ${seed}`).toEqual(expected);
      }
    }
  });

  it('ignore other symbols, and stop when removed', () => {
    const { ev, fired } = evaluatorWith([
      { id: 1, rule: { kind: 'price', symbol: 'AAA', direction: 'above', level: 10 } },
    ]);
    ev.priceChanged('AAA', 9, 1);
    ev.priceChanged('BBB', 11, 2);
    expect(fired()).toHaveLength(0);
    ev.priceChanged('AAA', 10, 3);
    expect(fired()).toHaveLength(1);
    ev.priceChanged('AAA', 9.995, 4); // inside the 0.01 band: still fired
    ev.priceChanged('AAA', 10.5, 5);
    expect(fired()).toHaveLength(1);
    ev.priceChanged('AAA', 9.989, 6); // past the band: re-armed
    ev.remove(1);
    ev.priceChanged('AAA', 11, 7);
    expect(fired()).toHaveLength(1);
    expect(ev.size).toBe(0);
  });

  it('check a new alert against the last price at once', () => {
    const prices = new Map([['AAA', 12]]);
    const { ev, events } = evaluatorWith([], prices);
    // Created beyond its level: waits for the price to come back first.
    ev.add({ id: 1, userId: 1, rule: { kind: 'price', symbol: 'AAA', direction: 'above', level: 10 }, armed: null });
    // Armed (it was stored so) and the crossing tick came before it was loaded: fires now.
    ev.add({ id: 2, userId: 1, rule: { kind: 'price', symbol: 'AAA', direction: 'above', level: 11 }, armed: true });
    expect(events.map((e) => [e.type, e.alert.id])).toEqual([
      ['armed', 1],
      ['fired', 2],
    ]);
    expect(events[0]).toMatchObject({ armed: false });
  });
});

describe('day move alerts', () => {
  it('fire on the move from the previous close, in the chosen direction or either', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const close = 50;
      const path = randomPath(1_000 + seed, 1_500, close, 0.002);
      const direction = (['up', 'down', 'either'] as const)[seed % 3]!;
      const percent = 1 + (seed % 4) * 0.5;
      const { ev, fired } = evaluatorWith(
        [{ id: 1, rule: { kind: 'day-move', symbol: 'AAA', direction, percent } }],
        new Map(),
        new Map([['AAA', close]]),
      );
      path.forEach((price, i) => ev.priceChanged('AAA', price, i));
      // Independently: the move in basis points, its size for "either", the level in basis points.
      const moves = path.map((p) => ((p - close) / close) * 10_000);
      const zones = moves.map((m) =>
        direction === 'up'
          ? zoneOf(m, 'above', percent * 100, BP)
          : direction === 'down'
            ? zoneOf(m, 'below', -percent * 100, BP)
            : zoneOf(Math.abs(m), 'above', percent * 100, BP),
      );
      const expected = expectedFires(zones);
      expect(fired().map((e) => e.type === 'fired' && e.time)).toEqual(expected);
      expect(fired().map((e) => e.type === 'fired' && e.value)).toEqual(
        expected.map((i) => Math.round(moves[i]!) / 100),
      );
    }
  });
});

/** A one-position-pair portfolio valued by the test, as snapshots and deltas would carry it. */
function portfolioFrames(values: number[], closeValue: number, drifts: (number | null)[]) {
  const snapshot: PortfolioSnapshot = {
    portfolio: 7,
    epoch: 'e',
    seq: 0,
    tickTime: 0,
    value: values[0]!,
    cost: 0,
    pnl: 0,
    dayChange: values[0]! - closeValue,
    dayChangePct: 0,
    positions: [
      {
        symbol: 'AAA',
        name: 'A',
        quantity: 1,
        price: 1,
        previousClose: 1,
        value: 0,
        cost: 0,
        pnl: 0,
        dayChange: 0,
        weight: 0,
        target: 0,
        drift: drifts[0]!,
      },
    ],
  };
  const deltas: PortfolioDelta[] = values.slice(1).map((value, k) => {
    const i = k + 1;
    const d: PortfolioDelta = { portfolio: 7, epoch: 'e', seq: i, tickTime: i, positions: {} };
    if (value !== values[i - 1]) {
      d.value = value;
      d.dayChange = value - closeValue;
    }
    if (drifts[i] !== drifts[i - 1] && drifts[i] !== null) d.positions.AAA = { drift: drifts[i]! };
    return d;
  });
  return { snapshot, deltas };
}

describe('portfolio alerts', () => {
  const cents = (path: number[]) => path.map((x) => Math.round(x * 100));

  it('value and day P&L fire once per crossing over random paths', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const values = cents(randomPath(2_000 + seed, 1_000, 100_000, 0.001));
      const closeValue = 10_000_000;
      const level = 100_000 + (seed % 5) * 100 - 200;
      const pnlLevel = (seed % 5) * 100 - 200;
      const side = seed % 2 ? 'above' : 'below';
      const { ev, fired } = evaluatorWith([
        { id: 1, rule: { kind: 'portfolio-value', portfolio: 7, direction: side, level } },
        { id: 2, rule: { kind: 'day-pnl', portfolio: 7, direction: side, level: pnlLevel } },
      ]);
      const { snapshot, deltas } = portfolioFrames(
        values,
        closeValue,
        values.map(() => null),
      );
      ev.portfolioOpened(snapshot);
      for (const d of deltas) ev.portfolioChanged(d);
      const valueZones = values.map((v) => zoneOf(v, side, level * 100, (level * 100 * BP) / 10_000));
      // Day P&L's band is a share of the value at the previous close.
      const pnlZones = values.map((v) => zoneOf(v - closeValue, side, pnlLevel * 100, (closeValue * BP) / 10_000));
      const times = (id: number) => fired().flatMap((e) => (e.type === 'fired' && e.alert.id === id ? [e.time] : []));
      expect(times(1)).toEqual(expectedFires(valueZones));
      expect(times(2)).toEqual(expectedFires(pnlZones));
    }
  });

  it('drift fires when the weight is N points from target either way, and not without a target', () => {
    const r = createRandom(99);
    const drifts: (number | null)[] = [0];
    for (let i = 1; i < 3_000; i++) drifts.push(Math.max(-900, Math.min(900, drifts[i - 1]! + r.int(-40, 40))));
    const { ev, fired } = evaluatorWith([{ id: 1, rule: { kind: 'drift', portfolio: 7, symbol: 'AAA', points: 2.5 } }]);
    const values = drifts.map(() => 100);
    const { snapshot, deltas } = portfolioFrames(values, 100, drifts);
    ev.portfolioOpened(snapshot);
    for (const d of deltas) ev.portfolioChanged(d);
    const expected = expectedFires(drifts.map((d) => zoneOf(Math.abs(d!), 'above', 250, BP)));
    expect(expected.length).toBeGreaterThan(5);
    expect(fired().map((e) => e.type === 'fired' && e.time)).toEqual(expected);

    const none = evaluatorWith([{ id: 2, rule: { kind: 'drift', portfolio: 7, symbol: 'AAA', points: 1 } }]);
    const noTarget = portfolioFrames([1, 1], 1, [null, null]);
    none.ev.portfolioOpened(noTarget.snapshot);
    expect(none.events).toHaveLength(0);
  });

  it('wait for the portfolio to be valued before the first check', () => {
    const { ev, events } = evaluatorWith([
      { id: 1, rule: { kind: 'portfolio-value', portfolio: 7, direction: 'above', level: 50 } },
    ]);
    ev.portfolioChanged({ portfolio: 7, epoch: 'e', seq: 1, tickTime: 1, positions: {}, value: 6_000 });
    expect(events).toHaveLength(0);
    expect(ev.watchesPortfolio(7)).toBe(true);
    ev.portfolioOpened(portfolioFrames([4_000], 4_000, [null]).snapshot);
    expect(events.map((e) => e.type)).toEqual(['armed']);
    ev.portfolioChanged({ portfolio: 7, epoch: 'e', seq: 2, tickTime: 2, positions: {}, value: 5_000 });
    expect(events.map((e) => e.type)).toEqual(['armed', 'fired']);
    expect(events[1]).toMatchObject({ value: 50, time: 2 });
  });
});
