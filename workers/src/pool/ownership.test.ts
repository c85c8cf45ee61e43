import { describe, expect, it } from 'vitest';
import { buffersOf, takeOwnership } from './ownership.js';

describe('taking ownership of typed arrays', () => {
  it('moves every buffer: the caller is left with detached views, the pool with the data', () => {
    const values = Float64Array.of(1, 2, 3);
    const request = { series: { values, timestamps: Float64Array.of(10, 20, 30) }, riskFreeRate: 0.04 };
    const { value, transfers } = takeOwnership([request]);
    expect(values.length).toBe(0);
    expect(request.series.timestamps.byteLength).toBe(0);
    expect([...value[0]!.series.values]).toEqual([1, 2, 3]);
    expect(value[0]!.riskFreeRate).toBe(0.04);
    expect(transfers).toHaveLength(2);
    expect(transfers).toContain(value[0]!.series.values.buffer);
  });

  it('names a buffer shared by several views once, and keeps the views where they were', () => {
    const whole = new Float64Array(10).map((_, i) => i);
    const [a, b] = [whole.subarray(2, 5), whole.subarray(5, 8)];
    expect(buffersOf([a, b])).toHaveLength(1);
    const { value, transfers } = takeOwnership({ a, b });
    expect(transfers).toHaveLength(1);
    expect([...value.a]).toEqual([2, 3, 4]);
    expect([...value.b]).toEqual([5, 6, 7]);
  });

  it('leaves a SharedArrayBuffer shared', () => {
    const shared = new Float64Array(new SharedArrayBuffer(16));
    expect(buffersOf({ shared })).toEqual([]);
    takeOwnership({ shared }).value.shared[0] = 5;
    expect(shared[0]).toBe(5);
  });

  it('refuses a detached array rather than sending nothing', () => {
    const values = Float64Array.of(1);
    takeOwnership(values);
    expect(() => takeOwnership({ values })).toThrow(/detached/);
  });
});
