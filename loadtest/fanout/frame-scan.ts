// Reads the few fields the benchmark needs from a server frame without JSON.parse: at 100k frames
// per second the client fleet must stay far cheaper than the server it measures. Server frames are
// JSON.stringify of objects whose first key is "type" (server/src/protocol/server-frames.ts).
const TYPE_PREFIX = Buffer.from('{"type":"');
const SEQ_KEY = Buffer.from('"seq":');
const TICK_TIME_KEY = Buffer.from('"tickTime":');
const CHAR_D = 0x64;
const CHAR_S = 0x73;
const CHAR_N = 0x6e;
const CHAR_E = 0x65;

export type FrameKind = 'delta' | 'snapshot' | 'error' | 'other';

export function frameKind(data: Buffer): FrameKind {
  if (data.compare(TYPE_PREFIX, 0, TYPE_PREFIX.length, 0, TYPE_PREFIX.length) !== 0) return 'other';
  const first = data[TYPE_PREFIX.length];
  if (first === CHAR_D) return 'delta';
  if (first === CHAR_S && data[TYPE_PREFIX.length + 1] === CHAR_N) return 'snapshot';
  if (first === CHAR_E) return 'error';
  return 'other';
}

export const seqOf = (data: Buffer) => integerAfter(data, SEQ_KEY);
export const tickTimeOf = (data: Buffer) => integerAfter(data, TICK_TIME_KEY);

/** The non-negative integer right after `key`, or NaN. */
function integerAfter(data: Buffer, key: Buffer): number {
  let i = data.indexOf(key);
  if (i < 0) return NaN;
  i += key.length;
  let n = 0;
  let digits = 0;
  for (; i < data.length; i++, digits++) {
    const c = data[i]! - 0x30;
    if (c < 0 || c > 9) break;
    n = n * 10 + c;
  }
  return digits ? n : NaN;
}
