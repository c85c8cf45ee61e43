// Ticks that fail the stream contract go to a dead-letter stream with the reason and the original
// fields, so a producer's bug is visible and replayable instead of silently dropped. The stream is
// capped (it is for diagnosis); the counter beside it counts every rejection ever.
import type { ChainableCommander } from 'ioredis';

/** Dead letters kept (approximately: MAXLEN ~ trims whole nodes). */
export const DEAD_LETTER_MAXLEN = 100_000;

export interface DeadLetter {
  /** Where the tick came from: the tick stream (with its entry id) or the HTTP ingest endpoint. */
  origin: 'stream' | 'http';
  /** The stream entry id; empty for HTTP. */
  id: string;
  reason: string;
  /** The tick's fields exactly as received, as a flat [name, value, ...] list. */
  fields: readonly string[];
}

export interface DeadLetterKeys {
  deadTicks: string;
  deadTicksCount: string;
}

/** Queues the dead letters and the counter increment on `batch` (a MULTI or a pipeline). */
export function queueDeadLetters(
  batch: ChainableCommander,
  keys: DeadLetterKeys,
  letters: readonly DeadLetter[],
  now: number,
): void {
  if (letters.length === 0) return;
  for (const letter of letters) {
    batch.xadd(
      keys.deadTicks,
      'MAXLEN',
      '~',
      DEAD_LETTER_MAXLEN,
      '*',
      'origin',
      letter.origin,
      'id',
      letter.id,
      'reason',
      letter.reason,
      'at',
      String(now),
      'fields',
      JSON.stringify(letter.fields),
    );
  }
  batch.incrby(keys.deadTicksCount, letters.length);
}
