// A client-only app: the pages need the session cookie and a socket, so there is nothing useful
// to render or prerender at build time. adapter-static writes the fallback index.html instead.
export const ssr = false;
export const prerender = false;
