// Taking ownership of a queued task's typed arrays at submit. structuredClone with a transfer list
// moves each buffer (the caller's views become detached, nothing is copied: about 1 ms for 512 MB,
// where a copy takes close to a second), so a task cannot be changed under the pool's feet while it
// waits, and the same buffers then move on to the worker. It costs about 7 µs a task on the main
// thread, which is why a task that finds a worker free skips it and is transferred straight there.

export interface Owned<T> {
  value: T;
  /** The moved buffers (new objects, now the pool's) to hand on to the worker. */
  transfers: ArrayBuffer[];
}

export function takeOwnership<T>(value: T): Owned<T> {
  let owned: T;
  try {
    owned = structuredClone(value, { transfer: buffersOf(value) });
  } catch (err) {
    // V8's own message for a view on a detached buffer is "Unable to deserialize cloned data".
    throw new TypeError(
      `the task's data cannot be handed to a worker (${(err as Error).message}); ` +
        'a typed array already given to the pool is detached: pass a fresh one',
      { cause: err },
    );
  }
  return { value: owned, transfers: buffersOf(owned) };
}

/** The transferable buffers inside `value`, each once. */
export function buffersOf(value: unknown): ArrayBuffer[] {
  return [...collectBuffers(value, new Set(), new Set())];
}

// Several views may share one buffer: a transfer list must name it once. A SharedArrayBuffer is
// shared already and cannot be transferred.
function collectBuffers(value: unknown, found: Set<ArrayBuffer>, seen: Set<object>): Set<ArrayBuffer> {
  if (typeof value !== 'object' || value === null || seen.has(value)) return found;
  seen.add(value);
  if (value instanceof ArrayBuffer) found.add(value);
  else if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) found.add(value.buffer);
  } else {
    for (const item of Array.isArray(value) ? value : Object.values(value)) collectBuffers(item, found, seen);
  }
  return found;
}
