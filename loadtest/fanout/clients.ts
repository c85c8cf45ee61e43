// A client fleet: one process holding thousands of WebSocket clients (`ws` for the product and the
// floor, socket.io-client for the Socket.IO peer: links.ts) so that the measured server's CPU never
// includes its clients'. It logs each user in once (or is handed tokens), opens sockets with the
// token, subscribes each to one portfolio and, for every delta, records receipt time minus
// tickTime, checks seq continuity and counts. Driven over IPC (run.ts).
import { writeFileSync } from 'node:fs';
import type { ConnectArgs, ConnectResult, FleetApi, Group, SocketPlan, WindowArgs, WindowStats } from './fleet-api.js';
import { frameKind, seqOf, tickTimeOf } from './frame-scan.js';
import { LatencyHistogram } from './histogram.js';
import { serveParent } from './ipc.js';
import { openLink, type Link } from './links.js';

const CONNECT_TIMEOUT_MS = 30_000;
const CLOSE_TIMEOUT_MS = 10_000;
const LOGIN_ATTEMPTS = 5;

interface Client {
  link: Link;
  portfolio: number;
  group: Group;
  record: boolean;
  /** Seq of the last frame of this portfolio, -1 before the first. */
  lastSeq: number;
  ready: boolean;
  onReady?: () => void;
  /** For a failure's message: when the socket opened, and frames received before the snapshot. */
  openedAt?: number;
  framesBeforeReady: number;
}

const groups: Record<Group, Set<Client>> = { load: new Set(), idle: new Set() };
const tokens = new Map<string, string>();
const latency = new LatencyHistogram();
const wallNow = preciseWallClock();
const measured = {
  open: false,
  captureFile: undefined as string | undefined,
  latency: false,
  started: 0,
  cpu: process.cpuUsage(),
  delivered: 0,
  capture: [] as string[],
};
const totals = { gaps: 0, resyncs: 0, errors: 0, unexpectedCloses: 0, firstError: undefined as string | undefined };

function onFrame(c: Client, data: Buffer): void {
  if (!c.ready) c.framesBeforeReady++;
  const kind = frameKind(data);
  if (kind === 'delta') {
    const seq = seqOf(data);
    if (c.lastSeq >= 0 && seq !== c.lastSeq + 1) totals.gaps++;
    c.lastSeq = seq;
    if (!measured.open || c.group !== 'load') return;
    measured.delivered++;
    const now = wallNow();
    if (measured.latency) latency.record(now - tickTimeOf(data));
    if (c.record) measured.capture.push(`${(now - measured.started).toFixed(3)}\t${c.portfolio}\t${data.toString()}`);
  } else if (kind === 'snapshot') {
    if (c.ready) totals.resyncs++;
    c.lastSeq = seqOf(data);
    markReady(c);
  } else if (kind === 'error') {
    totals.errors++;
    totals.firstError ??= data.toString();
  } else if (data.includes('"subscribed"')) {
    markReady(c); // the floor's acknowledgement
  }
}

function markReady(c: Client): void {
  if (c.ready) return;
  c.ready = true;
  c.onReady?.();
}

function openClient(args: ConnectArgs, plan: SocketPlan): Promise<void> {
  const token = plan.username ? tokens.get(plan.username) : undefined;
  return new Promise<void>((resolve, reject) => {
    const fail = (err: Error) => {
      clearTimeout(timer);
      c.link.terminate();
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error('no snapshot within the connect timeout')), CONNECT_TIMEOUT_MS);
    const c: Client = {
      link: openLink(args.transport ?? 'ws', args.wsUrl, token, {
        open: () => {
          c.openedAt = performance.now();
          c.link.subscribe(plan.portfolio);
        },
        frame: (data) => onFrame(c, data),
        failed: (err) => fail(err),
        closed: (reason, expected) => {
          if (groups[c.group].delete(c) && !expected) totals.unexpectedCloses++;
          if (!c.ready) fail(new Error(`closed (${reason}) before the snapshot (${lifeOf(c)})`));
        },
      }),
      portfolio: plan.portfolio,
      group: args.group,
      record: plan.record ?? false,
      lastSeq: -1,
      ready: false,
      framesBeforeReady: 0,
      onReady: () => {
        clearTimeout(timer);
        groups[c.group].add(c);
        resolve();
      },
    };
  });
}

function lifeOf(c: Client): string {
  if (c.openedAt === undefined) return 'never opened';
  return `${Math.round(performance.now() - c.openedAt)} ms after opening, ${c.framesBeforeReady} frames received`;
}

async function login(baseUrl: string, username: string, password: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (res.ok) return ((await res.json()) as { token: string }).token;
    // A login rate limit or a busy server: back off and retry a few times.
    if ((res.status === 429 || res.status === 503) && attempt < LOGIN_ATTEMPTS) {
      await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
      continue;
    }
    throw new Error(`login ${username} failed: ${res.status} ${await res.text()}`);
  }
}

/** Runs `work` over `items`, at most `concurrency` at a time; counts failures instead of stopping. */
async function inPool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (err) {
        failed++;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return { failed, firstError };
}

/**
 * Date.now() in whole milliseconds is too coarse for latencies of a few ms: this is the same
 * clock read through performance.now(), anchored at a millisecond edge of Date.now().
 */
function preciseWallClock(): () => number {
  const start = Date.now();
  let edge = start;
  while (edge === start) edge = Date.now();
  const offset = edge - performance.now();
  return () => offset + performance.now();
}

const api: FleetApi = {
  async connect(args): Promise<ConnectResult> {
    const started = performance.now();
    for (const [username, token] of Object.entries(args.tokens ?? {})) tokens.set(username, token);
    if (args.login) {
      const { baseUrl, password } = args.login;
      const users = [...new Set(args.sockets.map((s) => s.username!))].filter((u) => !tokens.has(u));
      const logins = await inPool(users, 8, async (u) => void tokens.set(u, await login(baseUrl, u, password)));
      if (logins.failed) throw new Error(`${logins.failed} logins failed: ${logins.firstError}`);
    }
    const { failed, firstError } = await inPool(args.sockets, args.concurrency, (plan) => openClient(args, plan));
    return {
      opened: args.sockets.length - failed,
      failed,
      ...(firstError ? { firstError } : {}),
      seconds: (performance.now() - started) / 1000,
    };
  },

  startWindow(args: WindowArgs) {
    latency.reset();
    if (args.restartSequences) for (const c of groups.load) c.lastSeq = -1;
    Object.assign(measured, {
      captureFile: args.captureFile,
      open: true,
      latency: args.latency,
      started: wallNow(),
      cpu: process.cpuUsage(),
      delivered: 0,
      capture: [],
    });
  },

  stopWindow(): WindowStats {
    measured.open = false;
    const seconds = (wallNow() - measured.started) / 1000;
    const cpu = process.cpuUsage(measured.cpu);
    if (measured.captureFile)
      writeFileSync(measured.captureFile, measured.capture.length ? measured.capture.join('\n') + '\n' : '');
    const stats: WindowStats = {
      seconds,
      delivered: measured.delivered,
      latency: latency.data(),
      captured: measured.capture.length,
      gaps: totals.gaps,
      resyncs: totals.resyncs,
      errors: totals.errors,
      ...(totals.firstError ? { firstError: totals.firstError } : {}),
      unexpectedCloses: totals.unexpectedCloses,
      fleetCpu: { user: cpu.user / 1e6, system: cpu.system / 1e6 },
    };
    measured.capture = [];
    return stats;
  },

  async close({ group }) {
    const clients = [...groups[group]];
    const closed = clients.map((c) => c.link.close());
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(closed), new Promise((r) => (timer = setTimeout(r, CLOSE_TIMEOUT_MS)))]);
    clearTimeout(timer);
    for (const c of clients) c.link.terminate();
    groups[group].clear();
  },
};

serveParent(api);
