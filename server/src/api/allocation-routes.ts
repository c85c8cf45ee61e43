// PUT /api/v1/allocations: the target weight of each held position (percent, summing to 100).
// Validated against what the portfolio holds; every gateway is told so live drift follows at once.
import type { TemplatedApp } from 'uWebSockets.js';
import { z } from 'zod';
import { notFound } from '../http/http-error.js';
import { route, type Reply } from '../http/routes.js';
import { listTargets, replaceTargets, type Target } from '../store/allocations.js';
import { findPortfolio, listPositions } from '../store/portfolios.js';
import { requireUser, type ApiContext } from './context.js';

export interface AllocationContext extends ApiContext {
  /** Bumps the portfolio's data version and tells every gateway that it changed. */
  onPortfolioChanged(portfolioId: number): Promise<void>;
}

/** Weights are percent with at most 2 decimals: exactly representable as basis points. */
const TOLERANCE = 0.005;

const Body = z.object({
  portfolio: z.number().int().positive(),
  targets: z
    .array(
      z.object({
        symbol: z.string().min(1).max(12),
        weight: z
          .number()
          .min(0, 'a weight is at least 0')
          .max(100, 'a weight is at most 100')
          .refine((w) => Math.abs(Math.round(w * 100) - w * 100) < 1e-6, 'at most 2 decimals'),
      }),
    )
    .max(1_000),
});

interface Issue {
  path: string;
  message: string;
}

function invalid(message: string, issues: Issue[]): Reply {
  return { status: 400, body: { error: { code: 'VALIDATION', message, issues } } };
}

/** Same symbols with the same weights in basis points, in any order. */
function sameTargets(current: readonly Target[], next: readonly Target[]): boolean {
  if (current.length !== next.length) return false;
  const bp = new Map(current.map((t) => [t.symbol, Math.round(t.weight * 100)]));
  return next.every((t) => bp.get(t.symbol) === Math.round(t.weight * 100));
}

export function registerAllocationRoutes(app: TemplatedApp, ctx: AllocationContext): void {
  route(
    app,
    'put',
    '/api/v1/allocations',
    async (req) => {
      const userId = await requireUser(ctx, req);
      const parsed = Body.safeParse(req.body);
      if (!parsed.success) {
        return invalid(
          'send {"portfolio": id, "targets": [{"symbol": "AAPL", "weight": 12.5}, ...]}',
          parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        );
      }
      const { portfolio, targets } = parsed.data;
      if (!(await findPortfolio(ctx.db, userId, portfolio))) throw notFound('no such portfolio');

      const held = new Set((await listPositions(ctx.db, portfolio)).map((p) => p.symbol));
      const issues: Issue[] = [];
      const seen = new Set<string>();
      targets.forEach((t, i) => {
        if (!held.has(t.symbol))
          issues.push({ path: `targets.${i}.symbol`, message: `${t.symbol} is not held in this portfolio` });
        if (seen.has(t.symbol)) issues.push({ path: `targets.${i}.symbol`, message: `${t.symbol} appears twice` });
        seen.add(t.symbol);
      });
      const totalBp = targets.reduce((sum, t) => sum + Math.round(t.weight * 100), 0);
      if (targets.length > 0 && Math.abs(totalBp / 100 - 100) > TOLERANCE) {
        issues.push({ path: 'targets', message: `weights must sum to 100, they sum to ${(totalBp / 100).toFixed(2)}` });
      }
      if (issues.length) return invalid('the targets are not valid', issues);

      // Saving the targets already in place (a client re-saving its form) changes nothing, so it
      // invalidates nothing: cached answers and live views stay as they are.
      const current = await listTargets(ctx.db, portfolio);
      if (sameTargets(current, targets)) return { body: { portfolio, targets: current } };
      await replaceTargets(ctx.db, portfolio, targets);
      await ctx.onPortfolioChanged(portfolio).catch((err: unknown) => {
        // The targets are saved; live drift catches up when the portfolio is next opened. Redis is
        // failing: cached answers may lag until they expire (docs/caching.md).
        ctx.log.warn({ err, portfolio }, 'could not announce the new targets');
      });
      return { body: { portfolio, targets: await listTargets(ctx.db, portfolio) } };
    },
    ctx,
  );
}
