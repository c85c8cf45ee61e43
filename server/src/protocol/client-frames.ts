// Parses what a client sends. Anything malformed becomes a typed rejection with a code the client
// can act on; nothing here throws, so one bad frame never disturbs the socket or the process.
import type { ErrorCode } from './server-frames.js';

/** Frames larger than this are refused with FRAME_TOO_LARGE (uWS closes past maxPayloadLength). */
export const MAX_CLIENT_FRAME_BYTES = 4_096;
/** A socket may follow this many portfolios at once. */
export const MAX_PORTFOLIOS_PER_FRAME = 100;

/** Where a client's copy of a portfolio stands, so the server can replay only what it missed. */
export interface ResumePoint {
  epoch: string;
  seq: number;
}

export type ClientFrame =
  | { op: 'auth'; token: string }
  | { op: 'subscribe'; portfolios: number[]; resume?: Record<number, ResumePoint> }
  | { op: 'unsubscribe'; portfolios: number[] }
  | { op: 'ping' };

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
    case 'auth':
      if (typeof frame.token !== 'string' || frame.token.length === 0 || frame.token.length > 256) {
        return reject('BAD_ARGUMENT', 'auth needs a "token" string');
      }
      return { ok: true, frame: { op: 'auth', token: frame.token } };
    case 'subscribe':
    case 'unsubscribe': {
      const entries = frame.portfolios;
      if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_PORTFOLIOS_PER_FRAME) {
        return reject('BAD_ARGUMENT', `portfolios must be an array of 1 to ${MAX_PORTFOLIOS_PER_FRAME} ids`);
      }
      const ids: number[] = [];
      const resume: Record<number, ResumePoint> = {};
      for (const entry of entries) {
        // A subscribe entry may be {id, epoch, seq}: "I have this portfolio up to seq".
        if (frame.op === 'subscribe' && typeof entry === 'object' && entry !== null && !Array.isArray(entry)) {
          const { id, epoch, seq } = entry as Record<string, unknown>;
          if (
            !isId(id) ||
            typeof epoch !== 'string' ||
            epoch.length > 64 ||
            !Number.isSafeInteger(seq) ||
            (seq as number) < 0
          ) {
            return reject(
              'BAD_ARGUMENT',
              'a resume entry is {"id": positive integer, "epoch": string, "seq": integer >= 0}',
            );
          }
          ids.push(id);
          resume[id] = { epoch, seq: seq as number };
        } else if (isId(entry)) {
          ids.push(entry);
        } else {
          return reject('BAD_ARGUMENT', 'portfolio ids must be positive integers');
        }
      }
      const portfolios = [...new Set(ids)];
      if (frame.op === 'unsubscribe') return { ok: true, frame: { op: 'unsubscribe', portfolios } };
      return {
        ok: true,
        frame: Object.keys(resume).length ? { op: 'subscribe', portfolios, resume } : { op: 'subscribe', portfolios },
      };
    }
    case undefined:
      return reject('BAD_FRAME', 'frame has no "op"');
    default:
      return reject('UNKNOWN_OP', `unknown op ${JSON.stringify(String(frame.op)).slice(0, 40)}`);
  }
}

function isId(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}
