// Request/response over a child process's IPC channel. The benchmark's helpers (the client fleet,
// the floor server) run as separate processes so that their CPU is never counted as the measured
// server's; the orchestrator drives them with awaited calls instead of ad-hoc messages.
import type { ChildProcess } from 'node:child_process';

type Api = Record<string, (arg: never) => unknown>;

interface Request {
  rpc: number;
  method: string;
  arg: unknown;
}

type Response = { rpc: number; ok: true; value: unknown } | { rpc: number; ok: false; error: string };

/** The first message a child sends: it listens for calls from now on. */
const READY = { ready: true };

/** In the child: answers the parent's calls; exits when the parent goes away, so nothing leaks. */
export function serveParent(api: Api): void {
  if (!process.send) throw new Error('this module runs as a child process with an IPC channel (fork)');
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: Request) => {
    const method = api[message.method];
    const reply = (r: Response) => process.send!(r);
    Promise.resolve()
      .then(() => {
        if (!method) throw new Error(`unknown method ${message.method}`);
        return method(message.arg as never);
      })
      .then(
        (value) => reply({ rpc: message.rpc, ok: true, value }),
        (err: unknown) =>
          reply({ rpc: message.rpc, ok: false, error: err instanceof Error ? err.stack! : String(err) }),
      );
  });
  process.send(READY);
}

/** In the parent: a typed caller for the api a child serves. */
export class ChildApi<T extends Api> {
  private next = 1;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  /** Resolves once the child serves calls; rejects if it exits first. */
  readonly ready: Promise<void>;

  constructor(readonly child: ChildProcess) {
    this.ready = new Promise((resolve, reject) => {
      child.on('message', (m: unknown) => {
        if ((m as typeof READY).ready) resolve();
      });
      child.once('exit', (code, signal) => reject(new Error(`child exited (${signal ?? code}) while starting`)));
    });
    child.on('message', (m: Response) => {
      const w = this.waiting.get(m.rpc);
      if (!w) return;
      this.waiting.delete(m.rpc);
      if (m.ok) w.resolve(m.value);
      else w.reject(new Error(m.error));
    });
    child.on('exit', (code, signal) => {
      for (const w of this.waiting.values()) w.reject(new Error(`child exited (${signal ?? code}) during a call`));
      this.waiting.clear();
    });
  }

  call<K extends keyof T & string>(method: K, arg: Parameters<T[K]>[0]): Promise<Awaited<ReturnType<T[K]>>> {
    const rpc = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(rpc, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ rpc, method, arg } satisfies Request);
    });
  }
}
