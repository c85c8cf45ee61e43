// Prints where a CPU profile spent its time (cpu-profile.ts):
//   npx tsx loadtest/profile/summarise.ts <file.cpuprofile | folder holding one> [--top N]
//     [--window FROM_US:TO_US]
// Only the load window counts when the folder holds run.ts's window.json or --window gives one
// (microseconds of process.hrtime, the clock V8's profiles use).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatSummary, summarise, type CpuProfile, type Window } from './cpu-profile.js';

export const WINDOW_FILE = 'window.json';

/** The file itself, or the newest .cpuprofile in a folder. */
export function profileFile(path: string): string {
  if (!statSync(path).isDirectory()) return path;
  const found = readdirSync(path)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(path, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!found[0]) throw new Error(`no .cpuprofile in ${path}`);
  return found[0];
}

export function summariseFile(path: string, top = 25, window?: Window): string {
  const file = profileFile(path);
  const saved = join(dirname(file), WINDOW_FILE);
  const only = window ?? (existsSync(saved) ? (JSON.parse(readFileSync(saved, 'utf8')) as Window) : undefined);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const what = only ? `the load window only (${((only.toUs - only.fromUs) / 1e6).toFixed(1)} s)` : 'the whole run';
  return `${file}: ${what}\n${formatSummary(summarise(profile, top, only))}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' }, window: { type: 'string' } },
  });
  if (!positionals[0]) {
    console.error(
      'usage: npx tsx loadtest/profile/summarise.ts <file.cpuprofile | folder> [--top N] [--window FROM_US:TO_US]',
    );
    process.exit(2);
  }
  const [fromUs, toUs] = (values.window ?? '').split(':').map(Number);
  const window = values.window ? { fromUs: fromUs!, toUs: toUs! } : undefined;
  console.log(summariseFile(positionals[0], Number(values.top), window));
}
