// The last few deltas of one portfolio, already serialised, so a client that reconnects with
// {epoch, seq} gets exactly the frames it missed instead of a whole snapshot.
export class DeltaRing {
  private readonly frames: string[];
  private readonly seqs: number[];
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.frames = new Array<string>(capacity);
    this.seqs = new Array<number>(capacity);
  }

  push(seq: number, frame: string): void {
    if (this.capacity === 0) return; // resume disabled
    this.frames[this.next] = frame;
    this.seqs[this.next] = seq;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /**
   * The frames after `seq` up to `latest`, in order, or undefined when the ring no longer holds
   * all of them (the client then needs a snapshot).
   */
  after(seq: number, latest: number): string[] | undefined {
    const missing = latest - seq;
    if (missing < 0) return undefined;
    if (missing === 0) return [];
    if (missing > this.count) return undefined;
    const out: string[] = [];
    for (let i = missing; i >= 1; i--) {
      const slot = (this.next - i + this.capacity) % this.capacity;
      if (this.seqs[slot] !== latest - i + 1) return undefined;
      out.push(this.frames[slot]!);
    }
    return out;
  }
}
