import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// Where `npm start` on the server listens. The dev server forwards the API and the socket
// there so pages, cookies and the WebSocket all stay same-origin, as in production.
const SERVER_ORIGIN = 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [sveltekit()],
  // terser packs about 4 % tighter than the default minifier (esbuild): 2.5 KB of the dashboard's
  // budget (docs/benchmarks.md, section web-budget). No unsafe options: Svelte tracks reactive reads
  // through getters, which `pure_getters` would be allowed to drop.
  build: {
    minify: 'terser',
    terserOptions: { ecma: 2020, module: true, compress: { passes: 2 }, format: { comments: false } },
  },
  server: {
    proxy: {
      '/api': { target: SERVER_ORIGIN },
      '/ws': { target: SERVER_ORIGIN, ws: true },
    },
  },
});
