// Backpressure: a socket whose unread bytes pass SLOW_BYTES stops receiving deltas (it leaves its
// topics, so publishing to everyone else costs nothing extra); once it drains below CAUGHT_UP_BYTES
// it gets one catch-up per portfolio and rejoins. Between sweeps uWS's own cap (maxBackpressure)
// bounds its memory. A slow client never slows the others and never grows the server.
import type { WebSocket } from 'uWebSockets.js';

export const SLOW_BYTES = 256 * 1024;
export const CAUGHT_UP_BYTES = 16 * 1024;
const SWEEP_EVERY_MS = 100;

interface Lagging {
  lagging: boolean;
  closed: boolean;
}

export interface SlowReaderActions<T> {
  stopDeltas(ws: WebSocket<T>): void;
  catchUp(ws: WebSocket<T>): void;
}

export class SlowReaders<T extends Lagging = Lagging> {
  private readonly timer: NodeJS.Timeout;
  /** Sockets that fell behind, and catch-ups sent, since start. */
  readonly stats = { fellBehind: 0, caughtUp: 0, lagging: 0, maxBufferedSeen: 0 };

  constructor(
    private readonly sockets: Set<WebSocket<T>>,
    private readonly actions: SlowReaderActions<T>,
  ) {
    this.timer = setInterval(() => this.sweep(), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  /** uWS says this socket's buffer went down. */
  drained(ws: WebSocket<T>): void {
    const state = ws.getUserData();
    if (state.lagging && !state.closed && ws.getBufferedAmount() < CAUGHT_UP_BYTES) this.resume(ws);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sweep(): void {
    let lagging = 0;
    for (const ws of this.sockets) {
      const state = ws.getUserData();
      const buffered = ws.getBufferedAmount();
      if (buffered > this.stats.maxBufferedSeen) this.stats.maxBufferedSeen = buffered;
      if (!state.lagging && buffered > SLOW_BYTES) {
        state.lagging = true;
        this.stats.fellBehind++;
        this.actions.stopDeltas(ws);
      } else if (state.lagging && buffered < CAUGHT_UP_BYTES) {
        // Drained without a drain event reaching us in time: catch up here.
        this.resume(ws);
      }
      if (state.lagging) lagging++;
    }
    this.stats.lagging = lagging;
  }

  private resume(ws: WebSocket<T>): void {
    ws.getUserData().lagging = false;
    this.stats.caughtUp++;
    this.actions.catchUp(ws);
  }
}
