// The fan-out benchmark (docs/benchmarks.md): thousands of WebSocket clients over hundreds of
// portfolios under a paced tick stream, against the real server, then against a bare uWS floor
// replaying the same frames, and (--peer socketio) against a Socket.IO peer doing the product's
// job. Run: npm run bench:fanout -- --help
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFloor } from './floor.js';
import { parseOptions } from './options.js';
import { runPeer } from './peer.js';
import { prepareLoadData } from './prepare.js';
import { runProduct } from './product.js';
import { waitForQuiet } from './proc-stats.js';
import { disturbed, medianPair, printReport, writeReport, type Pair, type Report } from './report.js';

const options = parseOptions(process.argv.slice(2));
const workDir = mkdtempSync(join(tmpdir(), 'tickdash-fanout-'));
// On any exit, interrupted ones included: the database and captures are this run's only.
process.on('exit', () => rmSync(workDir, { recursive: true, force: true }));
const started = new Date();
const busyBefore = await waitForQuiet(options.quietWaitSeconds);
try {
  const dataDir = join(workDir, 'data');
  const captureDir = join(workDir, 'capture');
  mkdirSync(captureDir);
  console.error(`preparing ${options.portfolios} portfolios of ${options.positions} positions in ${dataDir}`);
  const data = await prepareLoadData({
    dataDir,
    portfolios: options.portfolios,
    portfoliosPerUser: options.portfoliosPerUser,
    positionsPerPortfolio: options.positions,
    seed: options.seed,
  });
  const pairs: Pair[] = [];
  /** Pairs that failed to set up (a socket lost while 2,000 connect: see the README), retried once each. */
  const failedPairs: string[] = [];
  for (let attempt = 0; pairs.length < options.repeat; attempt++) {
    const i = pairs.length;
    if (options.repeat > 1) console.error(`pair ${i + 1} of ${options.repeat}`);
    // Memory per idle connection is measured once, in the first pair; later pairs only load.
    const o = i === 0 ? options : { ...options, idleWaves: 0, ladder: undefined };
    const capture = join(captureDir, String(attempt));
    mkdirSync(capture);
    try {
      const product = await runProduct(o, data, dataDir, capture);
      const floor = await runFloor(o, data, {
        files: product.window.captureFiles,
        flushesPerSecond: product.view.flushesPerSecond,
      });
      pairs.push({ product, floor });
    } catch (err) {
      if (options.repeat === 1 || failedPairs.length >= options.repeat) throw err;
      failedPairs.push((err as Error).message);
      console.error(`pair ${i + 1} failed, once more: ${(err as Error).message}`);
    }
  }
  // The peer opens the same database once the product has let go of it.
  const peer = options.peer ? await runPeer(options, data, dataDir) : undefined;
  const report: Report = {
    options,
    started,
    symbols: data.instruments.length,
    busyBefore,
    ...medianPair(pairs),
    ...(pairs.length > 1 ? { pairs, failedPairs } : {}),
    ...(peer ? { peer } : {}),
  };
  printReport(report);
  if (disturbed(report)) console.error('warning: other work disturbed the measured windows (last row of the table)');
  if (options.write) {
    const written = writeReport(report);
    console.error(written ? `wrote ${written}` : 'kept the undisturbed figures already in docs/benchmarks.md');
  }
} catch (err) {
  console.error(err);
  process.exitCode = 1;
}
// Timers and handles of the helpers must not keep a finished run alive.
process.exit();
