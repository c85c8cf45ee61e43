// The floor: a bare uWS server doing only what any uWS fan-out must do (hold the sockets, join
// topics, publish) with the product's own frames at the product's own pace, so that the product's
// CPU per delivered delta can be set against the least a uWS server spends on the same job. It
// runs as a child process (forked by floor.ts) so that it is measured from /proc like the product.
import { readFileSync } from 'node:fs';
import type { us_listen_socket, us_socket } from 'uWebSockets.js';
import { listenExclusive, loadUws } from '../../server/src/gateway/uws.js';
import { serveParent } from './ipc.js';
import type { FloorApi } from './floor-api.js';

// The product's socket options (server/src/gateway/socket-server.ts), so that per-socket costs
// such as automatic pings and the backpressure cap are the same on both sides.
const SOCKET_OPTIONS = {
  maxPayloadLength: 16 * 1024,
  idleTimeout: 60,
  maxBackpressure: 1024 * 1024,
  sendPingsAutomatically: true,
};
const SUBSCRIBED = '{"type":"subscribed","v":1}';

const { uws } = loadUws(false);
const app = uws.App().ws('/ws', {
  ...SOCKET_OPTIONS,
  message(ws, data) {
    // The product's subscribe frame; topics named as the product names them (p/<id>).
    const frame = JSON.parse(Buffer.from(data).toString()) as { op?: string; portfolios?: number[] };
    if (frame.op !== 'subscribe') return;
    for (const id of frame.portfolios ?? []) ws.subscribe(`p/${id}`);
    ws.send(SUBSCRIBED);
  },
});

const listenSocket = await new Promise<us_listen_socket>((resolve, reject) =>
  listenExclusive(app, '127.0.0.1', 0, (s) => (s ? resolve(s) : reject(new Error('floor server cannot listen')))),
);
const port = uws.us_socket_local_port(listenSocket as unknown as us_socket);

interface Capture {
  offsets: Float64Array;
  topics: string[];
  frames: string[];
}

/** Lines of `<ms since window start>\t<portfolio>\t<frame>`, as the fleet's recorders wrote them. */
function readCapture(files: readonly string[]): Capture {
  const rows = files
    .flatMap((file) => readFileSync(file, 'utf8').split('\n'))
    .filter((line) => line.length > 0)
    .map((line) => {
      const a = line.indexOf('\t');
      const b = line.indexOf('\t', a + 1);
      return { at: Number(line.slice(0, a)), topic: `p/${line.slice(a + 1, b)}`, frame: line.slice(b + 1) };
    })
    .sort((x, y) => x.at - y.at);
  return {
    offsets: Float64Array.from(rows, (r) => r.at),
    topics: rows.map((r) => r.topic),
    frames: rows.map((r) => r.frame),
  };
}

/**
 * Publishes the captured frames at the product's pace and in its bursts: the product publishes a
 * whole flush at once, then nothing until the next one, so frames are grouped into slots of one
 * flush interval (`burstMs`) and each slot goes out at once at its start. The recorders' receipt
 * times cannot give flush boundaries exactly (a fleet reads a burst over a few milliseconds), but
 * one burst per interval with the frames of that interval is what the kernel and uWS see.
 */
function replay(
  { offsets, topics, frames }: Capture,
  burstMs: number,
): Promise<{ published: number; seconds: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    let i = 0;
    const burst = () => {
      const slotEnd = (Math.floor((performance.now() - started) / burstMs) + 1) * burstMs;
      while (i < offsets.length && offsets[i]! < slotEnd) {
        app.publish(topics[i]!, frames[i]!);
        i++;
      }
      if (i >= offsets.length) return resolve({ published: i, seconds: (performance.now() - started) / 1000 });
      const nextSlot = Math.floor(offsets[i]! / burstMs) * burstMs;
      setTimeout(burst, Math.max(0, nextSlot - (performance.now() - started)));
    };
    burst();
  });
}

let loaded: Capture | undefined;
const api: FloorApi = {
  address: () => ({ port }),
  // Reading and parsing the capture happens before the measured window, not in it.
  load: ({ files }) => ({ frames: (loaded = readCapture(files)).frames.length }),
  replay: ({ burstMs }) => {
    if (!loaded) throw new Error('load a capture first');
    return replay(loaded, burstMs);
  },
};
serveParent(api);
