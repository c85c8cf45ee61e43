// The WebSocket endpoint: authenticates the upgrade, parses client frames, authorises each
// subscription against the database, and sends snapshots; deltas arrive through topics.
import type { TemplatedApp, WebSocket } from 'uWebSockets.js';
import { tokenFrom, type Sessions } from '../auth/sessions.js';
import type { Queryable } from '../db/database.js';
import { statusLine } from '../http/routes.js';
import type { Logger } from '../log.js';
import { parseClientFrame, MAX_PORTFOLIOS_PER_FRAME } from '../protocol/client-frames.js';
import { errorFrame, helloFrame, pongFrame } from '../protocol/server-frames.js';
import { findPortfolio } from '../store/portfolios.js';
import { findUserById } from '../store/users.js';
import { portfolioTopic, type PortfolioFeed } from './portfolio-feed.js';

export interface Follower {
  userId: number;
  username: string;
  /** Portfolios this socket receives. */
  portfolios: Set<number>;
  /** Subscriptions being authorised and loaded. */
  pending: Set<number>;
  closed: boolean;
}

export interface SocketServerOptions {
  app: TemplatedApp;
  db: Queryable;
  sessions: Sessions;
  feed: PortfolioFeed;
  log: Logger;
}

/** uWS closes (code 1009) past this; smaller oversize frames get a FRAME_TOO_LARGE error frame. */
const MAX_PAYLOAD_BYTES = 16 * 1024;
const IDLE_TIMEOUT_SECONDS = 60;
/** Per-socket send buffer above which uWS stops queueing (the protocol issue adds catch-up). */
const MAX_BACKPRESSURE_BYTES = 1024 * 1024;
export const GOING_AWAY = 1001;

export interface SocketServer {
  readonly connections: number;
  /** Closes every socket with 1001 so clients know to reconnect elsewhere or later. */
  closeAll(reason: string): void;
}

export function registerSocketServer({ app, db, sessions, feed, log }: SocketServerOptions): SocketServer {
  const open = new Set<WebSocket<Follower>>();

  app.ws<Follower>('/ws', {
    maxPayloadLength: MAX_PAYLOAD_BYTES,
    idleTimeout: IDLE_TIMEOUT_SECONDS,
    maxBackpressure: MAX_BACKPRESSURE_BYTES,
    sendPingsAutomatically: true,

    upgrade(res, req, context) {
      const headers = { authorization: req.getHeader('authorization'), cookie: req.getHeader('cookie') };
      const key = req.getHeader('sec-websocket-key');
      const protocol = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      let aborted = false;
      res.onAborted(() => (aborted = true));
      authenticate(headers).then(
        (user) => {
          if (aborted) return;
          res.cork(() => {
            if (!user) {
              res.writeStatus(statusLine(401)).writeHeader('Content-Type', 'text/plain').end('log in first');
              return;
            }
            const data: Follower = {
              userId: user.id,
              username: user.username,
              portfolios: new Set(),
              pending: new Set(),
              closed: false,
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
      const { userId, username } = ws.getUserData();
      ws.send(helloFrame({ id: userId, username }));
    },

    message(ws, data, isBinary) {
      const parsed = parseClientFrame(data, isBinary);
      if (!parsed.ok) {
        ws.send(errorFrame(parsed.code, parsed.message));
        return;
      }
      const frame = parsed.frame;
      switch (frame.op) {
        case 'ping':
          ws.send(pongFrame(Date.now()));
          return;
        case 'subscribe':
          for (const id of frame.portfolios) void subscribe(ws, id);
          return;
        case 'unsubscribe':
          for (const id of frame.portfolios) unsubscribe(ws, id);
          return;
      }
    },

    close(ws) {
      const follower = ws.getUserData();
      follower.closed = true;
      open.delete(ws);
      for (const id of follower.portfolios) feed.unfollow(id);
      follower.portfolios.clear();
      follower.pending.clear();
    },
  });

  async function authenticate(headers: { authorization: string; cookie: string }) {
    const token = tokenFrom(headers);
    const userId = token ? await sessions.lookup(token) : undefined;
    return userId === undefined ? undefined : findUserById(db, userId);
  }

  async function subscribe(ws: WebSocket<Follower>, id: number): Promise<void> {
    const follower = ws.getUserData();
    if (follower.portfolios.has(id)) {
      ws.send(feed.snapshot(id)); // a repeated subscribe is how a client asks for a fresh snapshot
      return;
    }
    if (follower.pending.has(id)) return;
    if (follower.portfolios.size + follower.pending.size >= MAX_PORTFOLIOS_PER_FRAME) {
      ws.send(errorFrame('BAD_ARGUMENT', `a socket may follow at most ${MAX_PORTFOLIOS_PER_FRAME} portfolios`, id));
      return;
    }
    follower.pending.add(id);
    try {
      const owned = await findPortfolio(db, follower.userId, id);
      if (!owned) throw new NotYours();
      await feed.follow(id);
    } catch (err) {
      const wanted = follower.pending.delete(id) && !follower.closed;
      if (!wanted) return;
      if (err instanceof NotYours) ws.send(errorFrame('NOT_FOUND', 'no such portfolio', id));
      else {
        log.error({ err, portfolio: id }, 'subscribe failed');
        ws.send(errorFrame('INTERNAL', 'could not open the portfolio, try again', id));
      }
      return;
    }
    // The socket may have closed or unsubscribed while the portfolio loaded.
    if (!follower.pending.delete(id) || follower.closed) {
      feed.unfollow(id);
      return;
    }
    follower.portfolios.add(id);
    // Snapshot and topic in the same synchronous step: the next delta published is seq + 1.
    ws.cork(() => {
      ws.send(feed.snapshot(id));
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
    closeAll(reason) {
      for (const ws of [...open]) ws.end(GOING_AWAY, reason);
    },
  };
}

class NotYours extends Error {}
