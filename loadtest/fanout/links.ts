// One load client's connection, whichever server it talks to: a bare `ws` socket for the product
// and the floor (the product's protocol), or a socket.io-client socket (websocket transport only)
// for the Socket.IO peer. Both hand every server frame over as the product's frame bytes, so the
// fleet's accounting (clients.ts) is the same for every side.
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { FRAME_EVENT, SUBSCRIBE_EVENT } from './peer-api.js';

export type Transport = 'ws' | 'socketio';

export interface LinkEvents {
  /** Connected and authenticated (for ws: upgraded); time to subscribe. */
  open(): void;
  frame(data: Buffer): void;
  /** Could not connect, or an error on the connection. */
  failed(err: Error): void;
  /** The connection ended; `expected` when this side closed it. */
  closed(reason: string, expected: boolean): void;
}

export interface Link {
  subscribe(portfolio: number): void;
  /** Closes politely; resolves once closed. */
  close(): Promise<void>;
  /** Drops the connection at once (after close(), or when the connection failed). */
  terminate(): void;
}

export function openLink(transport: Transport, url: string, token: string | undefined, on: LinkEvents): Link {
  return transport === 'socketio' ? socketIoLink(url, token, on) : wsLink(url, token, on);
}

function wsLink(url: string, token: string | undefined, on: LinkEvents): Link {
  // No compression, no UTF-8 check: the fleet must stay far cheaper than the server it measures.
  const ws = new WebSocket(url, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    perMessageDeflate: false,
    skipUTF8Validation: true,
  });
  let closing = false;
  ws.on('open', () => on.open());
  ws.on('message', (data) => on.frame(data as Buffer));
  ws.on('unexpected-response', (_req, res) => on.failed(new Error(`upgrade refused: ${res.statusCode}`)));
  ws.on('error', (err) => on.failed(err));
  ws.on('close', (code) => on.closed(String(code), closing));
  return {
    subscribe: (portfolio) => ws.send(JSON.stringify({ op: 'subscribe', portfolios: [portfolio] })),
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close(1000);
      }),
    // Not "expected": an error that ends an open socket is still an unexpected close.
    terminate: () => ws.terminate(),
  };
}

function socketIoLink(url: string, token: string | undefined, on: LinkEvents): Link {
  const socket = io(url, {
    transports: ['websocket'],
    auth: token ? { token } : {},
    // One connection per client (no multiplexing over a shared manager), no retries: a failure counts.
    forceNew: true,
    reconnection: false,
    timeout: 30_000,
  });
  let closing = false;
  socket.on('connect', () => on.open());
  socket.on(FRAME_EVENT, (frame: string) => on.frame(Buffer.from(frame)));
  socket.on('connect_error', (err) => on.failed(err));
  socket.on('disconnect', (reason) => on.closed(reason, closing));
  const close = () =>
    new Promise<void>((resolve) => {
      closing = true;
      const engine = socket.io.engine;
      if (!engine || engine.readyState === 'closed') {
        socket.disconnect();
        return resolve();
      }
      engine.once('close', () => resolve());
      socket.disconnect();
    });
  return {
    subscribe: (portfolio) => socket.emit(SUBSCRIBE_EVENT, [portfolio]),
    close,
    terminate: () => void close(),
  };
}
