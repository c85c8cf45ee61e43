// Starts a worker thread from a module next to the caller and wraps it with comlink. In production
// the module is compiled JavaScript; under the test runner it is TypeScript, loaded through tsx.
import { Worker, type ResourceLimits } from 'node:worker_threads';
import * as Comlink from 'comlink';
import { createRequire } from 'node:module';

// The UMD file sets module.exports to the function itself while its typings describe a default
// export; require() gets the function whatever module resolution the caller's tooling uses.
const nodeEndpoint = createRequire(import.meta.url)('comlink/dist/umd/node-adapter.js') as NodeAdapter;
type NodeAdapter = (typeof import('comlink/dist/umd/node-adapter.js'))['default'];

export interface Thread<T> {
  api: Comlink.Remote<T>;
  worker: Worker;
  /** Ends the thread; pending calls reject. */
  terminate(): Promise<void>;
}

export interface ThreadOptions {
  /** V8 heap limits: a worker that exceeds them dies alone instead of taking the process with it. */
  resourceLimits?: ResourceLimits;
}

/** `callerUrl` is the caller's import.meta.url; `name` the module's file name without extension. */
export function startThread<T>(
  callerUrl: string,
  name: string,
  workerData?: unknown,
  options: ThreadOptions = {},
): Thread<T> {
  const typescript = callerUrl.endsWith('.ts');
  const url = new URL(`./${name}${typescript ? '.ts' : '.js'}`, callerUrl);
  // Node 20 does not pass --import loaders on to workers: a TypeScript worker registers tsx itself.
  const worker = typescript
    ? new Worker(
        `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`,
        {
          eval: true,
          workerData,
          ...options,
        },
      )
    : new Worker(url, { workerData, ...options });
  const api = Comlink.wrap<T>(nodeEndpoint(worker as never));
  return {
    api,
    worker,
    async terminate() {
      api[Comlink.releaseProxy]();
      await worker.terminate();
    },
  };
}

/** The worker side: expose `api` to the thread that started this one. */
export async function exposeToParent(api: object): Promise<void> {
  const { parentPort } = await import('node:worker_threads');
  if (!parentPort) throw new Error('exposeToParent must run inside a worker thread');
  Comlink.expose(api, nodeEndpoint(parentPort as never));
}
