// Frames meant for one trader rather than one portfolio (an alert fired, a report's progress). The
// trader may be connected to any gateway, through several sockets, or to none: the sender
// publishes on a Redis channel and every gateway hands the frame to that user's topic, which each
// of the user's authenticated sockets joined. A user with no socket open simply misses the notice;
// whatever must outlive that (fired alerts, finished reports) is stored and listed by the API.
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';

/** The uWS topic every authenticated socket of a user joins. */
export const userTopic = (userId: number) => `u/${userId}`;

export interface UserNotices {
  /** Delivers `frame` (a serialised server frame) to every open socket of `userId`, on any gateway. */
  send(userId: number, frame: string): Promise<void>;
  stop(): Promise<void>;
}

export async function userNotices(
  publisher: Redis,
  subscriber: Redis,
  channel: string,
  deliver: (topic: string, frame: string) => void,
  log: Logger,
): Promise<UserNotices> {
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    // "<userId> <frame>": the frame is passed on untouched, never parsed here.
    const space = message.indexOf(' ');
    const userId = Number(message.slice(0, space));
    if (space > 0 && Number.isSafeInteger(userId) && userId > 0) deliver(userTopic(userId), message.slice(space + 1));
    else log.warn({ message: message.slice(0, 64) }, 'ignored a malformed user notice');
  });
  // ioredis re-subscribes by itself after a reconnect.
  await subscriber.subscribe(channel);
  return {
    async send(userId, frame) {
      await publisher.publish(channel, `${userId} ${frame}`);
    },
    async stop() {
      await subscriber.unsubscribe(channel).catch(() => undefined);
    },
  };
}
