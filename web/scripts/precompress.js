// Writes `<file>.br` and `<file>.gz` next to every compressible file of the build, at the highest
// levels (brotli 11, gzip 9): done once at build time, so the server sends them with no CPU per
// request. A variant that would not be smaller is not written, and the server then sends the file
// as it is. Run by `npm run build` after `vite build`.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.txt', '.webmanifest', '.map']);
/** Below this a compressed body plus its header costs about as much as the bytes it saves. */
const MIN_BYTES = 256;

const root = resolve(process.argv[2] ?? 'build');

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (COMPRESSIBLE.has(extname(name))) yield path;
  }
}

let count = 0;
let before = 0;
let afterGzip = 0;
let afterBrotli = 0;
for (const path of files(root)) {
  const body = readFileSync(path);
  if (body.length < MIN_BYTES) continue;
  const br = brotliCompressSync(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  });
  const gz = gzipSync(body, { level: 9 });
  if (br.length < body.length) writeFileSync(`${path}.br`, br);
  if (gz.length < body.length) writeFileSync(`${path}.gz`, gz);
  count++;
  before += body.length;
  afterGzip += Math.min(gz.length, body.length);
  afterBrotli += Math.min(br.length, body.length);
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`precompress: ${count} files in ${root}: ${kb(before)} → gzip ${kb(afterGzip)}, brotli ${kb(afterBrotli)}`);
