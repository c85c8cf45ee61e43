// Keeps the tick stream bounded without ever dropping a tick the persister has not stored. Producers
// never trim (docs/streams.md); this does, every few seconds: everything older than both the oldest
// unacknowledged entry of the persister's group and the retention window goes (XTRIM MINID ~, which
// removes only entries below the id, and with ~ only whole nodes of them). Without a group (nobody
// persists) it caps the stream by length instead.
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { compareIds, nextId } from './stream-ids.js';

export interface TrimOptions {
  stream: string;
  group: string;
  /** Acknowledged ticks are kept this long too: a starting gateway reads recent prices from the stream. */
  retainMs: number;
  /** The cap when no consumer group exists. */
  maxLenWithoutGroup: number;
}

export interface TrimResult {
  /** Entries removed. */
  trimmed: number;
  /** Entries below this id may go; undefined when capped by length. */
  minId?: string;
  /** Entries delivered but not acknowledged plus entries not yet delivered. */
  backlog: number;
}

interface GroupInfo {
  name: string;
  pending: number;
  lastDeliveredId: string;
  lag: number | null;
}

/** One trimming pass at `now` (ms). */
export async function trimStream(redis: Redis, o: TrimOptions, now: number): Promise<TrimResult> {
  const group = (await groups(redis, o.stream)).find((g) => g.name === o.group);
  if (!group) {
    const trimmed = (await redis.xtrim(o.stream, 'MAXLEN', '~', o.maxLenWithoutGroup)) as number;
    return { trimmed, backlog: 0 };
  }
  // Every entry up to the last delivered one is acknowledged, except those still pending.
  let safe = nextId(group.lastDeliveredId);
  if (group.pending > 0) {
    const [, oldestPending] = (await redis.xpending(o.stream, o.group)) as [number, string | null, ...unknown[]];
    if (oldestPending && compareIds(oldestPending, safe) < 0) safe = oldestPending;
  }
  const retained = `${Math.max(0, now - o.retainMs)}-0`;
  const minId = compareIds(retained, safe) < 0 ? retained : safe;
  const trimmed = (await redis.xtrim(o.stream, 'MINID', '~', minId)) as number;
  return { trimmed, minId, backlog: group.pending + (group.lag ?? 0) };
}

async function groups(redis: Redis, stream: string): Promise<GroupInfo[]> {
  let reply: unknown[][];
  try {
    reply = (await redis.xinfo('GROUPS', stream)) as unknown[][];
  } catch (err) {
    if (/no such key/i.test((err as Error).message)) return [];
    throw err;
  }
  return reply.map((flat) => {
    const f = new Map<string, unknown>();
    for (let i = 0; i + 1 < flat.length; i += 2) f.set(String(flat[i]), flat[i + 1]);
    return {
      name: String(f.get('name')),
      pending: Number(f.get('pending')),
      lastDeliveredId: String(f.get('last-delivered-id')),
      lag: f.get('lag') === null || f.get('lag') === undefined ? null : Number(f.get('lag')),
    };
  });
}

/** Runs trimStream every `everyMs`, warning when the backlog passes `warnBacklog`. */
export class StreamTrimmer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private warned = false;

  constructor(
    private readonly redis: Redis,
    private readonly o: TrimOptions & { everyMs: number; warnBacklog: number; log: Logger },
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.pass().finally(() => (this.running = undefined));
    }, this.o.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async pass(): Promise<void> {
    try {
      const result = await trimStream(this.redis, this.o, Date.now());
      if (result.backlog > this.o.warnBacklog && !this.warned) {
        this.warned = true;
        this.o.log.warn(
          { backlog: result.backlog },
          'tick stream backlog is large: the persister is behind or down; Redis memory grows until it catches up',
        );
      } else if (result.backlog <= this.o.warnBacklog) {
        this.warned = false;
      }
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'tick stream trim failed');
    }
  }
}
