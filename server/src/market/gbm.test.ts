import { describe, expect, it } from 'vitest';
import { gbmStep, roundToTickSize, TRADING_SECONDS_PER_YEAR } from './gbm.js';
import { createRandom } from './random.js';

describe('gbmStep', () => {
  it('grows by exp(mu·dt) with no volatility', () => {
    // e^0.07 = 1.0725081812542165..., e^0.035 = 1.0356197088...
    expect(gbmStep(100, 0.07, 0, 1, 0)).toBeCloseTo(107.2508181254, 9);
    expect(gbmStep(100, 0.07, 0, 0.5, 0)).toBeCloseTo(103.56197088, 7);
    // With sigma = 0 the draw has no effect.
    expect(gbmStep(100, 0.07, 0, 1, 2.5)).toBeCloseTo(107.2508181254, 9);
  });

  it('drifts by mu − sigma²/2 with a zero draw and moves by sigma·sqrt(dt) per unit of draw', () => {
    // mu = 0.07, sigma = 0.2: (0.07 − 0.02)·1 = 0.05 → e^0.05 = 1.0512710963760241
    expect(gbmStep(100, 0.07, 0.2, 1, 0)).toBeCloseTo(105.1271096376, 9);
    // z = 1 adds 0.2: e^0.25 = 1.2840254166877414
    expect(gbmStep(100, 0.07, 0.2, 1, 1)).toBeCloseTo(128.4025416688, 9);
    // dt = 0.25: 0.05·0.25 + 0.2·0.5·(−1) = −0.0875 → e^−0.0875 = 0.91621887...
    expect(gbmStep(100, 0.07, 0.2, 0.25, -1)).toBeCloseTo(91.621887, 5);
  });

  it('keeps the price unchanged over no time', () => {
    expect(gbmStep(191.23, 0.07, 0.3, 0, 3)).toBe(191.23);
  });

  it('stays positive even for extreme draws', () => {
    expect(gbmStep(1, 0.07, 2, 1, -30)).toBeGreaterThan(0);
  });

  it('counts a trading year as 252 sessions of 6.5 hours', () => {
    expect(TRADING_SECONDS_PER_YEAR).toBe(5_896_800);
  });
});

describe('createRandom', () => {
  it('repeats the same sequence for the same seed', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const draw = (r: typeof a) => [r.next(), r.normal(), r.normal(), r.normal(), r.int(1, 6), r.next()];
    expect(draw(a)).toEqual(draw(b));
  });

  it('gives a different sequence for a different seed', () => {
    const a = createRandom(1);
    const b = createRandom(2);
    expect(Array.from({ length: 5 }, () => a.next())).not.toEqual(Array.from({ length: 5 }, () => b.next()));
  });

  it('draws uniforms in [0, 1) and integers within both bounds', () => {
    const r = createRandom(7);
    const seen = new Set<number>();
    let outside = 0;
    for (let i = 0; i < 10_000; i++) {
      const u = r.next();
      if (!(u >= 0 && u < 1)) outside++;
      seen.add(r.int(1, 6));
    }
    expect(outside).toBe(0);
    expect([...seen].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('draws standard normals: mean ≈ 0 and variance ≈ 1 over 100k draws', () => {
    // The standard error of the mean is 1/√100000 ≈ 0.0032 and of the variance √(2/100000) ≈ 0.0045;
    // the tolerances are more than 6 of each, and the seed is fixed, so this cannot flake.
    const r = createRandom(20_251_125);
    const n = 100_000;
    let sum = 0;
    let sumSquares = 0;
    let beyond3 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      sum += z;
      sumSquares += z * z;
      if (Math.abs(z) > 3) beyond3++;
    }
    expect(Number.isFinite(sumSquares)).toBe(true);
    const mean = sum / n;
    const variance = sumSquares / n - mean * mean;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
    // A normal puts 0.27 % beyond 3σ: about 270 of 100k.
    expect(beyond3).toBeGreaterThan(150);
    expect(beyond3).toBeLessThan(400);
  });
});

describe('roundToTickSize', () => {
  it('rounds to cents from one dollar up', () => {
    expect(roundToTickSize(191.2345)).toBe(191.23);
    expect(roundToTickSize(191.2367)).toBe(191.24);
    expect(roundToTickSize(1)).toBe(1);
    expect(roundToTickSize(1.00001)).toBe(1);
    expect(roundToTickSize(4321.9999)).toBe(4322);
  });

  it('rounds to hundredths of a cent below one dollar', () => {
    expect(roundToTickSize(0.123456)).toBe(0.1235);
    expect(roundToTickSize(0.99994)).toBe(0.9999);
    expect(roundToTickSize(0.5)).toBe(0.5);
    expect(roundToTickSize(0.00012)).toBe(0.0001);
  });

  it('never rounds a price to 0', () => {
    expect(roundToTickSize(0.00004)).toBe(0.0001);
    expect(roundToTickSize(1e-12)).toBe(0.0001);
  });

  it('keeps any simulated price on the tick grid and within half a tick (seeded)', () => {
    const r = createRandom(99);
    const offGrid: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      // Prices from 10^-6 to 10^4, evenly spread over the orders of magnitude.
      const price = 10 ** (r.next() * 10 - 6);
      const rounded = roundToTickSize(price);
      const places = price >= 1 ? 2 : 4;
      const tick = price >= 1 ? 0.01 : 0.0001;
      const [, fraction = ''] = String(rounded).split('.');
      const near = rounded > tick ? Math.abs(rounded - price) <= tick / 2 + 1e-12 : price < tick * 1.5;
      if (!(rounded > 0) || fraction.length > places || !near) offGrid.push(`${price} → ${rounded}`);
    }
    expect(offGrid).toEqual([]);
  });
});
