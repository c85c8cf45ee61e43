// Prices the gateway needs on start that the stream may no longer hold.
import type { Queryable } from '../db/database.js';

/** How far back to look for a symbol's last tick before a session close. */
const CLOSE_LOOKBACK = '10 days';

/** Each symbol's last traded price before `sessionClose` (within CLOSE_LOOKBACK of it). */
export async function closingPrices(db: Queryable, sessionClose: Date): Promise<Map<string, number>> {
  const rows = await db.query<{ symbol: string; price: number }>(
    `SELECT a.symbol, t.price
       FROM assets a
       CROSS JOIN LATERAL (
         SELECT price FROM ticks
          WHERE ticks.symbol = a.symbol AND time < $1 AND time >= $1::timestamptz - $2::interval
          ORDER BY time DESC LIMIT 1
       ) t`,
    [sessionClose, CLOSE_LOOKBACK],
  );
  return new Map(rows.map((r) => [r.symbol, r.price]));
}
