// What the orchestrator can ask of a client fleet process (clients.ts), and what it answers.
import type { HistogramData } from './histogram.js';
import type { Transport } from './links.js';

/** Load sockets receive the measured deltas; idle sockets only exist, for memory per connection. */
export type Group = 'load' | 'idle';

export interface SocketPlan {
  portfolio: number;
  /** Whose token opens the socket (product only; the floor takes anyone). */
  username?: string;
  /** This socket writes every frame it gets during the window to the capture file (one per portfolio). */
  record?: boolean;
  /** Held by the probe process rather than the load fleet (fleet.ts). */
  probe?: boolean;
}

export interface ConnectArgs {
  group: Group;
  wsUrl: string;
  /** How to connect: `ws` (the product's protocol; the default) or socket.io-client (the peer). */
  transport?: Transport;
  /** Log in over HTTP once per user before opening sockets (the product). */
  login?: { baseUrl: string; password: string };
  /** Session tokens by username, when the orchestrator logged the users in (the peer). */
  tokens?: Record<string, string>;
  sockets: SocketPlan[];
  /** Upgrades in flight at once. */
  concurrency: number;
}

export interface ConnectResult {
  opened: number;
  failed: number;
  firstError?: string;
  seconds: number;
}

export interface WindowArgs {
  /** Where recording sockets write the frames they got (replayed later by the floor). */
  captureFile?: string;
  /** Record tickTime-to-receipt latency (only meaningful when tickTime was stamped for this run). */
  latency: boolean;
  /** The frames' sequences start over in this window (a replay): forget the last seq seen. */
  restartSequences?: boolean;
}

export interface WindowStats {
  seconds: number;
  /** Deltas received by load sockets inside the window. */
  delivered: number;
  latency: HistogramData;
  /** Frames captured by recording sockets: the deltas the server published, once per portfolio. */
  captured: number;
  /** Since the sockets opened (not only in the window): must stay zero. */
  gaps: number;
  /** Snapshots after the first one (backpressure catch-ups or repairs). */
  resyncs: number;
  errors: number;
  firstError?: string;
  unexpectedCloses: number;
  /** CPU seconds the fleet process itself spent in the window (to see whether it kept up). */
  fleetCpu: { user: number; system: number };
}

export type FleetApi = {
  connect(a: ConnectArgs): Promise<ConnectResult>;
  startWindow(a: WindowArgs): void;
  stopWindow(a: Record<string, never>): WindowStats;
  close(a: { group: Group }): Promise<void>;
};
