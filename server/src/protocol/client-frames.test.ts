import { describe, expect, it } from 'vitest';
import { MAX_CLIENT_FRAME_BYTES, MAX_PORTFOLIOS_PER_FRAME, parseClientFrame } from './client-frames.js';

/** The frame as uWS hands it over: the UTF-8 bytes in an ArrayBuffer of exactly that length. */
function bytes(text: string): ArrayBuffer {
  const encoded = new TextEncoder().encode(text);
  const buffer = new ArrayBuffer(encoded.byteLength);
  new Uint8Array(buffer).set(encoded);
  return buffer;
}

const text = (s: string) => parseClientFrame(bytes(s), false);

describe('parseClientFrame accepts', () => {
  it('ping, ignoring extra fields', () => {
    expect(text('{"op":"ping"}')).toEqual({ ok: true, frame: { op: 'ping' } });
    expect(text('{"op":"ping","id":3}')).toEqual({ ok: true, frame: { op: 'ping' } });
  });

  it('subscribe and unsubscribe with portfolio ids', () => {
    expect(text('{"op":"subscribe","portfolios":[1,2]}')).toEqual({
      ok: true,
      frame: { op: 'subscribe', portfolios: [1, 2] },
    });
    expect(text(' { "portfolios" : [7], "op" : "unsubscribe" } ')).toEqual({
      ok: true,
      frame: { op: 'unsubscribe', portfolios: [7] },
    });
  });

  it('a repeated id once, in first-seen order', () => {
    expect(text('{"op":"subscribe","portfolios":[3,1,3,1]}')).toEqual({
      ok: true,
      frame: { op: 'subscribe', portfolios: [3, 1] },
    });
  });

  it(`up to ${MAX_PORTFOLIOS_PER_FRAME} ids and ids up to the largest safe integer`, () => {
    const ids = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(text(JSON.stringify({ op: 'subscribe', portfolios: ids }))).toEqual({
      ok: true,
      frame: { op: 'subscribe', portfolios: ids },
    });
    expect(text('{"op":"subscribe","portfolios":[9007199254740991]}')).toEqual({
      ok: true,
      frame: { op: 'subscribe', portfolios: [9_007_199_254_740_991] },
    });
  });

  it(`a frame of exactly ${MAX_CLIENT_FRAME_BYTES} bytes`, () => {
    const frame = '{"op":"ping","pad":""}';
    const padded = frame.replace('""', `"${'x'.repeat(4_096 - frame.length)}"`);
    expect(bytes(padded).byteLength).toBe(4_096);
    expect(text(padded)).toEqual({ ok: true, frame: { op: 'ping' } });
  });
});

describe('parseClientFrame rejects', () => {
  it('a binary frame, whatever it holds', () => {
    expect(parseClientFrame(bytes('{"op":"ping"}'), true)).toMatchObject({
      ok: false,
      code: 'BAD_FRAME',
      message: expect.stringMatching(/binary/),
    });
  });

  it.each([
    ['empty text', ''],
    ['plain text', 'ping'],
    ['truncated JSON', '{"op":"ping"'],
    ['single quotes', "{'op':'ping'}"],
  ])('%s as not JSON', (_, frame) => {
    expect(text(frame)).toMatchObject({ ok: false, code: 'BAD_FRAME', message: 'frame is not valid JSON' });
  });

  it('bytes that are not UTF-8 as not JSON', () => {
    const frame = new Uint8Array([0xff, ...new TextEncoder().encode('{"op":"ping"}')]);
    expect(parseClientFrame(frame.buffer, false)).toMatchObject({
      ok: false,
      code: 'BAD_FRAME',
      message: 'frame is not valid JSON',
    });
  });

  it.each([
    ['an array', '[{"op":"ping"}]'],
    ['null', 'null'],
    ['a string', '"ping"'],
    ['a number', '42'],
    ['a boolean', 'true'],
  ])('%s as not an object', (_, frame) => {
    expect(text(frame)).toMatchObject({ ok: false, code: 'BAD_FRAME', message: 'frame must be a JSON object' });
  });

  it('an object without op', () => {
    expect(text('{"portfolios":[1]}')).toMatchObject({
      ok: false,
      code: 'BAD_FRAME',
      message: expect.stringMatching(/"op"/),
    });
  });

  it.each([
    ['an unknown name', '{"op":"subscribeAll"}', 'unknown op "subscribeAll"'],
    ['a different case', '{"op":"PING"}', 'unknown op "PING"'],
    ['a number', '{"op":5}', 'unknown op "5"'],
    ['null', '{"op":null}', 'unknown op "null"'],
  ])('an op that is %s', (_, frame, message) => {
    expect(text(frame)).toEqual({ ok: false, code: 'UNKNOWN_OP', message });
  });

  it('a long unknown op with its echo cut short', () => {
    const result = text(JSON.stringify({ op: 'x'.repeat(500) }));
    expect(result).toMatchObject({ ok: false, code: 'UNKNOWN_OP' });
    expect(!result.ok && result.message.length).toBeLessThanOrEqual('unknown op '.length + 40);
  });

  it.each([
    ['missing', '{"op":"subscribe"}'],
    ['not an array', '{"op":"subscribe","portfolios":1}'],
    ['an object', '{"op":"unsubscribe","portfolios":{"0":1}}'],
    ['an empty array', '{"op":"subscribe","portfolios":[]}'],
    ['too many ids', JSON.stringify({ op: 'subscribe', portfolios: Array.from({ length: 101 }, (_, i) => i + 1) })],
  ])('portfolios that are %s', (_, frame) => {
    expect(text(frame)).toEqual({
      ok: false,
      code: 'BAD_ARGUMENT',
      message: 'portfolios must be an array of 1 to 100 ids',
    });
  });

  it.each([
    ['strings', '{"op":"subscribe","portfolios":["1"]}'],
    ['floats', '{"op":"subscribe","portfolios":[1.5]}'],
    ['negative', '{"op":"subscribe","portfolios":[-1]}'],
    ['zero', '{"op":"subscribe","portfolios":[0]}'],
    ['null', '{"op":"unsubscribe","portfolios":[null]}'],
    ['booleans', '{"op":"subscribe","portfolios":[true]}'],
    ['nested arrays', '{"op":"subscribe","portfolios":[[1]]}'],
    ['beyond the safe integers', '{"op":"subscribe","portfolios":[9007199254740993]}'],
    ['one bad among good', '{"op":"subscribe","portfolios":[1,2,"3"]}'],
  ])('portfolio ids that are %s', (_, frame) => {
    expect(text(frame)).toEqual({
      ok: false,
      code: 'BAD_ARGUMENT',
      message: 'portfolio ids must be positive integers',
    });
  });

  it(`a frame over ${MAX_CLIENT_FRAME_BYTES} bytes, before reading it`, () => {
    const frame = '{"op":"ping","pad":""}';
    const over = frame.replace('""', `"${'x'.repeat(4_097 - frame.length)}"`);
    expect(text(over)).toMatchObject({
      ok: false,
      code: 'FRAME_TOO_LARGE',
      message: expect.stringContaining('4096 bytes'),
    });
    // Not even valid JSON is read once it is too large.
    expect(text('x'.repeat(10_000))).toMatchObject({ ok: false, code: 'FRAME_TOO_LARGE' });
  });

  it('a frame over the limit in bytes though not in characters', () => {
    const frame = `{"op":"ping","pad":"${'é'.repeat(2_100)}"}`; // 2 bytes each in UTF-8
    expect(frame.length).toBeLessThan(4_096);
    expect(text(frame)).toMatchObject({ ok: false, code: 'FRAME_TOO_LARGE' });
  });
});
