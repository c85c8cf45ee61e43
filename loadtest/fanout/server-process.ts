// The real server as a child process on the prepared data. By default it runs compiled JavaScript
// (what production runs), built from the current sources into a private folder so that the
// repository's own dist/ is never touched and never stale.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { spawnNode, stopChild } from './children.js';
import { SERVER_NODE_FLAGS } from '../../server/src/node-flags.js';
import { INSPECT_ARG } from './inspector.js';

export type ServerBuild = 'build' | 'dist' | 'tsx';

export const PROJECT_ROOT = new URL('../../', import.meta.url).pathname;
const PRIVATE_BUILD = join(PROJECT_ROOT, 'node_modules/.cache/tickdash-fanout');
const START_TIMEOUT_MS = 120_000;
const PINO_WARN = 40;

/** The node arguments that start the server as production does, compiling it first when asked to. */
export function serverEntry(build: ServerBuild): { args: string[]; what: string } {
  const { args, what } = entryScript(build);
  return { args: [...SERVER_NODE_FLAGS, ...args], what };
}

function entryScript(build: ServerBuild): { args: string[]; what: string } {
  if (build === 'tsx') return { args: ['--import', 'tsx', 'server/src/main.ts'], what: 'server/src via tsx' };
  if (build === 'dist') {
    const main = join(PROJECT_ROOT, 'dist/server/src/main.js');
    if (!existsSync(main)) throw new Error('dist/server/src/main.js is missing: run `npm run build:server`');
    return { args: [main], what: 'dist/ as built' };
  }
  const tsc = join(PROJECT_ROOT, 'node_modules/typescript/bin/tsc');
  const args = [
    '-p',
    'tsconfig.json',
    '--outDir',
    PRIVATE_BUILD,
    '--tsBuildInfoFile',
    join(PRIVATE_BUILD, '.tsbuildinfo'),
  ];
  try {
    execFileSync(process.execPath, [tsc, ...args], { cwd: PROJECT_ROOT, stdio: 'pipe' });
  } catch (err) {
    // tsc still writes JavaScript when types are wrong; a half-edited tree can usually run.
    const out = String((err as { stdout?: Buffer }).stdout ?? err);
    console.error(`warning: the server does not type-check, benchmarking its emitted JavaScript anyway:\n${out}`);
  }
  return { args: [join(PRIVATE_BUILD, 'server/src/main.js')], what: 'server/src compiled with tsc (private build)' };
}

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  /** Its inspector URL (the server runs with --inspect so that the benchmark can trigger a GC). */
  inspector: Promise<string>;
  stop(): Promise<void>;
}

/** Starts the server and resolves with the URL from its start log line. */
export function startServer(nodeArgs: string[], env: Record<string, string>): Promise<ServerProcess> {
  const { child, stderr } = spawnNode('server', [INSPECT_ARG, ...nodeArgs], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stopChild(child);
      reject(new Error('the server did not report its URL in time'));
    }, START_TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${signal ?? code}) before starting:\n${stderr.tail()}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: { level?: number; url?: string; msg?: string };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return void console.error(`[server] ${line}`);
      }
      if ((entry.level ?? 0) >= PINO_WARN) console.error(`[server] ${line}`);
      if (entry.url && entry.msg?.startsWith('dashboard at')) {
        clearTimeout(timer);
        resolve({ child, pid: child.pid!, url: entry.url, inspector: stderr.inspector, stop: () => stopChild(child) });
      }
    });
  });
}
