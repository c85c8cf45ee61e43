// The profilers the scripts know, and how each one wraps the server's start command. clinic lives in
// this folder's own package (about 150 MB with its dependencies), installed on first use, so the
// product's install stays lean; `node --cpu-prof` needs nothing.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../fanout/server-process.js';

export type Tool = 'cpu' | 'doctor' | 'flame' | 'heap';
export const TOOLS: readonly Tool[] = ['cpu', 'doctor', 'flame', 'heap'];

const HERE = join(PROJECT_ROOT, 'loadtest/profile');
const CLINIC_BIN = join(HERE, 'node_modules/clinic/bin.js');
const CLINIC_COMMAND: Record<Exclude<Tool, 'cpu'>, string> = {
  doctor: 'doctor',
  flame: 'flame',
  heap: 'heapprofiler',
};

export interface Wrapped {
  /** Node arguments that start the profiler with the server inside it. */
  nodeArgs: string[];
  env: Record<string, string>;
  /**
   * Whether the server runs as a child of the process started (clinic): SIGINT must then reach
   * that child (flame's sampler only writes its data when its own process is interrupted), and
   * clinic, once its child has exited, analyses the data and writes the HTML report.
   */
  serverIsChild: boolean;
}

/** `serverArgs` are the node arguments that start the server on its own. */
export function wrap(tool: Tool, serverArgs: string[], outDir: string): Wrapped {
  if (tool === 'cpu') {
    return { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${outDir}`, ...serverArgs], env: {}, serverIsChild: false };
  }
  return {
    nodeArgs: [
      CLINIC_BIN,
      CLINIC_COMMAND[tool],
      '--open=false',
      '--dest',
      outDir,
      '--',
      process.execPath,
      ...serverArgs,
    ],
    // Without NO_INSIGHT clinic 13 asks about telemetry and silently does nothing when headless.
    env: { NO_INSIGHT: '1' },
    serverIsChild: true,
  };
}

/** Installs clinic into this folder when it is missing (first install under the shared npm lock). */
export function ensureClinic(tool: Tool): void {
  if (tool === 'cpu' || existsSync(CLINIC_BIN)) return;
  console.error('installing clinic into loadtest/profile …');
  execFileSync('flock', ['/tmp/npm.lock', 'npm', 'install', '--no-audit', '--no-fund'], {
    cwd: HERE,
    stdio: 'inherit',
  });
}

/**
 * A doctor run that was killed leaves its trace-event log behind in the working directory, and the
 * next doctor run then fails to start: remove the leftovers. Returns how many were removed.
 */
export function removeTraceLogs(dir: string = PROJECT_ROOT): number {
  const stale = readdirSync(dir).filter((f) => /^node_trace\.\d+\.log$/.test(f));
  for (const f of stale) rmSync(join(dir, f), { force: true });
  return stale.length;
}
