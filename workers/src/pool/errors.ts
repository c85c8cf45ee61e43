// The errors the pool rejects a task with, each with a stable `code` the API can map to a status.

export class PoolBusyError extends Error {
  override readonly name = 'PoolBusyError';
  readonly code = 'POOL_BUSY';
  constructor(readonly maxQueue: number) {
    super(`metrics pool is busy: ${maxQueue} tasks already waiting`);
  }
}

export class PoolClosedError extends Error {
  override readonly name = 'PoolClosedError';
  readonly code = 'POOL_CLOSED';
  constructor() {
    super('metrics pool is closed');
  }
}

/** The worker running the task died (process.exit, uncaught error, out of memory). */
export class WorkerCrashedError extends Error {
  override readonly name = 'WorkerCrashedError';
  readonly code = 'WORKER_CRASHED';
  constructor(
    readonly workerId: number,
    readonly exitCode: number,
    cause?: Error,
  ) {
    super(`metrics worker ${workerId} died (exit code ${exitCode})${cause ? `: ${cause.message}` : ''}`, { cause });
  }
}

/** The task ran past the pool's task timeout; its worker was terminated and replaced. */
export class TaskTimeoutError extends Error {
  override readonly name = 'TaskTimeoutError';
  readonly code = 'TASK_TIMEOUT';
  constructor(
    readonly workerId: number,
    readonly timeoutMs: number,
  ) {
    super(`metrics task on worker ${workerId} ran past ${timeoutMs} ms; the worker was replaced`);
  }
}
