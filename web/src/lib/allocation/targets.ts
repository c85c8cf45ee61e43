// Target allocations as the trader types them: parsed, checked against the rules of
// PUT /api/v1/allocations (percent, 0–100, at most 2 decimals, total exactly 100) before anything is
// sent, and the server's own issues mapped back to the row they are about.

import type { Issue, Target } from '../api';

/** The server accepts a total within this of 100 %. */
export const TOTAL_TOLERANCE = 0.005;

export interface Draft {
  symbol: string;
  /** What is in the input; empty means "no target" (the position is not sent and loses it). */
  text: string;
}

export interface Checked {
  /** The targets to send, in draft order; complete only when `ok`. */
  targets: Target[];
  /** Message per symbol whose input is wrong. */
  fields: Record<string, string>;
  /** Sum of the valid targets, rounded to cents of a percent. */
  total: number;
  /** Message about the whole set (the total), or null. */
  overall: string | null;
  ok: boolean;
}

const NUMBER = /^\d{1,3}(\.\d{1,2})?$/;

export function checkTargets(drafts: readonly Draft[]): Checked {
  const targets: Target[] = [];
  const fields: Record<string, string> = {};
  let cents = 0;
  for (const { symbol, text } of drafts) {
    const trimmed = text.trim().replace(',', '.');
    if (trimmed === '') continue;
    if (!NUMBER.test(trimmed)) {
      fields[symbol] = /^\d*\.\d{3,}$/.test(trimmed) ? 'At most 2 decimals.' : 'Enter a percentage such as 12.5.';
      continue;
    }
    const weight = Number(trimmed);
    if (weight > 100) {
      fields[symbol] = 'At most 100 %.';
      continue;
    }
    targets.push({ symbol, weight });
    cents += Math.round(weight * 100);
  }
  const total = cents / 100;
  let overall: string | null = null;
  if (targets.length === 0 && Object.keys(fields).length === 0) overall = 'Set at least one target.';
  else if (Math.abs(total - 100) > TOTAL_TOLERANCE)
    overall = `Targets add up to ${total.toFixed(2)} %; they must total exactly 100 %.`;
  return { targets, fields, total, overall, ok: overall === null && Object.keys(fields).length === 0 };
}

/**
 * Current weights as a starting point: rounded to 2 decimals, with the rounding remainder put on
 * the largest line so the total is exactly 100.
 */
export function fromWeights(weights: readonly { symbol: string; weight: number }[]): Draft[] {
  const cents = weights.map((w) => Math.max(0, Math.round(w.weight * 100)));
  const sum = cents.reduce((a, b) => a + b, 0);
  if (sum > 0 && cents.length > 0) {
    const largest = cents.indexOf(Math.max(...cents));
    cents[largest] = cents[largest]! + 10_000 - sum;
  }
  return weights.map((w, i) => ({ symbol: w.symbol, text: (cents[i]! / 100).toFixed(2) }));
}

/** Equal targets that total exactly 100: the leftover cents go to the first lines. */
export function evenly(symbols: readonly string[]): Draft[] {
  const base = Math.floor(10_000 / symbols.length);
  const extra = 10_000 - base * symbols.length;
  return symbols.map((symbol, i) => ({ symbol, text: ((base + (i < extra ? 1 : 0)) / 100).toFixed(2) }));
}

/** The server's issues (`targets.3.weight`) on the rows they name; anything else as one message. */
export function placeIssues(
  issues: readonly Issue[],
  sent: readonly Target[],
): { fields: Record<string, string>; overall: string[] } {
  const fields: Record<string, string> = {};
  const overall: string[] = [];
  for (const issue of issues) {
    const index = /^targets\.(\d+)(\.|$)/.exec(issue.path)?.[1];
    const symbol = index === undefined ? undefined : sent[Number(index)]?.symbol;
    if (symbol) fields[symbol] = issue.message;
    else overall.push(issue.message);
  }
  return { fields, overall };
}
