// Every process the benchmark starts goes through here, so that all of them are stopped when the
// run ends, fails or is interrupted: a leftover server would hold a port and skew the next run.
import { fork, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { followStderr } from './inspector.js';

export interface Started {
  child: ChildProcess;
  /** Its stderr, forwarded with a prefix; its inspector URL when started with --inspect. */
  stderr: ReturnType<typeof followStderr>;
}

const running = new Set<ChildProcess>();
const STOP_GRACE_MS = 15_000;

function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** Starts `node <args>`; stdout is the caller's to read, stderr is forwarded. */
export function spawnNode(name: string, args: string[], options: SpawnOptions): Started {
  const child = track(spawn(process.execPath, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] }));
  return { child, stderr: followStderr(child, `[${name}]`) };
}

/**
 * Starts one of this folder's TypeScript modules as a child with an IPC channel (through tsx:
 * it only transpiles at load, the code that runs afterwards is the same as compiled JavaScript).
 */
export function forkModule(name: string, file: string, nodeArgs: string[] = []): Started {
  const path = fileURLToPath(new URL(file, import.meta.url));
  const child = track(
    fork(path, [], {
      execArgv: ['--import', 'tsx', ...nodeArgs],
      // Typed arrays (histograms) cross the channel as they are.
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    }),
  );
  return { child, stderr: followStderr(child, `[${name}]`) };
}

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Asks a child to stop (SIGINT lets the server shut down cleanly), then insists. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGINT'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited(child);
  clearTimeout(timer);
}

export function killAllChildren(): void {
  for (const child of running) child.kill('SIGKILL');
}

// Whatever ends this process, its children end with it (each by its own pid).
process.on('exit', killAllChildren);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the benchmark's processes`);
    killAllChildren();
    process.exit(130);
  });
}
