// The trader of http.yml: picks one of their portfolios, remembers what it holds, and picks each
// next action with the seed's weights (view 3, metrics 2, allocations 1). Artillery bundles this
// file with esbuild when the scenario starts (config.processor points at the .ts).
import type { AfterResponse, BeforeRequest, Step } from './artillery-api.js';
import { HTTP } from './metric-names.js';
import { randomTargets } from './targets.js';

const ACTIONS = [
  { action: 'view', weight: 3 },
  { action: 'metrics', weight: 2 },
  { action: 'allocate', weight: 1 },
] as const;
const TOTAL_WEIGHT = ACTIONS.reduce((sum, a) => sum + a.weight, 0);
const RANGES = ['1D', '1W', '1M', 'YTD', '1Y', 'MAX'] as const;

const json = (body: unknown): unknown => (typeof body === 'string' ? JSON.parse(body) : body);
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** After GET /api/v1/portfolios: the portfolio this trader works on. */
export const choosePortfolio: AfterResponse = (_req, res, context, _events, done) => {
  if (res.statusCode === 200) {
    const { portfolios } = json(res.body) as { portfolios: { id: number }[] };
    if (portfolios.length) context.vars.portfolio = pick(portfolios).id;
  }
  done();
};

/** After GET /api/v1/portfolios/:id: the held symbols, which allocation targets must name. */
export const rememberHoldings: AfterResponse = (_req, res, context, _events, done) => {
  if (res.statusCode === 200) {
    const { positions } = json(res.body) as { positions: { symbol: string }[] };
    context.vars.symbols = positions.map((p) => p.symbol);
  }
  done();
};

/** Each iteration: which request runs (the others skip through their `ifTrue`). */
export const chooseAction: Step = async function chooseAction(context) {
  let r = Math.random() * TOTAL_WEIGHT;
  const chosen = ACTIONS.find((a) => (r -= a.weight) < 0) ?? ACTIONS[0];
  context.vars.action = chosen.action;
  context.vars.range = pick(RANGES);
};

/** PUT /api/v1/allocations: valid random targets over everything the portfolio holds. */
export const allocationTargets: BeforeRequest = (req, context, events, done) => {
  const symbols = (context.vars.symbols as string[] | undefined) ?? [];
  if (symbols.length === 0) events.emit('counter', HTTP.noHoldings, 1);
  req.json = { portfolio: context.vars.portfolio, targets: randomTargets(symbols) };
  done();
};
