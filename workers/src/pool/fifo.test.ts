import { describe, expect, it } from 'vitest';
import { Fifo } from './fifo.js';

describe('fifo', () => {
  it('hands items back in the order they came, across compactions', () => {
    const q = new Fifo<number>();
    const out: number[] = [];
    for (let i = 0; i < 100; i++) {
      q.push(i);
      if (i % 3 === 2) out.push(q.shift()!, q.shift()!);
    }
    expect(q.size).toBe(100 - out.length);
    out.push(...q.drain());
    expect(out).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(q.size).toBe(0);
    expect(q.shift()).toBeUndefined();
  });
});
