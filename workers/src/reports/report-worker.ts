// The worker side of report rendering: CSV and HTML are built here, off the event loop that serves
// sockets, one request at a time per thread.
import { exposeToParent } from '../thread.js';
import { render } from './render.js';

const api = {
  render,
  /** Answers once the module has loaded. */
  ping(): true {
    return true;
  },
};

export type ReportWorkerApi = typeof api;

await exposeToParent(api);
