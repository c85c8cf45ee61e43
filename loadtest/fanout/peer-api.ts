// What the orchestrator can ask of the Socket.IO peer server process (peer-socketio-server.ts), and
// the two events its clients and it exchange.

/** The event every server frame travels in; its payload is the product's frame text, unchanged. */
export const FRAME_EVENT = 'frame';
/** Client to server: an array of portfolio ids to follow. */
export const SUBSCRIBE_EVENT = 'subscribe';
export interface PeerWindow {
  /** Flushes and deltas of the peer's PortfolioFeed over the window. */
  flushes: number;
  deltas: number;
  /** Event-loop delay over the window, ms (perf_hooks, 10 ms resolution like the product's). */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

export type PeerApi = {
  /** Opens the database, reads the tick stream and listens on 127.0.0.1; `env` as the product gets it. */
  start(a: { env: Record<string, string> }): Promise<{ port: number }>;
  /** Logs the load users in (password checked, session created) as the product's login does. */
  login(a: { usernames: string[]; password: string }): Promise<Record<string, string>>;
  openWindow(a: Record<string, never>): void;
  closeWindow(a: Record<string, never>): PeerWindow;
  stop(a: Record<string, never>): Promise<void>;
};
