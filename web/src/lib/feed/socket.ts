// Owns the one WebSocket to /ws: connects, keeps it alive, reconnects with capped exponential
// backoff and jitter, and re-sends the current subscriptions on every new connection. It knows
// nothing about portfolio state; decoded frames go to `onFrame`.

import type { ClientFrame, PortfolioId, ResumePoint, ServerFrame } from './types';

/** First retry waits about this long; each failure doubles it up to the cap. */
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 15_000;
/** A connection that stayed up this long was healthy: the next failure starts from the base delay. */
const HEALTHY_AFTER_MS = 5_000;
/** A half-open TCP connection (laptop sleep, NAT timeout) shows no error; silence is the only sign. */
const PING_EVERY_MS = 15_000;
const SILENCE_LIMIT_MS = 40_000;

export type SocketPhase = 'connecting' | 'open' | 'closed';

export interface FeedSocketOptions {
  url: string;
  onFrame(frame: ServerFrame): void;
  /** `refused` is true when the attempt closed without ever opening (e.g. a 401 on upgrade). */
  onPhase(phase: SocketPhase, refused: boolean): void;
  /** Where the client's copy of `portfolio` stands, so a reconnect replays only what it missed. */
  resumePoint(portfolio: PortfolioId): ResumePoint | undefined;
}

export class FeedSocket {
  readonly #options: FeedSocketOptions;
  readonly #portfolios = new Set<PortfolioId>();
  #socket: WebSocket | null = null;
  #failures = 0;
  #openedAt = 0;
  #lastHeardAt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #running = false;

  constructor(options: FeedSocketOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#connect();
  }

  stop(): void {
    this.#running = false;
    clearTimeout(this.#retryTimer);
    this.#drop(1000);
  }

  subscribe(portfolio: PortfolioId): void {
    this.#portfolios.add(portfolio);
    this.#send({ op: 'subscribe', portfolios: [portfolio] });
  }

  unsubscribe(portfolio: PortfolioId): void {
    this.#portfolios.delete(portfolio);
    this.#send({ op: 'unsubscribe', portfolios: [portfolio] });
  }

  /** Asks again for a portfolio the client already follows; the server answers with a snapshot. */
  resubscribe(portfolio: PortfolioId): void {
    if (this.#portfolios.has(portfolio)) this.#send({ op: 'subscribe', portfolios: [portfolio] });
  }

  #connect(): void {
    this.#options.onPhase('connecting', false);
    const socket = new WebSocket(this.#options.url);
    this.#socket = socket;
    let opened = false;

    socket.onopen = () => {
      opened = true;
      this.#openedAt = this.#lastHeardAt = Date.now();
      this.#pingTimer = setInterval(() => this.#checkAlive(), PING_EVERY_MS);
      this.#options.onPhase('open', false);
      if (this.#portfolios.size > 0) {
        const entries = [...this.#portfolios].map((id) => this.#options.resumePoint(id) ?? id);
        this.#send({ op: 'subscribe', portfolios: entries });
      }
    };
    socket.onmessage = (event: MessageEvent) => {
      this.#lastHeardAt = Date.now();
      const frame = typeof event.data === 'string' ? decode(event.data) : null;
      if (frame) this.#options.onFrame(frame);
    };
    // Every failure also fires `close` (`error` carries no detail), so recovery lives there.
    socket.onclose = () => {
      if (this.#socket !== socket) return;
      this.#closed(opened);
    };
  }

  #checkAlive(): void {
    if (Date.now() - this.#lastHeardAt > SILENCE_LIMIT_MS) {
      // Waiting for the browser's own close on a dead link can take minutes; give up on it now.
      this.#drop(4000);
      this.#closed(true);
      return;
    }
    this.#send({ op: 'ping' });
  }

  #closed(opened: boolean): void {
    clearInterval(this.#pingTimer);
    this.#socket = null;
    this.#options.onPhase('closed', !opened);
    if (!this.#running) return;
    if (opened && Date.now() - this.#openedAt >= HEALTHY_AFTER_MS) this.#failures = 0;
    this.#retryTimer = setTimeout(() => this.#connect(), retryDelay(this.#failures++));
  }

  /** Detaches and closes the current socket without running its close handler. */
  #drop(code: number): void {
    clearInterval(this.#pingTimer);
    const socket = this.#socket;
    this.#socket = null;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = null;
    socket.close(code);
  }

  #send(frame: ClientFrame): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(frame));
  }
}

/**
 * "Equal jitter": half the delay is fixed so a client never hammers the server, half is random
 * so that clients dropped together by a server restart (close 1001) do not return together.
 */
function retryDelay(failures: number): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** failures);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Malformed frames are dropped here rather than allowed to break the state further on. */
function decode(text: string): ServerFrame | null {
  try {
    const frame: unknown = JSON.parse(text);
    if (typeof frame === 'object' && frame !== null && 'type' in frame && 'v' in frame && frame.v === 1) {
      return frame as ServerFrame;
    }
  } catch {
    // fall through
  }
  console.warn('feed: ignored a frame that is not protocol v1', text.slice(0, 200));
  return null;
}
