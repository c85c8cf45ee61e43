// The one place that knows how server frames look on the wire (docs/protocol.md). Amounts leave the
// engine as integer cents and go out as decimal numbers with at most two places.
import { centsToAmount } from '../engine/money.js';
import type { PortfolioDelta, PortfolioSnapshot, PositionChange } from '../engine/types.js';

export const PROTOCOL_VERSION = 1;

export type ErrorCode = 'BAD_FRAME' | 'UNKNOWN_OP' | 'BAD_ARGUMENT' | 'FRAME_TOO_LARGE' | 'NOT_FOUND' | 'INTERNAL';

export function helloFrame(user: { id: number; username: string }): string {
  return JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION, user: { id: user.id, username: user.username } });
}

export function pongFrame(now: number): string {
  return JSON.stringify({ type: 'pong', v: PROTOCOL_VERSION, time: now });
}

export function errorFrame(code: ErrorCode, message: string, portfolio?: number): string {
  return JSON.stringify({
    type: 'error',
    v: PROTOCOL_VERSION,
    code,
    message,
    ...(portfolio === undefined ? {} : { portfolio }),
  });
}

export function snapshotFrame(s: PortfolioSnapshot): string {
  return JSON.stringify({
    type: 'snapshot',
    v: PROTOCOL_VERSION,
    portfolio: s.portfolio,
    epoch: s.epoch,
    seq: s.seq,
    tickTime: s.tickTime,
    value: centsToAmount(s.value),
    cost: centsToAmount(s.cost),
    pnl: centsToAmount(s.pnl),
    positions: s.positions.map((p) => ({
      symbol: p.symbol,
      name: p.name,
      quantity: p.quantity,
      price: p.price,
      value: centsToAmount(p.value),
      cost: centsToAmount(p.cost),
      pnl: centsToAmount(p.pnl),
    })),
  });
}

export function deltaFrame(d: PortfolioDelta): string {
  const positions: Record<string, Record<string, number>> = {};
  for (const [symbol, change] of Object.entries(d.positions)) positions[symbol] = changeOnWire(change);
  return JSON.stringify({
    type: 'delta',
    v: PROTOCOL_VERSION,
    portfolio: d.portfolio,
    epoch: d.epoch,
    seq: d.seq,
    tickTime: d.tickTime,
    ...(d.value === undefined ? {} : { value: centsToAmount(d.value) }),
    ...(d.pnl === undefined ? {} : { pnl: centsToAmount(d.pnl) }),
    positions,
  });
}

function changeOnWire(c: PositionChange): Record<string, number> {
  const out: Record<string, number> = {};
  if (c.price !== undefined) out.price = c.price;
  if (c.value !== undefined) out.value = centsToAmount(c.value);
  if (c.pnl !== undefined) out.pnl = centsToAmount(c.pnl);
  return out;
}
