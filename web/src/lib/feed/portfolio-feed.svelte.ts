// The live state of the portfolio on screen, as Svelte runes. Joins the socket, the frame batch
// and the pure apply functions; components only read the fields below.

import { applyDelta, applySnapshot, isGap, type PortfolioState } from './apply';
import { FrameBatch } from './frame-batch';
import { FeedSocket, type SocketPhase } from './socket';
import type { NoticeFrame, PortfolioFrame, PortfolioId, ServerFrame } from './types';

/** `live` means the socket is open and the state on screen follows an unbroken sequence. */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting';

/** Weight of the newest latency sample: smooth enough to read, quick enough to show a stall. */
const LATENCY_SMOOTHING = 0.2;

export interface PortfolioFeedOptions {
  url: string;
  /** Called when the server refused a connection attempt, typically an expired session. */
  onRefused(): void;
  /** Frames for the trader rather than the watched portfolio (job progress, alerts). */
  onNotice?(frame: NoticeFrame): void;
}

export class PortfolioFeed {
  connection = $state<ConnectionState>('connecting');
  /** Replaced as a whole on every batch, never mutated, hence `raw`: no deep proxies. */
  portfolio = $state.raw<PortfolioState | null>(null);
  /** Smoothed `Date.now() - tickTime` at the moment deltas are applied, in ms. */
  latencyMs = $state<number | null>(null);
  /** When the state on screen last changed (`Date.now()`), for the stale-data marker. */
  updatedAt = $state<number | null>(null);
  /** A problem the server reported about the watched portfolio (e.g. NOT_FOUND). */
  problem = $state<string | null>(null);

  readonly #socket: FeedSocket;
  readonly #onNotice: PortfolioFeedOptions['onNotice'];
  readonly #batch = new FrameBatch<PortfolioFrame>((frames) => this.#apply(frames));
  #watched: PortfolioId | null = null;
  #phase: SocketPhase = 'connecting';
  #everOpened = false;
  /** False from a gap, a reconnect or a switch until the next snapshot arrives. */
  #inSync = false;

  constructor(options: PortfolioFeedOptions) {
    this.#onNotice = options.onNotice;
    this.#socket = new FeedSocket({
      url: options.url,
      onFrame: (frame) => this.#receive(frame),
      onPhase: (phase, refused) => {
        this.#phase = phase;
        if (phase === 'open') this.#everOpened = true;
        if (refused) options.onRefused();
        this.#updateConnection();
      },
      // The last good state stays on screen across a reconnect; the server resumes from it (replays
      // the missed deltas) or, if it cannot, sends a snapshot that replaces it.
      resumePoint: (id) => {
        const state = this.portfolio;
        return state && this.#inSync && state.portfolio === id ? { id, epoch: state.epoch, seq: state.seq } : undefined;
      },
    });
  }

  start(): void {
    this.#socket.start();
  }

  stop(): void {
    this.#socket.stop();
    this.#batch.clear();
  }

  /** Shows `portfolio` instead of the one watched so far. */
  watch(portfolio: PortfolioId): void {
    if (portfolio === this.#watched) return;
    if (this.#watched !== null) this.#socket.unsubscribe(this.#watched);
    this.#watched = portfolio;
    this.#batch.clear();
    this.#inSync = false;
    this.portfolio = null;
    this.updatedAt = null;
    this.latencyMs = null;
    this.problem = null;
    this.#socket.subscribe(portfolio);
    this.#updateConnection();
  }

  #receive(frame: ServerFrame): void {
    switch (frame.type) {
      case 'snapshot':
      case 'delta':
        if (frame.portfolio === this.#watched) this.#batch.push(frame);
        break;
      case 'error':
        if (frame.portfolio === undefined || frame.portfolio === this.#watched) this.problem = frame.message;
        break;
      case 'job':
      case 'alert':
        this.#onNotice?.(frame);
        break;
      // hello and pong only prove the link is alive, which the socket already noted.
    }
  }

  #apply(frames: PortfolioFrame[]): void {
    let state = this.portfolio;
    let newestTickTime: number | null = null;

    for (const frame of frames) {
      if (frame.portfolio !== this.#watched) continue;
      if (frame.type === 'snapshot') {
        state = applySnapshot(frame);
        this.#inSync = true;
        continue;
      }
      // Deltas after a gap and before the requested snapshot belong to the broken sequence.
      if (!this.#inSync || state === null) continue;
      const outcome = applyDelta(state, frame);
      if (isGap(outcome)) {
        // Keep showing the last good state until the snapshot replaces it.
        this.#inSync = false;
        this.#socket.resubscribe(frame.portfolio);
        continue;
      }
      state = outcome;
      newestTickTime = frame.tickTime;
    }

    if (state !== this.portfolio) {
      this.portfolio = state;
      this.updatedAt = Date.now();
    }
    // A snapshot's tickTime can be minutes old on a quiet market: it is state, not news,
    // so only deltas say how fast ticks reach the screen.
    if (newestTickTime !== null) this.#sampleLatency(Date.now() - newestTickTime);
    this.#updateConnection();
  }

  #sampleLatency(sample: number): void {
    const previous = this.latencyMs;
    this.latencyMs = previous === null ? sample : previous + LATENCY_SMOOTHING * (sample - previous);
  }

  #updateConnection(): void {
    if (this.#phase !== 'open') this.connection = this.#everOpened ? 'reconnecting' : 'connecting';
    else this.connection = this.#inSync ? 'live' : 'connecting';
  }
}

/** The socket lives on the page's own origin, so the session cookie goes with the upgrade. */
export function feedUrl(location: Location): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}
