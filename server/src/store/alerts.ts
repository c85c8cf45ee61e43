// Alerts and their firings. Every read and write that serves a user takes the user's id, so a query
// can never touch someone else's alert; the evaluator's reads (by id, all enabled) do not.
import type { Database, Queryable } from '../db/database.js';
import type { AlertRule } from '../alerts/rules.js';

export interface StoredAlert {
  id: number;
  userId: number;
  rule: AlertRule;
  note: string;
  enabled: boolean;
  armed: boolean | null;
  createdAt: Date;
}

interface AlertRow {
  id: number;
  userId: number;
  kind: AlertRule['kind'];
  symbol: string | null;
  portfolio: number | null;
  direction: string;
  threshold: number;
  note: string;
  enabled: boolean;
  armed: boolean | null;
  createdAt: Date;
}

const COLUMNS = `id, user_id AS "userId", kind, symbol, portfolio_id AS portfolio, direction, threshold, note,
  enabled, armed, created_at AS "createdAt"`;

function ruleOf(r: AlertRow): AlertRule {
  switch (r.kind) {
    case 'price':
      return { kind: 'price', symbol: r.symbol!, direction: r.direction as 'above', level: r.threshold };
    case 'day-move':
      return { kind: 'day-move', symbol: r.symbol!, direction: r.direction as 'up', percent: r.threshold };
    case 'portfolio-value':
    case 'day-pnl':
      return { kind: r.kind, portfolio: r.portfolio!, direction: r.direction as 'above', level: r.threshold };
    case 'drift':
      return { kind: 'drift', portfolio: r.portfolio!, symbol: r.symbol!, points: r.threshold };
  }
}

function columnsOf(rule: AlertRule): [string | null, number | null, string, number] {
  switch (rule.kind) {
    case 'price':
      return [rule.symbol, null, rule.direction, rule.level];
    case 'day-move':
      return [rule.symbol, null, rule.direction, rule.percent];
    case 'portfolio-value':
    case 'day-pnl':
      return [null, rule.portfolio, rule.direction, rule.level];
    case 'drift':
      return [rule.symbol, rule.portfolio, 'either', rule.points];
  }
}

const toAlert = (r: AlertRow): StoredAlert => ({
  id: r.id,
  userId: r.userId,
  rule: ruleOf(r),
  note: r.note,
  enabled: r.enabled,
  armed: r.armed,
  createdAt: r.createdAt,
});

export async function createAlert(db: Queryable, userId: number, rule: AlertRule, note: string): Promise<StoredAlert> {
  const [symbol, portfolio, direction, threshold] = columnsOf(rule);
  const rows = await db.query<AlertRow>(
    `INSERT INTO alerts (user_id, kind, symbol, portfolio_id, direction, threshold, note)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
    [userId, rule.kind, symbol, portfolio, direction, threshold, note],
  );
  return toAlert(rows[0]!);
}

export async function listAlerts(db: Queryable, userId: number): Promise<StoredAlert[]> {
  const rows = await db.query<AlertRow>(`SELECT ${COLUMNS} FROM alerts WHERE user_id = $1 ORDER BY id`, [userId]);
  return rows.map(toAlert);
}

/** The user's alert; undefined when absent or someone else's. */
export async function findAlert(db: Queryable, userId: number, id: number): Promise<StoredAlert | undefined> {
  const rows = await db.query<AlertRow>(`SELECT ${COLUMNS} FROM alerts WHERE id = $1 AND user_id = $2`, [id, userId]);
  return rows[0] && toAlert(rows[0]);
}

/**
 * Replaces what the user may change. A new rule starts unseen (armed NULL): its old hysteresis
 * state belonged to another level. Enabling again keeps the state.
 */
export async function updateAlert(
  db: Queryable,
  userId: number,
  id: number,
  change: { rule?: AlertRule; note?: string; enabled?: boolean },
): Promise<StoredAlert | undefined> {
  const cols = change.rule ? columnsOf(change.rule) : [null, null, null, null];
  const rows = await db.query<AlertRow>(
    `UPDATE alerts SET
        kind = coalesce($3, kind),
        symbol = CASE WHEN $3::text IS NULL THEN symbol ELSE $4 END,
        portfolio_id = CASE WHEN $3::text IS NULL THEN portfolio_id ELSE $5::bigint END,
        direction = coalesce($6, direction),
        threshold = coalesce($7, threshold),
        armed = CASE WHEN $3::text IS NULL THEN armed ELSE NULL END,
        note = coalesce($8, note),
        enabled = coalesce($9, enabled)
      WHERE id = $1 AND user_id = $2 RETURNING ${COLUMNS}`,
    [id, userId, change.rule?.kind ?? null, ...cols, change.note ?? null, change.enabled ?? null],
  );
  return rows[0] && toAlert(rows[0]);
}

export async function deleteAlert(db: Queryable, userId: number, id: number): Promise<boolean> {
  const rows = await db.query(`DELETE FROM alerts WHERE id = $1 AND user_id = $2 RETURNING id`, [id, userId]);
  return rows.length > 0;
}

/** For the evaluator: one alert by id whoever owns it, when enabled. */
export async function findEnabledAlert(db: Queryable, id: number): Promise<StoredAlert | undefined> {
  const rows = await db.query<AlertRow>(`SELECT ${COLUMNS} FROM alerts WHERE id = $1 AND enabled`, [id]);
  return rows[0] && toAlert(rows[0]);
}

export async function listEnabledAlerts(db: Queryable): Promise<StoredAlert[]> {
  return (await db.query<AlertRow>(`SELECT ${COLUMNS} FROM alerts WHERE enabled ORDER BY id`)).map(toAlert);
}

export async function setArmed(db: Queryable, id: number, armed: boolean): Promise<void> {
  await db.query(`UPDATE alerts SET armed = $2 WHERE id = $1`, [id, armed]);
}

export interface Firing {
  id: number;
  alertId: number | null;
  firedAt: Date;
  value: number;
  description: string;
}

/**
 * Records one crossing, at most once: the alert is disarmed in the same statement that checks it
 * was armed, so a second process that saw the same crossing (a lease hand-over) records nothing.
 * Returns the firing and where to email it, or undefined when it was not this call's to record.
 */
export async function recordFiring(
  db: Database,
  alertId: number,
  firedAt: Date,
  value: number,
  description: string,
): Promise<(Firing & { userId: number; email: string | null }) | undefined> {
  return db.transaction(async (tx) => {
    const claimed = await tx.query<{ userId: number; email: string | null }>(
      `UPDATE alerts a SET armed = false FROM users u
        WHERE a.id = $1 AND a.enabled AND a.armed IS DISTINCT FROM false AND u.id = a.user_id
        RETURNING a.user_id AS "userId", u.email`,
      [alertId],
    );
    if (!claimed[0]) return undefined;
    const rows = await tx.query<Firing>(
      `INSERT INTO alert_firings (alert_id, user_id, fired_at, value, description) VALUES ($1, $2, $3, $4, $5)
       RETURNING id, alert_id AS "alertId", fired_at AS "firedAt", value, description`,
      [alertId, claimed[0].userId, firedAt, value, description],
    );
    return { ...rows[0]!, ...claimed[0] };
  });
}

/** Newest first; `before` is the id of the last firing of the previous page. */
export async function listFirings(db: Queryable, userId: number, limit: number, before?: number): Promise<Firing[]> {
  return db.query<Firing>(
    `SELECT id, alert_id AS "alertId", fired_at AS "firedAt", value, description FROM alert_firings
      WHERE user_id = $1 AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
    [userId, before ?? null, limit],
  );
}

/** How a portfolio is named in an alert's description. */
export async function portfolioName(db: Queryable, portfolioId: number): Promise<string | undefined> {
  const rows = await db.query<{ name: string }>(`SELECT name FROM portfolios WHERE id = $1`, [portfolioId]);
  return rows[0]?.name;
}
