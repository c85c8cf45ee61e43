// When a portfolio's positions or targets change (a transaction, new target weights), every
// gateway that keeps it hot must value the new holdings. The writer publishes the portfolio's id on
// a Redis channel; each gateway reloads it and sends its followers a snapshot under a new epoch.
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';

export interface PortfolioChanges {
  /** Tells every gateway (this one included) that `portfolioId` changed. */
  announce(portfolioId: number): Promise<void>;
  stop(): Promise<void>;
}

export async function portfolioChanges(
  publisher: Redis,
  subscriber: Redis,
  channel: string,
  onChange: (portfolioId: number) => void,
  log: Logger,
): Promise<PortfolioChanges> {
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    const id = Number(message);
    if (Number.isSafeInteger(id) && id > 0) onChange(id);
    else log.warn({ message: message.slice(0, 64) }, 'ignored a malformed portfolio change');
  });
  // ioredis re-subscribes by itself after a reconnect.
  await subscriber.subscribe(channel);
  return {
    async announce(portfolioId) {
      await publisher.publish(channel, String(portfolioId));
    },
    async stop() {
      await subscriber.unsubscribe(channel).catch(() => undefined);
    },
  };
}
