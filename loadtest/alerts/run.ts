// Cost of alert evaluation on the tick path (docs/benchmarks.md, section alerts): the real feed,
// book and quote board take the same tick sequence twice per round, once without alerts and once
// with 100,000 active ones (price and day-move alerts on symbols, value, day P&L and drift alerts on
// the hot portfolios) hooked in exactly as the evaluating gateway hooks them. Deltas flush after
// every batch (CONFLATION_MS=0, the most evaluation work), and the rounds alternate the two ways so
// a busy machine slows both alike. Prints ticks/s of each and their ratio; all in-process, no I/O.
//
//   npm run bench:alerts [-- --alerts 100000 --portfolios 500 --ticks 60000 --batch 200 --rounds 3 --no-write]
import { parseArgs } from 'node:util';
import { AlertEvaluator, type ActiveAlert } from '../../server/src/alerts/alert-evaluator.js';
import type { AlertRule } from '../../server/src/alerts/rules.js';
import { PortfolioBook } from '../../server/src/engine/portfolio-book.js';
import { QuoteBoard } from '../../server/src/engine/quote-board.js';
import type { Holding } from '../../server/src/engine/types.js';
import { PortfolioFeed } from '../../server/src/gateway/portfolio-feed.js';
import { createRandom } from '../../server/src/market/random.js';
import { UNIVERSE } from '../../server/src/market/universe.js';
import type { Tick } from '../../server/src/streams/tick.js';
import { load, machine, table, writeSection } from '../bench-section.js';

const { values: flags } = parseArgs({
  options: {
    alerts: { type: 'string', default: '100000' },
    portfolios: { type: 'string', default: '500' },
    ticks: { type: 'string', default: '60000' },
    batch: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '3' },
    'no-write': { type: 'boolean', default: false },
  },
});
const ALERTS = Number(flags.alerts);
const PORTFOLIOS = Number(flags.portfolios);
const TICKS = Number(flags.ticks);
const BATCH = Number(flags.batch);
const ROUNDS = Number(flags.rounds);
const HYSTERESIS_BP = 10;
const loadBefore = load();
const r = createRandom(7);

// ---- the same world for every run ---------------------------------------------------------------

const symbols = UNIVERSE.map((u) => u.symbol);
const reference = new Map(UNIVERSE.map((u) => [u.symbol, u.referencePrice]));
const holdings: Holding[][] = [];
for (let p = 0; p < PORTFOLIOS; p++) {
  const picked = new Set<string>();
  const n = r.int(8, 20);
  while (picked.size < n) picked.add(symbols[r.int(0, symbols.length - 1)]!);
  const list = [...picked].map((symbol) => ({
    symbol,
    name: symbol,
    quantity: r.int(1, 500),
    costBasis: r.int(1_000, 50_000),
    targetWeight: null as number | null,
  }));
  // Targets summing to 100 on the first two, so drift alerts have something to drift from.
  list[0]!.targetWeight = 60;
  list[1]!.targetWeight = 40;
  holdings.push(list);
}

// A random walk per symbol, 2 decimals: near their levels often enough that alerts fire and re-arm.
const ticks: Tick[] = [];
{
  const price = new Map(reference);
  for (let i = 0; i < TICKS; i++) {
    const symbol = symbols[r.int(0, symbols.length - 1)]!;
    const next = Math.max(0.01, Math.round(price.get(symbol)! * Math.exp(0.002 * r.normal()) * 100) / 100);
    price.set(symbol, next);
    ticks.push({ id: String(i), symbol, price: next, size: 1, time: 1_000 + i });
  }
}

/** 100,000 rules: half price levels, a fifth day moves, the rest on portfolios, levels near now. */
function alertRules(): ActiveAlert[] {
  const ar = createRandom(11);
  const out: ActiveAlert[] = [];
  for (let id = 1; id <= ALERTS; id++) {
    const k = id % 10;
    const symbol = symbols[ar.int(0, symbols.length - 1)]!;
    const portfolio = ar.int(1, PORTFOLIOS);
    const ref = reference.get(symbol)!;
    let rule: AlertRule;
    if (k < 5)
      rule = {
        kind: 'price',
        symbol,
        direction: ar.next() < 0.5 ? 'above' : 'below',
        level: Math.round(ref * (0.97 + 0.06 * ar.next()) * 100) / 100,
      };
    else if (k < 7)
      rule = { kind: 'day-move', symbol, direction: 'either', percent: Math.round((0.5 + 3 * ar.next()) * 100) / 100 };
    else if (k === 7) rule = { kind: 'portfolio-value', portfolio, direction: 'above', level: 1_000_000 * ar.next() };
    else if (k === 8) rule = { kind: 'day-pnl', portfolio, direction: 'below', level: -100 * ar.next() };
    else rule = { kind: 'drift', portfolio, symbol: holdings[portfolio - 1]![0]!.symbol, points: 1 + 5 * ar.next() };
    out.push({ id, userId: 1, rule, armed: null });
  }
  return out;
}
const rules = alertRules();

interface Run {
  ticksPerSecond: number;
  deltas: number;
  fired: number;
}

async function run(withAlerts: boolean): Promise<Run> {
  const quotes = new QuoteBoard();
  for (const [symbol, price] of reference) {
    quotes.set(symbol, price, 0);
    quotes.setPreviousClose(symbol, price);
  }
  const book = new PortfolioBook(quotes);
  const feed = new PortfolioFeed({
    book,
    loadHoldings: (id) => Promise.resolve(holdings[id - 1]!),
    publish: () => undefined,
    conflationMs: 0,
    resumeDeltas: 64,
    lingerMs: 60_000,
  });
  let fired = 0;
  if (withAlerts) {
    const evaluator = new AlertEvaluator(
      { price: (s) => quotes.get(s), previousClose: (s) => quotes.previousClose(s) },
      HYSTERESIS_BP,
      (e) => {
        if (e.type === 'fired') fired++;
      },
    );
    for (const rule of rules) evaluator.add({ ...rule });
    feed.setWatch({
      priceChanged: (symbol, price, time) => evaluator.priceChanged(symbol, price, time),
      portfolioOpened: (id) => evaluator.watchesPortfolio(id) && evaluator.portfolioOpened(book.snapshot(id)),
      portfolioChanged: (delta) => evaluator.portfolioChanged(delta),
    });
  }
  // The same hot portfolios either way: the difference measured is the evaluation alone.
  for (let id = 1; id <= PORTFOLIOS; id++) await feed.follow(id);
  const started = performance.now();
  for (let i = 0; i < ticks.length; i += BATCH) feed.onTicks(ticks.slice(i, i + BATCH));
  const seconds = (performance.now() - started) / 1000;
  feed.stop();
  return { ticksPerSecond: ticks.length / seconds, deltas: feed.stats.deltas, fired };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

await run(false); // warm the JIT on both paths before measuring
await run(true);
const without: Run[] = [];
const withAlerts: Run[] = [];
for (let round = 0; round < ROUNDS; round++) {
  without.push(await run(false));
  withAlerts.push(await run(true));
  console.log(
    `round ${round + 1}: without ${fmt(without.at(-1)!.ticksPerSecond)} ticks/s, with ${fmt(withAlerts.at(-1)!.ticksPerSecond)} ticks/s`,
  );
}
const base = median(without.map((x) => x.ticksPerSecond));
const alerted = median(withAlerts.map((x) => x.ticksPerSecond));
const ratio = alerted / base;
const rows = [
  ['without alerts', fmt(base), fmt(without[0]!.deltas), 0, '1.00'],
  [`with ${fmt(ALERTS)} alerts`, fmt(alerted), fmt(withAlerts[0]!.deltas), fmt(withAlerts[0]!.fired), ratio.toFixed(2)],
];
const report = table(['run (median of rounds)', 'ticks/s', 'deltas', 'alerts fired', 'ratio'], rows);
console.log(`\n${report}\n`);

if (!flags['no-write']) {
  const where = writeSection(
    'alerts',
    `## Alert evaluation on the tick path

\`flock /tmp/bench.lock npm run bench:alerts\` (${ROUNDS} alternating rounds, medians; ${fmt(TICKS)} ticks
in batches of ${BATCH} over ${symbols.length} symbols, ${fmt(PORTFOLIOS)} hot portfolios of 8 to 20
positions, deltas flushed after every batch). The real PortfolioFeed, PortfolioBook and QuoteBoard,
with and without the AlertEvaluator hooked in as the evaluating gateway hooks it, fed the same ticks
in the same run. ${fmt(ALERTS)} alerts: 50 % price levels within ±3 % of the start, 20 % day moves,
10 % each portfolio value, day P&L and drift on the hot portfolios.

${report}

With alerts the tick path keeps **${(ratio * 100).toFixed(0)} %** of its throughput. Machine: ${machine()};
load average before the run ${loadBefore} (other work shared the cores: read the ratio, not the
absolute rates).`,
  );
  console.log(`written to ${where}`);
}
