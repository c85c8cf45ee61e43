// Command-line settings of the fan-out benchmark: a named preset, any value of which a flag
// overrides (`npm run bench:fanout -- --preset heavy --clients 3000`).
import { parseArgs } from 'node:util';
import type { LadderPlan } from './ladder.js';
import type { ServerBuild } from './server-process.js';

export interface Options {
  preset: string;
  /** Load sockets, each following one portfolio. */
  clients: number;
  portfolios: number;
  portfoliosPerUser: number;
  positions: number;
  /** Ticks per second XADDed over the symbols the load portfolios hold. */
  rate: number;
  warmupSeconds: number;
  seconds: number;
  /** Idle sockets per wave, and waves, to measure memory per connection (measure.ts). */
  idle: number;
  idleWaves: number;
  /** Client fleet processes. */
  clientProcs: number;
  /** Load sockets held by a separate, lightly loaded probe process (fleet.ts). */
  probes: number;
  /** Upgrades in flight at once while connecting. */
  concurrency: number;
  seed: number;
  server: ServerBuild;
  /** Extra environment for the server (e.g. CONFLATION_MS=0), from repeated --server-env K=V. */
  serverEnv: Record<string, string>;
  /** Extra node flags for the server (e.g. --single-threaded-gc), from repeated --server-node-arg. */
  serverNodeArgs: string[];
  /** Write a V8 CPU profile of the server into this folder. */
  cpuProf: string | undefined;
  /** How long to wait for other work on the machine to stop before starting anyway. */
  quietWaitSeconds: number;
  /** Load windows to try when other work disturbs one (the quietest is kept). */
  attempts: number;
  /** A peer doing the product's job with another stack, measured the same way in the same run. */
  peer: 'socketio' | undefined;
  /** Climb tick rates on each side to find the highest load held (ladder.ts); off unless asked. */
  ladder: LadderPlan | undefined;
  /**
   * Product and floor measured this many times, one after the other on the same data: on a shared
   * VM one pair's ratio moves by ±0.2 from run to run, so the report takes the median pair.
   */
  repeat: number;
  /** Replace this run's section of docs/benchmarks.md. */
  write: boolean;
  label: string;
}

type Preset = Pick<Options, 'clients' | 'portfolios' | 'rate'>;

export const PRESETS: Record<string, Preset> = {
  // Few sockets, the moderate tick rate: the server's latency without a big fleet on the same cores.
  light: { clients: 400, portfolios: 200, rate: 2_000 },
  moderate: { clients: 2_000, portfolios: 200, rate: 2_000 },
  heavy: { clients: 4_000, portfolios: 400, rate: 4_000 },
};

const USAGE = `npm run bench:fanout -- [--preset light|moderate|heavy] [--clients N] [--portfolios N]
  [--portfolios-per-user N] [--positions N] [--rate TICKS_PER_S] [--warmup S] [--seconds S] [--idle N] [--idle-waves N]
  [--client-procs N] [--probes N] [--concurrency N] [--seed N] [--server build|dist|tsx] [--server-env K=V ...]
  [--server-node-arg FLAG ...]
  [--cpu-prof DIR] [--quiet-wait S] [--attempts N] [--repeat N] [--label NAME] [--no-write]
  [--peer socketio] [--ladder] [--ladder-rates R1,R2,...] [--ladder-settle S] [--ladder-seconds S]`;

/** Ladder steps as multiples of the run's tick rate (ladder.ts). */
const LADDER_STEPS = [0.5, 1, 1.5, 2, 3, 4, 6, 8];

export function parseOptions(argv: string[]): Options {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      preset: { type: 'string', default: 'moderate' },
      clients: { type: 'string' },
      portfolios: { type: 'string' },
      'portfolios-per-user': { type: 'string', default: '4' },
      positions: { type: 'string', default: '10' },
      rate: { type: 'string' },
      warmup: { type: 'string', default: '5' },
      seconds: { type: 'string', default: '20' },
      idle: { type: 'string', default: '4000' },
      'idle-waves': { type: 'string', default: '3' },
      'client-procs': { type: 'string', default: '1' },
      probes: { type: 'string', default: '20' },
      concurrency: { type: 'string', default: '100' },
      seed: { type: 'string', default: '20260101' },
      server: { type: 'string', default: 'build' },
      'server-env': { type: 'string', multiple: true, default: [] },
      'server-node-arg': { type: 'string', multiple: true, default: [] },
      'cpu-prof': { type: 'string' },
      label: { type: 'string' },
      'quiet-wait': { type: 'string', default: '300' },
      attempts: { type: 'string', default: '3' },
      repeat: { type: 'string', default: '1' },
      'no-write': { type: 'boolean', default: false },
      peer: { type: 'string' },
      ladder: { type: 'boolean', default: false },
      'ladder-rates': { type: 'string' },
      'ladder-settle': { type: 'string', default: '3' },
      'ladder-seconds': { type: 'string', default: '6' },
      help: { type: 'boolean', default: false },
    },
  });
  if (v.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const preset = PRESETS[v.preset!];
  if (!preset) throw new Error(`unknown preset ${v.preset}; known: ${Object.keys(PRESETS).join(', ')}`);
  const int = (name: string, value: string | undefined, fallback: number, min = 1) => {
    const n = value === undefined ? fallback : Number(value);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} expects a whole number >= ${min}, got ${value}`);
    return n;
  };
  const server = v.server as ServerBuild;
  if (!['build', 'dist', 'tsx'].includes(server)) throw new Error(`--server expects build, dist or tsx`);
  const serverEnv = Object.fromEntries(
    v['server-env']!.map((kv) => {
      const eq = kv.indexOf('=');
      if (eq < 1) throw new Error(`--server-env expects KEY=VALUE, got ${kv}`);
      return [kv.slice(0, eq), kv.slice(eq + 1)];
    }),
  );
  if (v.peer !== undefined && v.peer !== 'socketio') throw new Error('--peer expects socketio');
  const portfolios = int('portfolios', v.portfolios, preset.portfolios);
  const rate = int('rate', v.rate, preset.rate);
  const ladderRates = v['ladder-rates']
    ? v['ladder-rates'].split(',').map((r) => int('ladder-rates', r, 1))
    : LADDER_STEPS.map((k) => Math.round(k * rate));
  const custom = ['clients', 'portfolios', 'rate', 'positions', 'server-env', 'server-node-arg'].some((k) =>
    argv.some((a) => a.startsWith(`--${k}`)),
  );
  const baseLabel = v.label ?? (custom ? `${v.preset}-custom` : v.preset!);
  const clients = int('clients', v.clients, preset.clients);
  if (clients < portfolios) throw new Error('--clients must be at least --portfolios (every portfolio is followed)');
  return {
    preset: v.preset!,
    clients,
    portfolios,
    portfoliosPerUser: int('portfolios-per-user', v['portfolios-per-user'], 4),
    positions: int('positions', v.positions, 10),
    rate,
    warmupSeconds: int('warmup', v.warmup, 5, 0),
    seconds: int('seconds', v.seconds, 20),
    idle: int('idle', v.idle, 4_000),
    idleWaves: int('idle-waves', v['idle-waves'], 2),
    clientProcs: int('client-procs', v['client-procs'], 1),
    probes: Math.min(int('probes', v.probes, 20, 0), clients - portfolios),
    concurrency: int('concurrency', v.concurrency, 100),
    seed: int('seed', v.seed, 20_260_101, 0),
    server,
    serverEnv,
    serverNodeArgs: v['server-node-arg']!,
    cpuProf: v['cpu-prof'],
    quietWaitSeconds: int('quiet-wait', v['quiet-wait'], 300, 0),
    attempts: int('attempts', v.attempts, 3),
    repeat: int('repeat', v.repeat, 1),
    write: !v['no-write'],
    peer: v.peer as Options['peer'],
    ladder:
      v.ladder || v['ladder-rates']
        ? {
            rates: ladderRates,
            settleSeconds: int('ladder-settle', v['ladder-settle'], 3, 0),
            stepSeconds: int('ladder-seconds', v['ladder-seconds'], 6),
          }
        : undefined,
    label: v.label === undefined && v.peer ? `${baseLabel}-vs-${v.peer}` : baseLabel,
  };
}
