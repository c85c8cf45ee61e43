// What one trader's socket has seen of each portfolio it follows, checked against the protocol
// (docs/protocol.md, "Sequence, epoch and resume"): a snapshot anchors the portfolio at its
// (epoch, seq); every delta after it must carry the same epoch and exactly seq + 1. Plain code
// without I/O, so the load scenario's verdict rests on something tested on its own.

export type FrameVerdict =
  | { kind: 'snapshot'; first: boolean }
  | { kind: 'delta'; latencyMs: number; gap: Gap | undefined }
  | { kind: 'error'; code: string }
  | { kind: 'other' };

/** Why a delta does not follow the previous frame of its portfolio. */
export type Gap =
  | { reason: 'before-snapshot'; portfolio: number }
  | { reason: 'new-epoch'; portfolio: number; expected: string; got: string }
  | { reason: 'seq'; portfolio: number; expected: number; got: number };

interface Anchor {
  epoch: string;
  seq: number;
}

interface PortfolioFrame {
  type?: unknown;
  portfolio?: unknown;
  epoch?: unknown;
  seq?: unknown;
  tickTime?: unknown;
  code?: unknown;
}

export class FeedTracker {
  private readonly anchors = new Map<number, Anchor>();
  private readonly snapshotted = new Set<number>();

  /** Reads one server frame (already parsed) received at `now` (ms since the Unix epoch). */
  receive(frame: PortfolioFrame, now: number): FrameVerdict {
    switch (frame.type) {
      case 'snapshot': {
        const id = Number(frame.portfolio);
        const first = !this.snapshotted.has(id);
        this.snapshotted.add(id);
        // Later snapshots (a resubscribe, a backpressure catch-up) re-anchor: they are the repair.
        this.anchors.set(id, { epoch: String(frame.epoch), seq: Number(frame.seq) });
        return { kind: 'snapshot', first };
      }
      case 'delta': {
        const id = Number(frame.portfolio);
        const epoch = String(frame.epoch);
        const seq = Number(frame.seq);
        const latencyMs = now - Number(frame.tickTime);
        const anchor = this.anchors.get(id);
        this.anchors.set(id, { epoch, seq }); // count a gap once, then follow the new sequence
        if (!anchor) return { kind: 'delta', latencyMs, gap: { reason: 'before-snapshot', portfolio: id } };
        if (anchor.epoch !== epoch) {
          return {
            kind: 'delta',
            latencyMs,
            gap: { reason: 'new-epoch', portfolio: id, expected: anchor.epoch, got: epoch },
          };
        }
        if (seq !== anchor.seq + 1) {
          return {
            kind: 'delta',
            latencyMs,
            gap: { reason: 'seq', portfolio: id, expected: anchor.seq + 1, got: seq },
          };
        }
        return { kind: 'delta', latencyMs, gap: undefined };
      }
      case 'error':
        return { kind: 'error', code: String(frame.code) };
      default:
        // hello, pong, user notices: clients ignore types they do not know.
        return { kind: 'other' };
    }
  }

  /** The followed portfolios that never got their first snapshot. */
  withoutSnapshot(followed: readonly number[]): number[] {
    return followed.filter((id) => !this.snapshotted.has(id));
  }
}

export function describeGap(gap: Gap): string {
  switch (gap.reason) {
    case 'before-snapshot':
      return `portfolio ${gap.portfolio}: a delta before its snapshot`;
    case 'new-epoch':
      return `portfolio ${gap.portfolio}: epoch ${gap.got} without a snapshot (was ${gap.expected})`;
    case 'seq':
      return `portfolio ${gap.portfolio}: seq ${gap.got}, expected ${gap.expected}`;
  }
}
