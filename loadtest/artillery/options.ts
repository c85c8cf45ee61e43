// Command-line settings of `npm run load:ws` and `npm run load:http`. Every default is written
// here once; `--ci` swaps in the seconds-long form that guards CI.
import { parseArgs } from 'node:util';
import type { ServerBuild } from '../fanout/server-process.js';

export type Scenario = 'ws' | 'http';

export interface Options {
  scenario: Scenario;
  ci: boolean;
  /** Ticks per second from the server's market simulator (SIMULATOR_RATE; 300 is its default). */
  rate: number;
  /** Load users prepared in the fresh database (ws: one socket each). */
  traders: number;
  portfoliosPerTrader: number;
  positions: number;
  /**
   * ws: seconds over which the traders arrive, and seconds each one holds the socket. Whole seconds
   * (as are all durations here): artillery reads a fractional `think` as milliseconds.
   */
  ramp: number;
  hold: number;
  /** http: seconds of arrivals, new traders per second, actions per trader. */
  duration: number;
  arrivalRate: number;
  requests: number;
  seed: number;
  server: ServerBuild;
  serverEnv: Record<string, string>;
  /** Run against a server that is already up instead (no preparation, no simulator control). */
  target: string | undefined;
  user: string;
  password: string;
  /** Replace this scenario's section of docs/benchmarks.md with the run's figures. */
  write: boolean;
  /** Show artillery's own periodic reports. */
  verbose: boolean;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

const DEFAULTS = {
  rate: 300,
  traders: 300,
  portfoliosPerTrader: 4,
  positions: 10,
  ramp: 10,
  hold: 60,
  duration: 60,
  arrivalRate: 5,
  requests: 10,
};

/** The CI form: a few dozen traders for seconds, enough to exercise every step of both scenarios. */
const CI = {
  ...DEFAULTS,
  traders: 40,
  portfoliosPerTrader: 2,
  ramp: 4,
  hold: 8,
  duration: 8,
  arrivalRate: 4,
  requests: 4,
};

export const USAGE = `npm run load:ws|load:http -- [--ci] [--rate TICKS_PER_S] [--traders N] [--portfolios-per-trader N]
  [--positions N] [--seed N] [--server build|dist|tsx] [--server-env K=V ...] [--write] [--verbose]
  ws:   [--ramp S] [--hold S]
  http: [--duration S] [--arrival-rate TRADERS_PER_S] [--requests N]
  against a running server: --target http://127.0.0.1:8080 [--user demo] [--password demo]
defaults: ${JSON.stringify(DEFAULTS)}
--ci:     ${JSON.stringify(CI)}`;

export function parseOptions(scenario: string | undefined, argv: string[]): Options {
  if (scenario !== 'ws' && scenario !== 'http') throw new Error(`the scenario is ws or http\n${USAGE}`);
  const { values: v } = parseArgs({
    args: argv,
    options: {
      ci: { type: 'boolean', default: false },
      rate: { type: 'string' },
      traders: { type: 'string' },
      'portfolios-per-trader': { type: 'string' },
      positions: { type: 'string' },
      ramp: { type: 'string' },
      hold: { type: 'string' },
      duration: { type: 'string' },
      'arrival-rate': { type: 'string' },
      requests: { type: 'string' },
      seed: { type: 'string', default: '20260101' },
      server: { type: 'string', default: 'build' },
      'server-env': { type: 'string', multiple: true, default: [] },
      target: { type: 'string' },
      user: { type: 'string', default: 'demo' },
      password: { type: 'string', default: 'demo' },
      write: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (v.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const base = v.ci ? CI : DEFAULTS;
  const number = (name: string, value: string | undefined, fallback: number, min = 1) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} expects a number of at least ${min}, got ${value}`);
    return n;
  };
  if (v.target !== undefined && !LOOPBACK.has(new URL(v.target).hostname)) {
    throw new Error(`--target must be on this machine (127.0.0.1, localhost, [::1]): load tests never leave it`);
  }
  const server = v.server as ServerBuild;
  if (!['build', 'dist', 'tsx'].includes(server)) throw new Error(`--server is build, dist or tsx, got ${v.server}`);
  return {
    scenario,
    ci: v.ci,
    rate: number('rate', v.rate, base.rate),
    traders: Math.round(number('traders', v.traders, base.traders)),
    portfoliosPerTrader: Math.round(
      number('portfolios-per-trader', v['portfolios-per-trader'], base.portfoliosPerTrader),
    ),
    positions: Math.round(number('positions', v.positions, base.positions)),
    ramp: Math.round(number('ramp', v.ramp, base.ramp)),
    hold: Math.round(number('hold', v.hold, base.hold)),
    duration: Math.round(number('duration', v.duration, base.duration)),
    arrivalRate: number('arrival-rate', v['arrival-rate'], base.arrivalRate, 0.01),
    requests: Math.round(number('requests', v.requests, base.requests)),
    seed: number('seed', v.seed, 0, 0),
    server,
    serverEnv: Object.fromEntries(
      v['server-env'].map((kv) => {
        const at = kv.indexOf('=');
        if (at <= 0) throw new Error(`--server-env expects K=V, got ${kv}`);
        return [kv.slice(0, at), kv.slice(at + 1)];
      }),
    ),
    target: v.target?.replace(/\/+$/, ''),
    user: v.user,
    password: v.password,
    write: v.write,
    verbose: v.verbose,
  };
}
