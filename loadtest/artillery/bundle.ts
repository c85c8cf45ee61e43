// The processors are TypeScript, type-checked with the rest of loadtest/. Artillery could bundle a
// .ts processor itself, but writes the bundle beside it, where this folder's package.json makes it
// an ES module that artillery's require() cannot load. So each run bundles the processor here, as
// CommonJS into the run's own temporary folder, with the esbuild that tsx and vite already bring.
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { HERE } from './install.js';

/** Bundles `<scenario>-processor.ts` into `outDir` and returns the bundle's path. */
export function bundleProcessor(scenario: string, outDir: string): string {
  const outfile = join(outDir, `${scenario}-processor.cjs`);
  buildSync({
    entryPoints: [join(HERE, `${scenario}-processor.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
  });
  return outfile;
}
