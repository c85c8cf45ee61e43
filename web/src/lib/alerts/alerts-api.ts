// /api/v1/alerts (docs/alerts.md): the trader's alerts and what fired.
import { request } from '$lib/api';

export type AlertKind = 'price' | 'day-move' | 'portfolio-value' | 'day-pnl' | 'drift';

export type AlertRule =
  | { kind: 'price'; symbol: string; direction: 'above' | 'below'; level: number }
  | { kind: 'day-move'; symbol: string; direction: 'up' | 'down' | 'either'; percent: number }
  | { kind: 'portfolio-value' | 'day-pnl'; portfolio: number; direction: 'above' | 'below'; level: number }
  | { kind: 'drift'; portfolio: number; symbol: string; points: number };

export type Alert = AlertRule & {
  id: number;
  note: string;
  enabled: boolean;
  /** armed: waiting for a crossing; fired: crossed, waiting to come back; pending: not yet checked. */
  state: 'pending' | 'armed' | 'fired';
  createdAt: number;
};

export interface Firing {
  id: number;
  alertId: number | null;
  firedAt: number;
  value: number;
  description: string;
}

export async function listAlerts(): Promise<Alert[]> {
  return (await request<{ alerts: Alert[] }>(fetch, 'GET', '/alerts')).alerts;
}

export function createAlert(rule: AlertRule): Promise<Alert> {
  return request<Alert>(fetch, 'POST', '/alerts', rule);
}

export function setEnabled(id: number, enabled: boolean): Promise<Alert> {
  return request<Alert>(fetch, 'PATCH', `/alerts/${id}`, { enabled });
}

export function deleteAlert(id: number): Promise<void> {
  return request<void>(fetch, 'DELETE', `/alerts/${id}`);
}

export function listFired(before?: number): Promise<{ fired: Firing[]; next: number | null }> {
  return request(fetch, 'GET', `/alerts/fired?limit=20${before === undefined ? '' : `&before=${before}`}`);
}
