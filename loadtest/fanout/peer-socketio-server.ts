// The Socket.IO peer: the product's job done the way a Socket.IO service would do it, to set the
// product's fan-out cost against. It reads the same tick stream and keeps the same portfolios with
// the product's own engine and PortfolioFeed (so deltas, seq and conflation are the same by
// construction), checks the same sessions and ownership, and publishes each delta once to the
// portfolio's room `p/<id>`; Socket.IO (4, `ws` underneath, websocket transport only) fans it out.
// Runs as a child process (forked by peer.ts) so that it is measured from /proc like the product.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { Server, type Socket } from 'socket.io';
import { verifyPassword } from '../../server/src/auth/passwords.js';
import { redisSessions } from '../../server/src/auth/sessions.js';
import { loadConfig } from '../../server/src/config.js';
import { connectDatabase } from '../../server/src/db/connect.js';
import type { Database } from '../../server/src/db/database.js';
import { PortfolioBook } from '../../server/src/engine/portfolio-book.js';
import { QuoteBoard } from '../../server/src/engine/quote-board.js';
import { PortfolioFeed, portfolioTopic } from '../../server/src/gateway/portfolio-feed.js';
import { createLogger } from '../../server/src/log.js';
import { lastSessionClose } from '../../server/src/market/session.js';
import { MAX_PORTFOLIOS_PER_FRAME } from '../../server/src/protocol/client-frames.js';
import { errorFrame } from '../../server/src/protocol/server-frames.js';
import { redisKeys } from '../../server/src/redis/keys.js';
import { listAssets } from '../../server/src/store/assets.js';
import { findPortfolio, loadHoldings } from '../../server/src/store/portfolios.js';
import { closingPrices } from '../../server/src/store/prices.js';
import { latestPrices } from '../../server/src/store/ticks.js';
import { findUserById, findUserByUsername } from '../../server/src/store/users.js';
import { readStreamTail, TickReader } from '../../server/src/streams/tick-reader.js';
import { serveParent } from './ipc.js';
import { FRAME_EVENT, SUBSCRIBE_EVENT, type PeerApi } from './peer-api.js';

/** As the product (socket-server.ts): client frames above this are refused. */
const MAX_PAYLOAD_BYTES = 16 * 1024;
const TAIL_ENTRIES_FOR_PRICES = 200_000;
const STORED_PRICE_LOOKBACK_MS = 24 * 3600 * 1000;

interface Follower {
  user: { id: number; username: string };
  portfolios: Set<number>;
  closed: boolean;
}

interface Running {
  db: Database;
  feed: PortfolioFeed;
  reader: TickReader;
  commands: Redis;
  io: Server;
  sessions: ReturnType<typeof redisSessions>;
}

let running: Running | undefined;
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
let statsAtOpen = { flushes: 0, deltas: 0 };

async function start(env: Record<string, string>): Promise<{ port: number }> {
  const config = loadConfig(env);
  const log = createLogger('warn');
  const db = await connectDatabase(config, log);
  const keys = redisKeys(config.redisKeyPrefix);
  const commands = new Redis(config.redisUrl ?? 'redis://127.0.0.1:6379');

  // The product's opening prices (app.ts): reference price, overridden by the newest stored tick,
  // then by the stream's tail; previous close from the database, else the reference price.
  const assets = await listAssets(db);
  const known = new Set(assets.map((a) => a.symbol));
  const isKnownSymbol = (s: string) => known.has(s);
  const quotes = new QuoteBoard();
  const closes = await closingPrices(db, new Date(lastSessionClose(Date.now(), config.gateway.sessionCloseMinuteUtc)));
  for (const a of assets) {
    quotes.set(a.symbol, a.referencePrice, 0);
    quotes.setPreviousClose(a.symbol, closes.get(a.symbol) ?? a.referencePrice);
  }
  const stored = await latestPrices(db, [...known], new Date(Date.now() - STORED_PRICE_LOOKBACK_MS));
  for (const [symbol, q] of stored) quotes.set(symbol, q.price, q.time);
  const tail = await readStreamTail(commands, keys.ticks, TAIL_ENTRIES_FOR_PRICES, isKnownSymbol);
  for (const t of tail.latest.values()) quotes.set(t.symbol, t.price, t.time);

  const http = createServer();
  const io = new Server(http, {
    transports: ['websocket'],
    serveClient: false,
    perMessageDeflate: false,
    maxHttpBufferSize: MAX_PAYLOAD_BYTES,
  });
  const feed = new PortfolioFeed({
    book: new PortfolioBook(quotes),
    loadHoldings: (id) => loadHoldings(db, id),
    // One emit per delta to the portfolio's room: Socket.IO encodes it once for all its members.
    publish: (topic, frame) => io.to(topic).emit(FRAME_EVENT, frame),
    ...config.gateway,
  });
  const sessions = redisSessions(commands, keys, config.sessionTtlSeconds);

  // Authentication once per connection, as the product does on upgrade: session, then user.
  io.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown }).token;
    if (typeof token !== 'string') return next(new Error('UNAUTHENTICATED'));
    sessions
      .lookup(token)
      .then((userId) => (userId === undefined ? undefined : findUserById(db, userId)))
      .then(
        (user) => {
          if (!user) return next(new Error('UNAUTHENTICATED'));
          socket.data = { user: { id: user.id, username: user.username }, portfolios: new Set(), closed: false };
          next();
        },
        (err: Error) => next(err),
      );
  });
  io.on('connection', (socket: Socket) => {
    const follower = socket.data as Follower;
    socket.on(SUBSCRIBE_EVENT, (ids: unknown) => {
      if (!Array.isArray(ids) || ids.length > MAX_PORTFOLIOS_PER_FRAME || !ids.every(Number.isSafeInteger)) {
        return void socket.emit(FRAME_EVENT, errorFrame('BAD_ARGUMENT', 'subscribe expects portfolio ids'));
      }
      for (const id of ids as number[]) void subscribe(socket, follower, id);
    });
    socket.on('disconnect', () => {
      follower.closed = true;
      for (const id of follower.portfolios) feed.unfollow(id);
      follower.portfolios.clear();
    });
  });

  async function subscribe(socket: Socket, follower: Follower, id: number): Promise<void> {
    if (follower.portfolios.has(id)) return void socket.emit(FRAME_EVENT, feed.snapshot(id));
    try {
      if (!(await findPortfolio(db, follower.user.id, id))) {
        return void socket.emit(FRAME_EVENT, errorFrame('NOT_FOUND', 'no such portfolio', id));
      }
      await feed.follow(id);
    } catch (err) {
      log.error({ err, portfolio: id }, 'subscribe failed');
      return void socket.emit(FRAME_EVENT, errorFrame('INTERNAL', 'could not open the portfolio', id));
    }
    if (follower.closed) return feed.unfollow(id);
    follower.portfolios.add(id);
    // Snapshot and room in one synchronous step, as the product does: the next delta is seq + 1.
    socket.emit(FRAME_EVENT, feed.snapshot(id));
    void socket.join(portfolioTopic(id));
  }

  const reader = new TickReader({
    redis: new Redis(config.redisUrl ?? 'redis://127.0.0.1:6379'),
    stream: keys.ticks,
    fromId: tail.lastId,
    isKnownSymbol,
    onTicks: (ticks) => feed.onTicks(ticks),
    onRejected: () => undefined,
    log,
  });
  reader.start();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  running = { db, feed, reader, commands, io, sessions };
  return { port: (http.address() as AddressInfo).port };
}

const api: PeerApi = {
  start: ({ env }) => start(env),

  async login({ usernames, password }) {
    const { db, sessions } = running!;
    const tokens: Record<string, string> = {};
    for (const username of usernames) {
      const user = await findUserByUsername(db, username);
      if (!user || !(await verifyPassword(password, user.passwordHash))) throw new Error(`login ${username} refused`);
      tokens[username] = await sessions.create(user.id);
    }
    return tokens;
  },

  openWindow() {
    loopDelay.reset();
    statsAtOpen = { ...running!.feed.stats };
  },

  closeWindow() {
    const { flushes, deltas } = running!.feed.stats;
    return {
      flushes: flushes - statsAtOpen.flushes,
      deltas: deltas - statsAtOpen.deltas,
      loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      loopDelayMaxMs: loopDelay.max / 1e6,
    };
  },

  async stop() {
    if (!running) return;
    const { io, feed, reader, db, commands } = running;
    running = undefined;
    await reader.stop();
    feed.stop();
    await io.close();
    await db.close();
    commands.disconnect();
  },
};

serveParent(api);
