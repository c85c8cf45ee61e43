// The WebSocket endpoint: authenticates (on upgrade, or by a first auth frame), parses client
// frames within a budget, authorises each subscription against the database, sends snapshots or
// replays on resume, and keeps slow readers from growing memory. Deltas arrive through topics.
import type { TemplatedApp, WebSocket } from 'uWebSockets.js';
import { tokenFrom, type Sessions } from '../auth/sessions.js';
import type { Queryable } from '../db/database.js';
import { statusLine } from '../http/routes.js';
import type { Logger } from '../log.js';
import { MAX_PORTFOLIOS_PER_FRAME, parseClientFrame, type ResumePoint } from '../protocol/client-frames.js';
import { errorFrame, helloFrame, pongFrame, type ErrorCode } from '../protocol/server-frames.js';
import { findPortfolio } from '../store/portfolios.js';
import { findUserById } from '../store/users.js';
import { FRAME_RULE, fullBucket, MISTAKE_RULE, take, type Bucket } from './frame-budget.js';
import { portfolioTopic, type PortfolioFeed } from './portfolio-feed.js';
import { SlowReaders } from './slow-readers.js';
import { userTopic } from './user-notices.js';

export interface Follower {
  user: { id: number; username: string } | null;
  /** Portfolios this socket receives. */
  portfolios: Set<number>;
  /** Subscriptions being authorised and loaded. */
  pending: Set<number>;
  closed: boolean;
  /** Behind on reading: off the topics until it drains, then one catch-up snapshot each. */
  lagging: boolean;
  frames: Bucket;
  mistakes: Bucket;
  authDeadline?: NodeJS.Timeout;
}

export interface SocketServerOptions {
  app: TemplatedApp;
  /** Browser origins besides the server's own that may open a socket. */
  allowedOrigins: readonly string[];
  db: Queryable;
  sessions: Sessions;
  feed: PortfolioFeed;
  log: Logger;
}

/** uWS closes (code 1009) past this; smaller oversize frames get a FRAME_TOO_LARGE error frame. */
const MAX_PAYLOAD_BYTES = 16 * 1024;
const IDLE_TIMEOUT_SECONDS = 60;
/** Hard cap on one socket's send buffer: uWS drops frames past it (the catch-up repairs that). */
export const MAX_BUFFERED_BYTES = 1024 * 1024;
/** A socket that does not authenticate within this long after an anonymous upgrade is closed. */
const AUTH_DEADLINE_MS = 10_000;
export const GOING_AWAY = 1001;
export const POLICY_VIOLATION = 1008;
export const UNAUTHORIZED = 4401;

export interface SocketServer {
  readonly connections: number;
  readonly slowReaders: SlowReaders<Follower>;
  /** Closes every socket with 1001 so clients know to reconnect elsewhere or later. */
  closeAll(reason: string): void;
}

export function registerSocketServer({
  app,
  allowedOrigins,
  db,
  sessions,
  feed,
  log,
}: SocketServerOptions): SocketServer {
  const open = new Set<WebSocket<Follower>>();
  const slowReaders = new SlowReaders(open, {
    stopDeltas(ws) {
      for (const id of ws.getUserData().portfolios) ws.unsubscribe(portfolioTopic(id));
    },
    catchUp(ws) {
      // One snapshot per portfolio is the merge of everything it missed; topic joined in the same step.
      ws.cork(() => {
        for (const id of ws.getUserData().portfolios) {
          ws.send(feed.snapshot(id));
          ws.subscribe(portfolioTopic(id));
        }
      });
    },
  });

  app.ws<Follower>('/ws', {
    maxPayloadLength: MAX_PAYLOAD_BYTES,
    idleTimeout: IDLE_TIMEOUT_SECONDS,
    maxBackpressure: MAX_BUFFERED_BYTES,
    sendPingsAutomatically: true,

    upgrade(res, req, context) {
      const headers = { authorization: req.getHeader('authorization'), cookie: req.getHeader('cookie') };
      const key = req.getHeader('sec-websocket-key');
      const protocol = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      // Cross-site WebSocket hijacking: a page elsewhere could open a socket with the trader's
      // cookie. Browsers always send Origin; scripts without one must present a token anyway.
      if (!originAllowed(req.getHeader('origin'), req.getHeader('host'), allowedOrigins)) {
        res.writeStatus(statusLine(403)).writeHeader('Content-Type', 'text/plain').end('origin not allowed');
        return;
      }
      let aborted = false;
      res.onAborted(() => (aborted = true));
      const token = tokenFrom(headers);
      // No credentials: accepted, but nothing is served until an auth frame arrives.
      const identify = token ? authenticate(token) : Promise.resolve(null);
      identify.then(
        (user) => {
          if (aborted) return;
          res.cork(() => {
            if (user === undefined) {
              res.writeStatus(statusLine(401)).writeHeader('Content-Type', 'text/plain').end('log in first');
              return;
            }
            const now = Date.now();
            const data: Follower = {
              user,
              portfolios: new Set(),
              pending: new Set(),
              closed: false,
              lagging: false,
              frames: fullBucket(FRAME_RULE, now),
              mistakes: fullBucket(MISTAKE_RULE, now),
            };
            res.upgrade(data, key, protocol, extensions, context);
          });
        },
        (err) => {
          log.error({ err }, 'socket authentication failed');
          if (!aborted) res.cork(() => res.writeStatus(statusLine(503)).end());
        },
      );
    },

    open(ws) {
      open.add(ws);
      const follower = ws.getUserData();
      ws.send(helloFrame(follower.user));
      if (follower.user) ws.subscribe(userTopic(follower.user.id));
      else {
        follower.authDeadline = setTimeout(() => {
          if (!follower.closed && !follower.user) ws.end(UNAUTHORIZED, 'authenticate first');
        }, AUTH_DEADLINE_MS);
      }
    },

    message(ws, data, isBinary) {
      const follower = ws.getUserData();
      const now = Date.now();
      if (!take(follower.frames, FRAME_RULE, now)) return refuse(ws, 'RATE_LIMITED', 'too many frames, slow down');
      const parsed = parseClientFrame(data, isBinary);
      if (!parsed.ok) return refuse(ws, parsed.code, parsed.message);
      const frame = parsed.frame;
      if (frame.op === 'ping') return void ws.send(pongFrame(now));
      if (frame.op === 'auth') return void authorise(ws, frame.token);
      if (!follower.user) return refuse(ws, 'UNAUTHENTICATED', 'send {"op":"auth","token":...} first');
      if (frame.op === 'subscribe') {
        for (const id of frame.portfolios) void subscribe(ws, id, frame.resume?.[id]);
      } else {
        for (const id of frame.portfolios) unsubscribe(ws, id);
      }
    },

    drain(ws) {
      slowReaders.drained(ws);
    },

    close(ws) {
      const follower = ws.getUserData();
      follower.closed = true;
      clearTimeout(follower.authDeadline);
      open.delete(ws);
      for (const id of follower.portfolios) feed.unfollow(id);
      follower.portfolios.clear();
      follower.pending.clear();
    },
  });

  async function authenticate(token: string): Promise<{ id: number; username: string } | undefined> {
    const userId = await sessions.lookup(token);
    if (userId === undefined) return undefined;
    const user = await findUserById(db, userId);
    return user && { id: user.id, username: user.username };
  }

  /** An error frame, charged to the mistake budget; a client that keeps erring is disconnected. */
  function refuse(ws: WebSocket<Follower>, code: ErrorCode, message: string, portfolio?: number): void {
    const follower = ws.getUserData();
    if (follower.closed) return;
    if (!take(follower.mistakes, MISTAKE_RULE, Date.now())) {
      ws.end(POLICY_VIOLATION, 'too many bad frames');
      return;
    }
    ws.send(errorFrame(code, message, portfolio));
  }

  async function authorise(ws: WebSocket<Follower>, token: string): Promise<void> {
    const follower = ws.getUserData();
    if (follower.user) return void ws.send(helloFrame(follower.user));
    let user: { id: number; username: string } | undefined;
    try {
      user = await authenticate(token);
    } catch (err) {
      log.error({ err }, 'socket authentication failed');
    }
    if (follower.closed) return;
    if (!user) {
      ws.send(errorFrame('UNAUTHENTICATED', 'unknown or expired session'));
      ws.end(UNAUTHORIZED, 'unknown or expired session');
      return;
    }
    follower.user = user;
    clearTimeout(follower.authDeadline);
    ws.send(helloFrame(user));
    ws.subscribe(userTopic(user.id));
  }

  async function subscribe(ws: WebSocket<Follower>, id: number, resume: ResumePoint | undefined): Promise<void> {
    const follower = ws.getUserData();
    if (follower.portfolios.has(id)) {
      if (!follower.lagging) ws.send(feed.snapshot(id)); // a repeated subscribe asks for a fresh snapshot
      return;
    }
    if (follower.pending.has(id)) return;
    if (follower.portfolios.size + follower.pending.size >= MAX_PORTFOLIOS_PER_FRAME) {
      return refuse(ws, 'BAD_ARGUMENT', `a socket may follow at most ${MAX_PORTFOLIOS_PER_FRAME} portfolios`, id);
    }
    follower.pending.add(id);
    try {
      const owned = await findPortfolio(db, follower.user!.id, id);
      if (!owned) throw new NotYours();
      await feed.follow(id);
    } catch (err) {
      const wanted = follower.pending.delete(id) && !follower.closed;
      if (!wanted) return;
      if (err instanceof NotYours) return refuse(ws, 'NOT_FOUND', 'no such portfolio', id);
      log.error({ err, portfolio: id }, 'subscribe failed');
      ws.send(errorFrame('INTERNAL', 'could not open the portfolio, try again', id));
      return;
    }
    // The socket may have closed or unsubscribed while the portfolio loaded.
    if (!follower.pending.delete(id) || follower.closed) {
      feed.unfollow(id);
      return;
    }
    follower.portfolios.add(id);
    if (follower.lagging) return; // its catch-up will include this portfolio
    // Replay or snapshot, and the topic, in one synchronous step: the next delta is seq + 1.
    const missed = resume && feed.replay(id, resume);
    ws.cork(() => {
      if (missed) for (const frame of missed) ws.send(frame);
      else ws.send(feed.snapshot(id));
      ws.subscribe(portfolioTopic(id));
    });
  }

  function unsubscribe(ws: WebSocket<Follower>, id: number): void {
    const follower = ws.getUserData();
    if (follower.pending.delete(id)) return; // subscribe() sees it gone and lets go itself
    if (!follower.portfolios.delete(id)) return;
    ws.unsubscribe(portfolioTopic(id));
    feed.unfollow(id);
  }

  return {
    get connections() {
      return open.size;
    },
    slowReaders,
    closeAll(reason) {
      slowReaders.stop();
      for (const ws of [...open]) ws.end(GOING_AWAY, reason);
    },
  };
}

class NotYours extends Error {}

/** Same origin as the host the client asked for, one of the configured origins, or no Origin at all. */
export function originAllowed(origin: string, host: string, allowed: readonly string[]): boolean {
  if (!origin) return true;
  const o = origin.toLowerCase();
  if (allowed.includes(o)) return true;
  try {
    return new URL(o).host === host.toLowerCase();
  } catch {
    return false;
  }
}
