// The one place that knows how server frames look on the wire (docs/protocol.md). Amounts leave the
// engine as integer cents and go out as decimal numbers with at most two places.
import { basisPointsToPercent, centsToAmount } from '../engine/money.js';
import type { PortfolioDelta, PortfolioSnapshot, PositionChange } from '../engine/types.js';

export const PROTOCOL_VERSION = 1;

export type ErrorCode =
  | 'BAD_FRAME'
  | 'UNKNOWN_OP'
  | 'BAD_ARGUMENT'
  | 'FRAME_TOO_LARGE'
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'RATE_LIMITED'
  | 'INTERNAL';

/** `user` is null when the socket has yet to send an auth frame. */
export function helloFrame(user: { id: number; username: string } | null): string {
  return JSON.stringify({
    type: 'hello',
    v: PROTOCOL_VERSION,
    user: user && { id: user.id, username: user.username },
  });
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

const percent = (bp: number | null) => (bp === null ? null : basisPointsToPercent(bp));

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
    dayChange: centsToAmount(s.dayChange),
    dayChangePct: percent(s.dayChangePct),
    positions: s.positions.map((p) => ({
      symbol: p.symbol,
      name: p.name,
      quantity: p.quantity,
      price: p.price,
      previousClose: p.previousClose,
      value: centsToAmount(p.value),
      cost: centsToAmount(p.cost),
      pnl: centsToAmount(p.pnl),
      dayChange: centsToAmount(p.dayChange),
      weight: percent(p.weight),
      target: percent(p.target),
      drift: percent(p.drift),
    })),
  });
}

export function deltaFrame(d: PortfolioDelta): string {
  const positions: Record<string, Record<string, number>> = {};
  for (const symbol in d.positions) positions[symbol] = changeOnWire(d.positions[symbol]!);
  const frame: Record<string, unknown> = {
    type: 'delta',
    v: PROTOCOL_VERSION,
    portfolio: d.portfolio,
    epoch: d.epoch,
    seq: d.seq,
    tickTime: d.tickTime,
  };
  if (d.value !== undefined) frame.value = centsToAmount(d.value);
  if (d.pnl !== undefined) frame.pnl = centsToAmount(d.pnl);
  if (d.dayChange !== undefined) frame.dayChange = centsToAmount(d.dayChange);
  if (d.dayChangePct !== undefined) frame.dayChangePct = percent(d.dayChangePct);
  frame.positions = positions;
  return JSON.stringify(frame);
}

function changeOnWire(c: PositionChange): Record<string, number> {
  const out: Record<string, number> = {};
  if (c.price !== undefined) out.price = c.price;
  if (c.previousClose !== undefined) out.previousClose = c.previousClose;
  if (c.value !== undefined) out.value = centsToAmount(c.value);
  if (c.pnl !== undefined) out.pnl = centsToAmount(c.pnl);
  if (c.dayChange !== undefined) out.dayChange = centsToAmount(c.dayChange);
  if (c.weight !== undefined) out.weight = basisPointsToPercent(c.weight);
  if (c.drift !== undefined) out.drift = basisPointsToPercent(c.drift);
  return out;
}

/** A user notice: one of the trader's alerts fired (docs/protocol.md, User notices). */
export function alertFrame(a: {
  alert: number;
  firing: number;
  kind: string;
  description: string;
  value: number;
  time: number;
}): string {
  return JSON.stringify({ type: 'alert', v: PROTOCOL_VERSION, ...a });
}

/** A user notice: progress of one of the trader's background jobs, e.g. an export (docs/protocol.md). */
export function jobFrame(j: {
  id: string;
  kind: string;
  portfolio: number;
  status: string;
  progress: number;
  error: string | null;
  file: { name: string; contentType: string; size: number; url: string } | null;
}): string {
  return JSON.stringify({
    type: 'job',
    v: PROTOCOL_VERSION,
    id: j.id,
    kind: j.kind,
    portfolio: j.portfolio,
    status: j.status,
    progress: j.progress,
    error: j.error,
    file: j.file,
  });
}
