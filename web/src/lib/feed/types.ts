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

/** A user notice: one of the trader's background jobs (an export) changed; docs/jobs.md. */
export interface JobFrame {
  type: 'job';
  v: 1;
  id: string;
  kind: string;
  portfolio: PortfolioId;
  status: 'queued' | 'running' | 'retrying' | 'done' | 'failed';
  /** 0 to 100. */
  progress: number;
  /** The last failed attempt's reason. */
  error: string | null;
  /** Once done: where to download it (same origin, session cookie). */
  file: { name: string; contentType: string; size: number; url: string } | null;
}

/** A user notice: one of the trader's alerts fired; docs/alerts.md. */
export interface AlertFrame {
  type: 'alert';
  v: 1;
  /** The alert's id. */
  alert: number;
  /** The stored firing's id (GET /api/v1/alerts/fired). */
  firing: number;
  kind: 'price' | 'day-move' | 'portfolio-value' | 'day-pnl' | 'drift';
  description: string;
  /** The watched number that crossed: price, percent, amount or points by kind. */
  value: number;
  /** Exchange time of the tick that carried it. */
  time: number;
}

export type PortfolioFrame = SnapshotFrame | DeltaFrame;

/** Frames for the trader rather than one portfolio (docs/protocol.md, User notices). */
export type NoticeFrame = JobFrame | AlertFrame;

export type ServerFrame = HelloFrame | SnapshotFrame | DeltaFrame | PongFrame | ErrorFrame | JobFrame | AlertFrame;

/** Close code the server uses on shutdown; clients reconnect with backoff. */
export const CLOSE_GOING_AWAY = 1001;
