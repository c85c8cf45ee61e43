// PUT /api/v1/allocations: the target weight of each held position (percent, summing to 100).
// Validated against what the portfolio holds; every gateway is told so live drift follows at once.
// Ownership comes from the cached portfolio view (as on every read). Re-saving the targets that view
// already holds (a client re-submitting its form) is answered from it; anything else is one
// database statement that checks each symbol is held, writes and answers.
import type { TemplatedApp } from 'uWebSockets.js';
import { z } from 'zod';
import { route, type Reply } from '../http/routes.js';
import { saveTargets, type Target } from '../store/allocations.js';
import type { PositionRow } from '../store/portfolios.js';
import { requireUser, type ApiContext } from './context.js';
import { ownPortfolioView } from './portfolio-view.js';

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

const bp = (weight: number) => Math.round(weight * 100);

/** The targets `positions` already hold, by symbol, when `targets` names exactly those; else undefined. */
function alreadySaved(positions: readonly PositionRow[], targets: readonly Target[]): Target[] | undefined {
  const current = positions.filter((p) => p.targetWeight !== null);
  if (current.length !== targets.length) return undefined;
  const asked = new Map(targets.map((t) => [t.symbol, bp(t.weight)]));
  if (!current.every((p) => asked.get(p.symbol) === bp(p.targetWeight!))) return undefined;
  return current.map((p) => ({ symbol: p.symbol, weight: p.targetWeight! }));
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
      const view = await ownPortfolioView(ctx, userId, portfolio);

      const issues: Issue[] = [];
      const seen = new Set<string>();
      targets.forEach((t, i) => {
        if (seen.has(t.symbol)) issues.push({ path: `targets.${i}.symbol`, message: `${t.symbol} appears twice` });
        seen.add(t.symbol);
      });
      const totalBp = targets.reduce((sum, t) => sum + bp(t.weight), 0);
      if (targets.length > 0 && Math.abs(totalBp / 100 - 100) > TOLERANCE) {
        issues.push({ path: 'targets', message: `weights must sum to 100, they sum to ${(totalBp / 100).toFixed(2)}` });
      }
      if (issues.length) return invalid('the targets are not valid', issues);

      // Already in place: nothing to write, nothing to invalidate. The view is as fresh as any read's
      // (a change made through another gateway reaches this one's cache within milliseconds).
      const unchanged = alreadySaved(view.positions, targets);
      if (unchanged) return { body: { portfolio, targets: unchanged } };

      const result = await saveTargets(ctx.db, portfolio, targets);
      if (!result.saved) {
        const unheld = new Set(result.unheld);
        return invalid(
          'the targets are not valid',
          targets.flatMap((t, i) =>
            unheld.has(t.symbol)
              ? [{ path: `targets.${i}.symbol`, message: `${t.symbol} is not held in this portfolio` }]
              : [],
          ),
        );
      }
      // A save the view had not seen yet may still change nothing: then nothing is invalidated.
      if (result.changed) {
        await ctx.onPortfolioChanged(portfolio).catch((err: unknown) => {
          // The targets are saved; live drift catches up when the portfolio is next opened. Redis is
          // failing: cached answers may lag until they expire (docs/caching.md).
          ctx.log.warn({ err, portfolio }, 'could not announce the new targets');
        });
      }
      return { body: { portfolio, targets: result.targets } };
    },
    ctx,
  );
}
