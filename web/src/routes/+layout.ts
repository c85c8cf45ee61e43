// A client-only app: the pages need the session cookie and a socket, so nothing is rendered at
// build time. Each route's shell is still prerendered: without server rendering it carries no data,
// only the modulepreload links of that route's own code, which a generic fallback page cannot know
// (without them the browser learns which page chunk to fetch only after the runtime has run).
export const ssr = false;
export const prerender = true;
