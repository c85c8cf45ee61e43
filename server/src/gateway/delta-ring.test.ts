import { describe, expect, it } from 'vitest';
import { DeltaRing } from './delta-ring.js';

/** A ring holding the frames of seqs 1..last, each frame named after its seq. */
function ringUpTo(capacity: number, last: number): DeltaRing {
  const ring = new DeltaRing(capacity);
  for (let seq = 1; seq <= last; seq++) ring.push(seq, `d${seq}`);
  return ring;
}

describe('DeltaRing', () => {
  it('replays the frames after a seq, oldest first, while the ring still holds them', () => {
    const ring = ringUpTo(4, 3);
    expect(ring.after(1, 3)).toEqual(['d2', 'd3']);
    expect(ring.after(0, 3)).toEqual(['d1', 'd2', 'd3']);
  });

  it('replays across the wrap-around once older frames were overwritten', () => {
    const ring = ringUpTo(4, 10); // holds 7..10
    expect(ring.after(8, 10)).toEqual(['d9', 'd10']);
  });

  it('replays exactly a full ring of missed frames', () => {
    const ring = ringUpTo(4, 10);
    expect(ring.after(6, 10)).toEqual(['d7', 'd8', 'd9', 'd10']);
  });

  it('gives up on a client that missed more frames than the ring holds', () => {
    expect(ringUpTo(4, 10).after(5, 10)).toBeUndefined();
    expect(ringUpTo(4, 10).after(0, 10)).toBeUndefined();
    // Fewer frames pushed than the capacity: the ring holds only those.
    expect(ringUpTo(8, 3).after(0, 4)).toBeUndefined();
  });

  it('gives up on a client that claims a seq ahead of the latest', () => {
    expect(ringUpTo(4, 3).after(4, 3)).toBeUndefined();
  });

  it('has nothing to replay for a client already at the latest seq', () => {
    expect(ringUpTo(4, 3).after(3, 3)).toEqual([]);
    expect(new DeltaRing(4).after(0, 0)).toEqual([]);
  });

  it('refuses to replay when the frames it holds are not the seqs asked for', () => {
    // The ring was filled up to seq 3, but the caller says the latest is 4: a frame is missing.
    expect(ringUpTo(4, 3).after(2, 4)).toBeUndefined();
  });
});
