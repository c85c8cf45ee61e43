// The tick stream contract (docs/streams.md): each entry carries symbol, price, size and ts as
// strings. Parsing is strict so that a producer's bug is rejected with a reason instead of
// becoming a wrong number on a trader's screen.
import { PRICE_DECIMALS } from '../engine/money.js';

export interface Tick {
  /** Redis Stream entry id. */
  id: string;
  symbol: string;
  price: number;
  size: number;
  /** Exchange time, ms since the Unix epoch. */
  time: number;
  source?: string;
}

export type TickResult = { ok: true; tick: Tick } | { ok: false; reason: string };

const SYMBOL = /^[A-Z][A-Z0-9.]{0,9}$/;
const PRICE = new RegExp(`^\\d{1,9}(\\.\\d{1,${PRICE_DECIMALS}})?$`);
const SIZE = /^\d{1,12}(\.\d{1,8})?$/;
const TIME = /^\d{1,15}$/;
/** Exchange clocks and ours disagree a little; more than this ahead is a producer bug. */
export const MAX_FUTURE_SKEW_MS = 5_000;

/** Redis returns fields as a flat [name, value, name, value ...] list. */
export function parseTick(
  id: string,
  flat: readonly string[],
  isKnownSymbol: (symbol: string) => boolean,
  now: number,
): TickResult {
  // Named variables rather than an object per tick: this runs for every tick the persister and
  // each gateway read. A field given twice counts with its last value; unknown fields are ignored.
  let symbol: string | undefined;
  let price: string | undefined;
  let size = '0';
  let ts: string | undefined;
  let src: string | undefined;
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const value = flat[i + 1]!;
    switch (flat[i]) {
      case 'symbol':
        symbol = value;
        break;
      case 'price':
        price = value;
        break;
      case 'size':
        size = value;
        break;
      case 'ts':
        ts = value;
        break;
      case 'src':
        src = value;
        break;
    }
  }
  if (symbol === undefined || !SYMBOL.test(symbol))
    return { ok: false, reason: `malformed symbol ${JSON.stringify(symbol)}` };
  if (!isKnownSymbol(symbol)) return { ok: false, reason: `unknown symbol ${symbol}` };
  if (price === undefined || !PRICE.test(price)) {
    return {
      ok: false,
      reason: `price must be a positive decimal with at most ${PRICE_DECIMALS} places, got ${JSON.stringify(price)}`,
    };
  }
  const priceValue = Number(price);
  if (!(priceValue > 0)) return { ok: false, reason: `price must be positive, got ${price}` };
  if (!SIZE.test(size))
    return { ok: false, reason: `size must be a non-negative decimal, got ${JSON.stringify(size)}` };
  if (ts === undefined || !TIME.test(ts))
    return { ok: false, reason: `ts must be milliseconds since the epoch, got ${JSON.stringify(ts)}` };
  const time = Number(ts);
  if (time > now + MAX_FUTURE_SKEW_MS)
    return { ok: false, reason: `ts ${ts} is more than ${MAX_FUTURE_SKEW_MS} ms in the future` };
  const tick: Tick = { id, symbol, price: priceValue, size: Number(size), time };
  if (src !== undefined) tick.source = src.slice(0, 64);
  return { ok: true, tick };
}

/** String() prints numbers below 1e-6 in exponent form ("1e-8"), which the SIZE pattern refuses. */
const plainDecimal = (n: number) => (n > 0 && n < 1e-6 ? n.toFixed(8).replace(/0+$/, '') : String(n));

/** The fields a producer writes for a tick, in the order XADD takes them. */
export function tickFields(t: {
  symbol: string;
  price: number | string;
  size: number;
  time: number;
  source?: string;
}): string[] {
  const fields = ['symbol', t.symbol, 'price', String(t.price), 'size', plainDecimal(t.size), 'ts', String(t.time)];
  if (t.source) fields.push('src', t.source);
  return fields;
}
