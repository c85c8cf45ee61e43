import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig, type Plugin } from 'vite';

// Where `npm start` on the server listens. The dev server forwards the API and the socket
// there so pages, cookies and the WebSocket all stay same-origin, as in production.
const SERVER_ORIGIN = 'http://127.0.0.1:8080';

/**
 * uPlot's own build has feature flags (the bare `{ ... }` blocks at the end of uPlot.esm.js) for
 * its optional path builders and its data join; its lean builds leave them out. The chart draws
 * lines over aligned data, so this does the same: without these assignments the minifier drops
 * the stepped, bars and spline builders and `join`, about 2 KB gzipped of the dashboard's budget.
 */
const UPLOT_OPTIONAL = [
  'uPlot.join = join;',
  '(paths.stepped = stepped);',
  '(paths.bars    = bars);',
  '(paths.spline  = monotoneCubic);',
];
const uplotLean: Plugin = {
  name: 'uplot-lean',
  transform(code, id) {
    if (!id.endsWith('/uplot/dist/uPlot.esm.js')) return undefined;
    // A uPlot release that renames these must not silently keep them: fail the build instead.
    const missing = UPLOT_OPTIONAL.filter((line) => !code.includes(line));
    if (missing.length) throw new Error(`uplot-lean: uPlot.esm.js changed, not found: ${missing.join(' ')}`);
    return UPLOT_OPTIONAL.reduce((out, line) => out.replace(line, ''), code);
  },
};

export default defineConfig({
  plugins: [uplotLean, sveltekit()],
  // terser packs about 4 % tighter than the default minifier (esbuild): 2.5 KB of the dashboard's
  // budget (docs/benchmarks.md, section web-budget). No unsafe options: Svelte tracks reactive reads
  // through getters, which `pure_getters` would be allowed to drop.
  build: {
    minify: 'terser',
    terserOptions: { ecma: 2020, module: true, compress: { passes: 2 }, format: { comments: false } },
    rollupOptions: {
      output: {
        // Svelte's and SvelteKit's runtime in one chunk instead of a dozen small ones split by which
        // route uses what: every page needs most of it, and one file compresses better and carries
        // no cross-chunk import lists (docs/benchmarks.md, web budget).
        manualChunks: (id) =>
          /node_modules\/(svelte|@sveltejs\/kit|esm-env|devalue)\//.test(id) ? 'runtime' : undefined,
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: SERVER_ORIGIN },
      '/ws': { target: SERVER_ORIGIN, ws: true },
    },
  },
});
