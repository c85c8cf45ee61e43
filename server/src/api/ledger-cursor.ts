// The cursor of GET /portfolios/:id/transactions: where the next page starts in the ledger's
// newest-first order, (time in microseconds, id), opaque to clients (base64url) so its form can
// change. Anything that does not decode to one is refused, never guessed at.
import type { LedgerPosition } from '../store/transactions.js';

const FORM = /^v1:(\d{1,19}):([1-9]\d{0,18})$/;
const INT8_MAX = 2n ** 63n - 1n;

export function encodeCursor(at: LedgerPosition): string {
  return Buffer.from(`v1:${at.micros}:${at.id}`).toString('base64url');
}

/** The position, or undefined when `cursor` is not one this server issued. */
export function decodeCursor(cursor: string): LedgerPosition | undefined {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cursor)) return undefined;
  const match = FORM.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  if (!match) return undefined;
  const micros = BigInt(match[1]!);
  const id = Number(match[2]!);
  if (micros > INT8_MAX || !Number.isSafeInteger(id)) return undefined;
  return { micros, id };
}
