// GET /api/v1/portfolios/:id/history: value, time-weighted return and a benchmark over a range
// (docs/history.md). GET and POST /api/v1/portfolios/:id/transactions: the ledger behind it. Only
// the owner gets an answer; anyone else's portfolio is simply not found.
import type { TemplatedApp } from 'uWebSockets.js';
import { z } from 'zod';
import { badRequest, notFound } from '../http/http-error.js';
import { route } from '../http/routes.js';
import type { PortfolioHistory } from '../history/portfolio-history.js';
import { isRange, RANGES } from '../history/ranges.js';
import { findPortfolio } from '../store/portfolios.js';
import { LedgerError, listTransactions, recordTransactions, TRANSACTION_KINDS } from '../store/transactions.js';
import { MAX_FUTURE_SKEW_MS } from '../streams/tick.js';
import { idParam, requireUser, type ApiContext } from './context.js';

export interface HistoryContext extends ApiContext {
  history: PortfolioHistory;
  isKnownSymbol(symbol: string): boolean;
  /** Used when the request names none; null for no benchmark. */
  defaultBenchmark: string | null;
  /** After a transaction changed a portfolio's positions (live gateways reload its holdings). */
  onPortfolioChanged?(portfolioId: number): Promise<void>;
}

const decimals = (places: number) => (n: number) => Number(n.toFixed(places)) === n;

const NewTransaction = z
  .object({
    kind: z.enum(TRANSACTION_KINDS),
    time: z.number().int().nonnegative().optional(),
    symbol: z.string().optional(),
    quantity: z.number().positive().max(1e15).refine(decimals(8), 'at most 8 decimals').optional(),
    price: z.number().positive().max(1e9).refine(decimals(6), 'at most 6 decimals').optional(),
    amount: z.number().positive().max(1e15).refine(decimals(2), 'at most 2 decimals').optional(),
  })
  .refine((t) => (t.kind === 'buy' || t.kind === 'sell') === (t.quantity !== undefined && t.price !== undefined), {
    message: 'buy and sell take quantity and price; other kinds take neither',
  })
  .refine((t) => t.kind === 'buy' || t.kind === 'sell' || t.amount !== undefined, {
    message: 'deposit, withdrawal, dividend and fee take an amount',
  })
  .refine((t) => !['buy', 'sell', 'dividend'].includes(t.kind) || t.symbol !== undefined, {
    message: 'buy, sell and dividend take a symbol',
  });

export function registerHistoryRoutes(app: TemplatedApp, ctx: HistoryContext): void {
  const ownPortfolio = async (req: Parameters<Parameters<typeof route>[3]>[0]) => {
    const userId = await requireUser(ctx, req);
    const id = idParam(req.params.id);
    const portfolio = id === undefined ? undefined : await findPortfolio(ctx.db, userId, id);
    if (!portfolio) throw notFound('no such portfolio');
    return portfolio.id;
  };

  route(
    app,
    'get',
    '/api/v1/portfolios/:id/history',
    async (req) => {
      const id = await ownPortfolio(req);
      const range = req.query.get('range') ?? '1M';
      if (!isRange(range)) throw badRequest(`range must be one of ${RANGES.join(', ')}`);
      const benchmark = req.query.get('benchmark') ?? ctx.defaultBenchmark;
      if (benchmark !== null && !ctx.isKnownSymbol(benchmark)) throw badRequest(`unknown benchmark ${benchmark}`);
      return { body: await ctx.history.get(id, range, benchmark) };
    },
    ctx,
  );

  route(
    app,
    'get',
    '/api/v1/portfolios/:id/transactions',
    async (req) => ({ body: { transactions: await listTransactions(ctx.db, await ownPortfolio(req)) } }),
    ctx,
  );

  route(
    app,
    'post',
    '/api/v1/portfolios/:id/transactions',
    async (req) => {
      const id = await ownPortfolio(req);
      const parsed = NewTransaction.safeParse(req.body);
      if (!parsed.success) throw badRequest(parsed.error.issues.map((i) => i.message).join('; '));
      const t = parsed.data;
      const now = Date.now();
      if ((t.time ?? now) > now + MAX_FUTURE_SKEW_MS) throw badRequest('time is in the future');
      if (t.symbol !== undefined && !ctx.isKnownSymbol(t.symbol)) throw badRequest(`unknown symbol ${t.symbol}`);
      let transactionId: number;
      try {
        [transactionId] = (await recordTransactions(ctx.db, id, [{ ...t, time: t.time ?? now }])) as [number];
      } catch (err) {
        if (err instanceof LedgerError) throw badRequest(err.message);
        throw err;
      }
      await ctx.history.invalidate(id);
      await ctx.onPortfolioChanged?.(id);
      return { status: 201, body: { id: transactionId } };
    },
    ctx,
  );
}
