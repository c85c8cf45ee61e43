// The socket frames of docs/protocol.md (version 1), exactly as they travel. This file and
// the server's `server/src/protocol/` are the only two places that know the wire format.

export type PortfolioId = number;

/** One holding as a snapshot carries it. Money is rounded to cents by the server. */
export interface Position {
  symbol: string;
  name: string;
  quantity: number;
  price: number;
  /** The previous session's close: the base of the day change. */
  previousClose: number;
  value: number;
  cost: number;
  pnl: number;
  dayChange: number;
  /** Percent of the portfolio's value, 2 decimals. */
  weight: number;
  /** Target allocation in percent, or null when none is set. */
  target: number | null;
  /** weight − target in percentage points, or null without a target. */
  drift: number | null;
}

/** The fields of one position that changed, as absolute new values (never increments). */
export type PositionChange = Partial<Omit<Position, 'symbol'>>;

// ── client → server ──────────────────────────────────────────────────────────

/** Where the client's copy of a portfolio stands; the server replays only what it missed. */
export interface ResumePoint {
  id: PortfolioId;
  epoch: string;
  seq: number;
}

export type ClientFrame =
  | { op: 'auth'; token: string }
  | { op: 'subscribe'; portfolios: (PortfolioId | ResumePoint)[] }
  | { op: 'unsubscribe'; portfolios: PortfolioId[] }
  | { op: 'ping' };

// ── server → client ──────────────────────────────────────────────────────────

export interface HelloFrame {
  type: 'hello';
  v: 1;
  /** null until the socket authenticates (browsers authenticate by cookie on upgrade). */
  user: { id: number; username: string } | null;
}

/** The whole state of one portfolio; `seq` restarts the count the deltas follow. */
export interface SnapshotFrame {
  type: 'snapshot';
  v: 1;
  portfolio: PortfolioId;
  epoch: string;
  seq: number;
  /** Exchange time (ms since the Unix epoch) of the newest tick reflected in the frame. */
  tickTime: number;
  value: number;
  cost: number;
  pnl: number;
  dayChange: number;
  /** Day change in percent of the value at the previous close. */
  dayChangePct: number;
  positions: Position[];
}

/** Only what changed since the previous frame of that portfolio; absent fields kept their value. */
export interface DeltaFrame {
  type: 'delta';
  v: 1;
  portfolio: PortfolioId;
  epoch: string;
  seq: number;
  tickTime: number;
  value?: number;
  cost?: number;
  pnl?: number;
  dayChange?: number;
  dayChangePct?: number;
  /** Keyed by symbol. */
  positions?: Record<string, PositionChange>;
}

export interface PongFrame {
  type: 'pong';
  v: 1;
  /** Server clock, ms since the Unix epoch. */
  time: number;
}

export type ErrorCode =
  | 'BAD_FRAME'
  | 'UNKNOWN_OP'
  | 'BAD_ARGUMENT'
  | 'FRAME_TOO_LARGE'
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'RATE_LIMITED'
  | 'INTERNAL';

/** The connection stays open after an error frame. */
export interface ErrorFrame {
  type: 'error';
  v: 1;
  code: ErrorCode;
  message: string;
  portfolio?: PortfolioId;
}

export type PortfolioFrame = SnapshotFrame | DeltaFrame;

export type ServerFrame = HelloFrame | SnapshotFrame | DeltaFrame | PongFrame | ErrorFrame;

/** Close code the server uses on shutdown; clients reconnect with backoff. */
export const CLOSE_GOING_AWAY = 1001;
