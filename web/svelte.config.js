import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  // No `window.__svelte.v` version marker: a few bytes on every first load, of use to no trader.
  compilerOptions: { discloseVersion: false },
  kit: {
    // A single-page app: the server serves build/ and falls back to index.html for any
    // path it does not know, so client-side routes (/login, /) work on reload.
    adapter: adapter({ pages: 'build', assets: 'build', fallback: '200.html', strict: true }),
  },
};

export default config;
