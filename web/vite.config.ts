import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// Where `npm start` on the server listens. The dev server forwards the API and the socket
// there so pages, cookies and the WebSocket all stay same-origin, as in production.
const SERVER_ORIGIN = 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [sveltekit()],
  server: {
    proxy: {
      '/api': { target: SERVER_ORIGIN },
      '/ws': { target: SERVER_ORIGIN, ws: true },
    },
  },
});
