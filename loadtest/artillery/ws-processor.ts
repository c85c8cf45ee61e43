// The trader of ws.yml: logs in over HTTP, lists their portfolios, opens /ws with the bearer token,
// follows every portfolio and holds the socket. Every frame goes through a FeedTracker; artillery
// sums the counters and summarises the histograms over all virtual users. Artillery bundles this
// file with esbuild when the scenario starts (config.processor points at the .ts).
//
// Its ws engine counts messages only inside capture/match steps, and `match` on a streaming socket
// crashes the worker, so frames are read by a listener of our own (`on('message')`; the engine
// resets `onmessage` at every step).
import type { ConnectFn, Context, Events, Step } from './artillery-api.js';
import { describeGap, FeedTracker } from './feed-tracker.js';
import { errorFrameCode, WS } from './metric-names.js';

/** Gaps and error frames printed per artillery worker (all are counted). */
const PRINT_AT_MOST = 5;
let printed = 0;

interface Follower {
  feed: FeedTracker;
  portfolios: number[];
  done: boolean;
}

const followers = new WeakMap<Context, Follower>();

/**
 * `connect: { function: signIn }`: POST /api/v1/auth/login as the payload's trader, then
 * GET /api/v1/portfolios, and the socket is opened with `Authorization: Bearer <token>`.
 */
export const signIn: ConnectFn = (args, context, done) => {
  const base = args.target.replace(/\/+$/, '');
  const started = performance.now();
  login(base, String(context.vars.username), String(context.vars.password))
    .then(async (token) => {
      const portfolios = await ownPortfolios(base, token);
      context.vars.portfolios = portfolios;
      context.vars.portfolioList = portfolios.join(',');
      context.vars.loginMs = performance.now() - started;
      args.target = `${base.replace(/^http/, 'ws')}/ws`;
      args.options = { ...args.options, headers: { ...args.options.headers, authorization: `Bearer ${token}` } };
      done();
    })
    .catch((err: Error) => done(err));
};

/** The first step on the open socket: read every frame from here on. */
export const followPortfolios: Step = async function followPortfolios(context, events) {
  const ws = context.ws!;
  const follower: Follower = {
    feed: new FeedTracker(),
    portfolios: context.vars.portfolios as number[],
    done: false,
  };
  followers.set(context, follower);
  events.emit('counter', WS.connected, 1);
  events.emit('histogram', WS.loginMs, Number(context.vars.loginMs));
  if (follower.portfolios.length === 0) events.emit('counter', WS.withoutSnapshot, 1); // nothing to follow

  ws.on('message', (data) => onFrame(follower, String(data), events));
  ws.on('error', () => events.emit('counter', WS.socketErrors, 1));
  ws.on('close', (code) => {
    if (follower.done) return;
    events.emit('counter', WS.closedEarly, 1);
    if (printed++ < PRINT_AT_MOST) console.error(`socket closed early with code ${code}`);
  });
};

/** The last step, after the hold: portfolios never snapshotted count against the run. */
export const checkFeed: Step = async function checkFeed(context, events) {
  const follower = followers.get(context);
  if (!follower) return;
  follower.done = true;
  const missing = follower.feed.withoutSnapshot(follower.portfolios).length;
  if (missing) events.emit('counter', WS.withoutSnapshot, missing);
};

function onFrame(follower: Follower, text: string, events: Events): void {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    events.emit('counter', WS.unreadableFrames, 1);
    return;
  }
  const verdict = follower.feed.receive(frame as object, Date.now());
  switch (verdict.kind) {
    case 'delta':
      events.emit('counter', WS.deltas, 1);
      events.emit('histogram', WS.tickToClientMs, verdict.latencyMs);
      if (verdict.gap) {
        events.emit('counter', WS.gaps, 1);
        if (printed++ < PRINT_AT_MOST) console.error(`gap: ${describeGap(verdict.gap)}`);
      }
      return;
    case 'snapshot':
      events.emit('counter', verdict.first ? WS.snapshots : WS.resyncs, 1);
      return;
    case 'error':
      events.emit('counter', WS.errorFrames, 1);
      events.emit('counter', errorFrameCode(verdict.code), 1);
      if (printed++ < PRINT_AT_MOST) console.error(`error frame: ${text}`);
      return;
    case 'other':
      return;
  }
}

async function login(base: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login: HTTP ${res.status}`); // one error name for all traders
  return ((await res.json()) as { token: string }).token;
}

async function ownPortfolios(base: string, token: string): Promise<number[]> {
  const res = await fetch(`${base}/api/v1/portfolios`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`GET /api/v1/portfolios: HTTP ${res.status}`);
  return ((await res.json()) as { portfolios: { id: number }[] }).portfolios.map((p) => p.id);
}
