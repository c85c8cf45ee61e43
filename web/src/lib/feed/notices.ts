// Hands the socket's user notices (job progress, alerts) to whichever parts of the page listen,
// including ones loaded later (the exports menu is a lazy chunk): the feed emits, panels listen.
import type { NoticeFrame } from './types';

export type NoticeListener = (frame: NoticeFrame) => void;

export class Notices {
  readonly #listeners = new Set<NoticeListener>();

  emit(frame: NoticeFrame): void {
    for (const listener of this.#listeners) listener(frame);
  }

  /** Returns the function that stops listening. */
  listen(listener: NoticeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
