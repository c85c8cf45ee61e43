// A fixed-resolution latency histogram: recording is one array increment (cheap enough for every
// delta at 100k/s), histograms from several client processes merge by adding counts, and
// percentiles come out within one bucket (0.1 ms).
export const BUCKET_MS = 0.1;
const BUCKETS = 100_000; // 0 to 10 s; slower deliveries land in the last bucket (max stays exact)

export interface HistogramData {
  counts: Uint32Array;
  total: number;
  max: number;
}

export class LatencyHistogram implements HistogramData {
  counts = new Uint32Array(BUCKETS);
  total = 0;
  max = 0;

  record(ms: number): void {
    const v = ms < 0 ? 0 : ms;
    this.counts[Math.min(BUCKETS - 1, Math.floor(v / BUCKET_MS))]!++;
    this.total++;
    if (v > this.max) this.max = v;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.max = 0;
  }

  data(): HistogramData {
    return { counts: this.counts.slice(), total: this.total, max: this.max };
  }

  static merge(parts: readonly HistogramData[]): LatencyHistogram {
    const h = new LatencyHistogram();
    for (const p of parts) {
      for (let i = 0; i < BUCKETS; i++) h.counts[i]! += p.counts[i]!;
      h.total += p.total;
      h.max = Math.max(h.max, p.max);
    }
    return h;
  }

  /** The upper edge of the bucket holding the p-th percentile (0 < p <= 100), in ms. */
  percentile(p: number): number {
    if (this.total === 0) return NaN;
    const rank = Math.ceil((p / 100) * this.total);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(this.max, (i + 1) * BUCKET_MS);
    }
    return this.max;
  }
}
