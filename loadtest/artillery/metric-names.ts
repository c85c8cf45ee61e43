// The names the processors report under and the summary reads back: one list, so the two agree.
export const WS = {
  connected: 'tickdash.ws.connected',
  snapshots: 'tickdash.ws.snapshots',
  /** Snapshots after a portfolio's first (a resubscribe or a backpressure catch-up). */
  resyncs: 'tickdash.ws.resyncs',
  deltas: 'tickdash.ws.deltas',
  gaps: 'tickdash.ws.gaps',
  errorFrames: 'tickdash.ws.error_frames',
  /** Frames that are not JSON: counted as errors. */
  unreadableFrames: 'tickdash.ws.unreadable_frames',
  /** Followed portfolios that never got a snapshot while the trader held the socket. */
  withoutSnapshot: 'tickdash.ws.portfolios_without_snapshot',
  /** Sockets the server closed (or that failed) before the trader was done. */
  closedEarly: 'tickdash.ws.closed_early',
  socketErrors: 'tickdash.ws.socket_errors',
  tickToClientMs: 'tickdash.ws.tick_to_client_ms',
  loginMs: 'tickdash.ws.login_ms',
} as const;

/** Error frames are also counted per code, under this prefix. */
export const errorFrameCode = (code: string) => `${WS.errorFrames}.${code}`;

export const HTTP = {
  /** Allocation updates skipped because the portfolio's holdings were never read. */
  noHoldings: 'tickdash.http.allocations_without_holdings',
} as const;
