// Trading sessions end at a fixed minute of the UTC day (21:00 by default: the US close in
// winter). The day change of a position is measured from the last price before that moment.
// The simulated market trades around the clock, so every day has a close, weekends included.

const DAY_MS = 24 * 60 * 60 * 1000;
const MINUTE_MS = 60 * 1000;

/** The most recent session close at or before `now`. */
export function lastSessionClose(now: number, closeMinuteUtc: number): number {
  const todaysClose = Math.floor(now / DAY_MS) * DAY_MS + closeMinuteUtc * MINUTE_MS;
  return todaysClose <= now ? todaysClose : todaysClose - DAY_MS;
}

/** The next session close strictly after `now`. */
export function nextSessionClose(now: number, closeMinuteUtc: number): number {
  return lastSessionClose(now, closeMinuteUtc) + DAY_MS;
}
