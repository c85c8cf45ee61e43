// /api/v1/alerts: a trader's alerts (create, list, change, enable or disable, delete) and the
// history of what fired. Alerts name only the caller's own portfolios; someone else's portfolio or
// alert answers 404 like one that does not exist. Every change is announced so the evaluating
// process picks it up at once.
import type { TemplatedApp } from 'uWebSockets.js';
import { z } from 'zod';
import type { AlertRule } from '../alerts/rules.js';
import { badRequest, notFound } from '../http/http-error.js';
import { route, type Reply, type Request } from '../http/routes.js';
import {
  createAlert,
  deleteAlert,
  findAlert,
  listAlerts,
  listFirings,
  updateAlert,
  type StoredAlert,
} from '../store/alerts.js';
import { findPortfolio, listPositions } from '../store/portfolios.js';
import { idParam, requireUser, type ApiContext } from './context.js';

export interface AlertContext extends ApiContext {
  isKnownSymbol(symbol: string): boolean;
  /** Tells the evaluating process that alert `id` changed. */
  onAlertChanged(id: number): Promise<void>;
}

/** Enough for any trader; bounds the evaluator's memory per user. */
export const MAX_ALERTS_PER_USER = 500;
const FIRED_PAGE_DEFAULT = 50;
const FIRED_PAGE_MAX = 500;

const decimals = (places: number) => (x: number) => Math.abs(Math.round(x * 10 ** places) - x * 10 ** places) < 1e-6;
const symbol = z.string().regex(/^[A-Z][A-Z0-9.]{0,9}$/, 'a symbol such as AAPL');
const portfolio = z.number().int().positive();
const side = z.enum(['above', 'below']);
const amount = z.number().min(-1e12).max(1e12).refine(decimals(2), 'at most 2 decimals');

const Rule = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('price'),
    symbol,
    direction: side,
    level: z.number().positive('a price is above 0').max(1e9).refine(decimals(6), 'at most 6 decimals'),
  }),
  z.object({
    kind: z.literal('day-move'),
    symbol,
    direction: z.enum(['up', 'down', 'either']),
    percent: z.number().positive('a move is above 0 %').max(100).refine(decimals(2), 'at most 2 decimals'),
  }),
  z.object({
    kind: z.literal('portfolio-value'),
    portfolio,
    direction: side,
    level: amount.refine((x) => x >= 0, 'a value is at least 0'),
  }),
  z.object({ kind: z.literal('day-pnl'), portfolio, direction: side, level: amount }),
  z.object({
    kind: z.literal('drift'),
    portfolio,
    symbol,
    points: z.number().positive('drift is above 0 points').max(100).refine(decimals(2), 'at most 2 decimals'),
  }),
]);
const note = z.string().max(200).optional();
const CreateBody = z.intersection(Rule, z.object({ note, enabled: z.boolean().optional() }));
const PatchBody = z
  .object({ enabled: z.boolean(), note: z.string().max(200) })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'send enabled and/or note');

interface Issue {
  path: string;
  message: string;
}

function invalid(message: string, issues: Issue[]): Reply {
  return { status: 400, body: { error: { code: 'VALIDATION', message, issues } } };
}

const issuesOf = (error: z.ZodError): Issue[] =>
  error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));

/** The alert on the wire: its rule's fields flattened, and where its hysteresis stands. */
export function alertView(a: StoredAlert) {
  return {
    id: a.id,
    ...a.rule,
    note: a.note,
    enabled: a.enabled,
    // armed: waiting for a crossing; fired: crossed, waiting to come back past the band;
    // pending: not yet checked by the evaluator.
    state: a.armed === null ? 'pending' : a.armed ? 'armed' : 'fired',
    createdAt: a.createdAt.getTime(),
  };
}

export function registerAlertRoutes(app: TemplatedApp, ctx: AlertContext): void {
  /** The rule's symbol and portfolio checked against the universe and the caller's own portfolios. */
  const checkRule = async (userId: number, rule: AlertRule): Promise<Issue[]> => {
    const issues: Issue[] = [];
    if ('symbol' in rule && !ctx.isKnownSymbol(rule.symbol))
      issues.push({ path: 'symbol', message: `unknown symbol ${rule.symbol}` });
    if ('portfolio' in rule) {
      if (!(await findPortfolio(ctx.db, userId, rule.portfolio))) throw notFound('no such portfolio');
      if (rule.kind === 'drift') {
        const held = (await listPositions(ctx.db, rule.portfolio)).some((p) => p.symbol === rule.symbol);
        if (!held) issues.push({ path: 'symbol', message: `${rule.symbol} is not held in this portfolio` });
      }
    }
    return issues;
  };
  const announce = (id: number) =>
    ctx
      .onAlertChanged(id)
      .catch((err: unknown) => ctx.log.warn({ err, alert: id }, 'could not announce an alert change'));
  const ownAlertId = (req: Request) => {
    const id = idParam(req.params.id);
    if (id === undefined) throw notFound('no such alert');
    return id;
  };

  route(
    app,
    'get',
    '/api/v1/alerts',
    async (req) => {
      const userId = await requireUser(ctx, req);
      return { body: { alerts: (await listAlerts(ctx.db, userId)).map(alertView) } };
    },
    ctx,
  );

  route(
    app,
    'get',
    '/api/v1/alerts/fired',
    async (req) => {
      const userId = await requireUser(ctx, req);
      const limitText = req.query.get('limit');
      const limit = limitText === null ? FIRED_PAGE_DEFAULT : /^\d{1,4}$/.test(limitText) ? Number(limitText) : 0;
      if (!(limit >= 1 && limit <= FIRED_PAGE_MAX))
        throw badRequest(`limit must be a whole number from 1 to ${FIRED_PAGE_MAX}`);
      const beforeText = req.query.get('before');
      const before = beforeText === null ? undefined : idParam(beforeText);
      if (beforeText !== null && before === undefined) throw badRequest('before must be a firing id');
      const firings = await listFirings(ctx.db, userId, limit + 1, before);
      const page = firings.slice(0, limit);
      return {
        body: {
          fired: page.map((f) => ({ ...f, firedAt: f.firedAt.getTime() })),
          // The cursor of the next (older) page; null on the last one.
          next: firings.length > limit ? page[page.length - 1]!.id : null,
        },
      };
    },
    ctx,
  );

  route(
    app,
    'post',
    '/api/v1/alerts',
    async (req) => {
      const userId = await requireUser(ctx, req);
      const parsed = CreateBody.safeParse(req.body);
      if (!parsed.success) return invalid('the alert is not valid (see docs/alerts.md)', issuesOf(parsed.error));
      const { note: text = '', enabled, ...rule } = parsed.data;
      const issues = await checkRule(userId, rule as AlertRule);
      if (issues.length) return invalid('the alert is not valid', issues);
      if ((await listAlerts(ctx.db, userId)).length >= MAX_ALERTS_PER_USER) {
        return {
          status: 409,
          body: { error: { code: 'TOO_MANY_ALERTS', message: `at most ${MAX_ALERTS_PER_USER} alerts per user` } },
        };
      }
      let alert = await createAlert(ctx.db, userId, rule as AlertRule, text);
      if (enabled === false) alert = (await updateAlert(ctx.db, userId, alert.id, { enabled: false }))!;
      await announce(alert.id);
      return { status: 201, body: alertView(alert) };
    },
    ctx,
  );

  route(
    app,
    'get',
    '/api/v1/alerts/:id',
    async (req) => {
      const alert = await findAlert(ctx.db, await requireUser(ctx, req), ownAlertId(req));
      if (!alert) throw notFound('no such alert');
      return { body: alertView(alert) };
    },
    ctx,
  );

  route(
    app,
    'patch',
    '/api/v1/alerts/:id',
    async (req) => {
      const userId = await requireUser(ctx, req);
      const id = ownAlertId(req);
      const parsed = PatchBody.safeParse(req.body);
      if (!parsed.success)
        return invalid('send {"enabled": true|false} and/or {"note": "..."}', issuesOf(parsed.error));
      const alert = await updateAlert(ctx.db, userId, id, parsed.data);
      if (!alert) throw notFound('no such alert');
      await announce(id);
      return { body: alertView(alert) };
    },
    ctx,
  );

  route(
    app,
    'put',
    '/api/v1/alerts/:id',
    async (req) => {
      const userId = await requireUser(ctx, req);
      const id = ownAlertId(req);
      if (!(await findAlert(ctx.db, userId, id))) throw notFound('no such alert');
      const parsed = CreateBody.safeParse(req.body);
      if (!parsed.success) return invalid('the alert is not valid (see docs/alerts.md)', issuesOf(parsed.error));
      const { note: text = '', enabled, ...rule } = parsed.data;
      const issues = await checkRule(userId, rule as AlertRule);
      if (issues.length) return invalid('the alert is not valid', issues);
      const alert = await updateAlert(ctx.db, userId, id, {
        rule: rule as AlertRule,
        note: text,
        enabled: enabled ?? true,
      });
      if (!alert) throw notFound('no such alert');
      await announce(id);
      return { body: alertView(alert) };
    },
    ctx,
  );

  route(
    app,
    'del',
    '/api/v1/alerts/:id',
    async (req) => {
      const userId = await requireUser(ctx, req);
      if (!(await deleteAlert(ctx.db, userId, ownAlertId(req)))) throw notFound('no such alert');
      await announce(Number(req.params.id));
      return { status: 204 };
    },
    ctx,
  );
}
