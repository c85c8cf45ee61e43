// Which socket follows which portfolio: the same plan for the product and the floor, so that both
// deliver the same frames to the same number of sockets per topic.
import type { SocketPlan } from './fleet-api.js';
import type { Options } from './options.js';
import type { LoadData } from './prepare.js';

/**
 * Load socket i follows portfolio i mod P. The first socket of each portfolio records its frames;
 * the second ones of the first few portfolios are the latency probes.
 */
export function loadPlan(o: Options, data: LoadData, withOwners: boolean): SocketPlan[] {
  const n = data.portfolios.length;
  return Array.from({ length: o.clients }, (_, i) => {
    const p = data.portfolios[i % n]!;
    return {
      portfolio: p.id,
      record: i < n,
      probe: i >= n && i < n + o.probes,
      ...(withOwners ? { username: p.owner } : {}),
    };
  });
}

export function idlePlan(o: Options, data: LoadData, withOwners: boolean): SocketPlan[] {
  return Array.from({ length: o.idle }, (_, i) => {
    const p = data.portfolios[i % data.portfolios.length]!;
    return { portfolio: p.id, ...(withOwners ? { username: p.owner } : {}) };
  });
}
