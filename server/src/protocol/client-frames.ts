// Parses what a client sends. Anything malformed becomes a typed rejection with a code the client
// can act on; nothing here throws, so one bad frame never disturbs the socket or the process.
import type { ErrorCode } from './server-frames.js';

/** Frames larger than this are refused with FRAME_TOO_LARGE (uWS closes past maxPayloadLength). */
export const MAX_CLIENT_FRAME_BYTES = 4_096;
/** A socket may follow this many portfolios at once. */
export const MAX_PORTFOLIOS_PER_FRAME = 100;

export type ClientFrame =
  { op: 'subscribe'; portfolios: number[] } | { op: 'unsubscribe'; portfolios: number[] } | { op: 'ping' };

export type Parsed = { ok: true; frame: ClientFrame } | { ok: false; code: ErrorCode; message: string };

const reject = (code: ErrorCode, message: string): Parsed => ({ ok: false, code, message });

export function parseClientFrame(data: ArrayBuffer, isBinary: boolean): Parsed {
  if (isBinary) return reject('BAD_FRAME', 'binary frames are not accepted; send JSON text');
  if (data.byteLength > MAX_CLIENT_FRAME_BYTES) {
    return reject('FRAME_TOO_LARGE', `frames are limited to ${MAX_CLIENT_FRAME_BYTES} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch {
    return reject('BAD_FRAME', 'frame is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return reject('BAD_FRAME', 'frame must be a JSON object');
  }
  const frame = value as Record<string, unknown>;
  switch (frame.op) {
    case 'ping':
      return { ok: true, frame: { op: 'ping' } };
    case 'subscribe':
    case 'unsubscribe': {
      const ids = frame.portfolios;
      if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_PORTFOLIOS_PER_FRAME) {
        return reject('BAD_ARGUMENT', `portfolios must be an array of 1 to ${MAX_PORTFOLIOS_PER_FRAME} ids`);
      }
      if (!ids.every((id) => Number.isSafeInteger(id) && id > 0)) {
        return reject('BAD_ARGUMENT', 'portfolio ids must be positive integers');
      }
      return { ok: true, frame: { op: frame.op, portfolios: [...new Set(ids as number[])] } };
    }
    case undefined:
      return reject('BAD_FRAME', 'frame has no "op"');
    default:
      return reject('UNKNOWN_OP', `unknown op ${JSON.stringify(String(frame.op)).slice(0, 40)}`);
  }
}
