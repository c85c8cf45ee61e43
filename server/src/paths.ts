// Where the project's own files are, whether running from server/src (tests, tsx) or dist/ (build).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findProjectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'sql')) && existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the project root (a folder with sql/ and package.json)');
    dir = parent;
  }
}

export const PROJECT_ROOT = findProjectRoot();
export const SQL_DIR = join(PROJECT_ROOT, 'sql');
