// GET /api/v1/portfolios/:id/history: value, time-weighted return and a benchmark over a range
// (docs/history.md). GET and POST /api/v1/portfolios/:id/transactions: the ledger behind it, read
// newest first a page at a time (keyset cursor). Only the owner gets an answer; anyone else's
// portfolio is simply not found.
import type { TemplatedApp } from 'uWebSockets.js';
import { z } from 'zod';
import { badRequest } from '../http/http-error.js';
import { route } from '../http/routes.js';
import type { PortfolioHistory } from '../history/portfolio-history.js';
import { isRange, RANGES } from '../history/ranges.js';
import { LedgerError, recordTransactions, transactionPage, TRANSACTION_KINDS } from '../store/transactions.js';
import { MAX_FUTURE_SKEW_MS } from '../streams/tick.js';
import { idParam, requireUser, type ApiContext } from './context.js';
import { decodeCursor, encodeCursor } from './ledger-cursor.js';
import { ownPortfolioView } from './portfolio-view.js';

export interface HistoryContext extends ApiContext {
  history: PortfolioHistory;
  isKnownSymbol(symbol: string): boolean;
  /** Used when the request names none; null for no benchmark. */
  defaultBenchmark: string | null;
  /**
   * After a transaction changed a portfolio: bumps its data version (cached answers) and tells
   * every gateway (live holdings, in-process caches).
   */
  onPortfolioChanged(portfolioId: number): Promise<void>;
}

/** Transactions per page: the default and the most a client may ask for. */
export const PAGE_DEFAULT = 50;
export const PAGE_MAX = 500;

const decimals = (places: number) => (n: number) => Number(n.toFixed(places)) === n;

const TRADES: readonly string[] = ['buy', 'sell'];

const NewTransaction = z
  .object({
    kind: z.enum(TRANSACTION_KINDS),
    time: z.number().int().nonnegative().optional(),
    symbol: z.string().min(1).max(12).optional(),
    quantity: z.number().positive().max(1e15).refine(decimals(8), 'at most 8 decimals').optional(),
    price: z.number().positive().max(1e9).refine(decimals(6), 'at most 6 decimals').optional(),
    amount: z.number().positive().max(1e15).refine(decimals(2), 'at most 2 decimals').optional(),
  })
  // A misspelt field ("qty") is an error, not silently a different transaction.
  .strict()
  .refine((t) => TRADES.includes(t.kind) === (t.quantity !== undefined && t.price !== undefined), {
    message: 'buy and sell take quantity and price; other kinds take neither',
  })
  .refine((t) => !TRADES.includes(t.kind) || t.amount === undefined, {
    message: 'buy and sell take no amount: it is quantity x price',
  })
  .refine((t) => TRADES.includes(t.kind) || t.amount !== undefined, {
    message: 'deposit, withdrawal, dividend and fee take an amount',
  })
  .refine((t) => !['buy', 'sell', 'dividend'].includes(t.kind) || t.symbol !== undefined, {
    message: 'buy, sell and dividend take a symbol',
  })
  .refine((t) => !['deposit', 'withdrawal'].includes(t.kind) || t.symbol === undefined, {
    message: 'deposit and withdrawal take no symbol',
  });

/** `limit` from the query: PAGE_DEFAULT when absent, a 400 when not a whole number in bounds. */
function pageLimit(value: string | null): number {
  if (value === null) return PAGE_DEFAULT;
  const n = /^\d{1,4}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= PAGE_MAX)) throw badRequest(`limit must be a whole number from 1 to ${PAGE_MAX}`);
  return n;
}

export function registerHistoryRoutes(app: TemplatedApp, ctx: HistoryContext): void {
  const ownPortfolio = async (req: Parameters<Parameters<typeof route>[3]>[0]) =>
    (await ownPortfolioView(ctx, await requireUser(ctx, req), idParam(req.params.id))).id;

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
    async (req) => {
      const id = await ownPortfolio(req);
      const limit = pageLimit(req.query.get('limit'));
      const cursor = req.query.get('cursor');
      const after = cursor === null ? undefined : decodeCursor(cursor);
      if (cursor !== null && !after) throw badRequest('cursor is not one this endpoint returned');
      const page = await transactionPage(ctx.db, id, limit, after);
      return { body: { transactions: page.transactions, next: page.next ? encodeCursor(page.next) : null } };
    },
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
      await ctx.onPortfolioChanged(id).catch((err: unknown) => {
        // Recorded. Redis is failing: cached answers may lag until they expire (docs/caching.md).
        ctx.log.warn({ err, portfolio: id }, 'could not announce the new transaction');
      });
      return { status: 201, body: { id: transactionId } };
    },
    ctx,
  );
}
