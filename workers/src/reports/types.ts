// What the report worker renders from: plain data, loaded by the server and copied to the thread.
// Numbers are exactly as the HTTP API returns them; the renderers format, they never recompute.

export interface PositionLine {
  symbol: string;
  name: string;
  sector: string;
  quantity: number;
  costBasis: number;
  /** Percent, or null without a target. */
  targetWeight: number | null;
}

export interface TransactionLine {
  id: number;
  kind: string;
  /** ms since the Unix epoch. */
  time: number;
  symbol: string | null;
  quantity: number | null;
  price: number | null;
  amount: number;
}

/** The history API's answer (server/src/history/portfolio-history.ts HistoryResponse). */
export interface HistoryData {
  range: string;
  resolution: string;
  from: number;
  to: number;
  points: { time: number[]; value: number[]; netFlow: number[]; twr: number[] };
  twr: number;
  benchmark: { symbol: string; close: (number | null)[]; return: (number | null)[]; totalReturn: number | null } | null;
}

/** The portfolio-metrics API's answer, the fields the report shows. */
export interface MetricsData {
  returns: number;
  riskFreeRate: number;
  timeWeightedReturn: number | null;
  annualisedVolatility: number | null;
  sharpe: number | null;
  sortino: number | null;
  maxDrawdown: { depth: number; peakAt: number | null; troughAt: number | null; recoveredAt: number | null } | null;
  valueAtRisk95: number | null;
  conditionalValueAtRisk95: number | null;
  bestDay: { at: number; return: number } | null;
  worstDay: { at: number; return: number } | null;
  benchmark: { symbol: string; observations: number; beta: number | null; correlation: number | null } | null;
}

/** A position in the report: the ledger's line valued at the last price the server knew. */
export interface ValuedPosition extends PositionLine {
  price: number | null;
  value: number | null;
}

export interface ReportData {
  portfolio: { id: number; name: string; baseCurrency: string };
  generatedAt: number;
  history: HistoryData;
  /** Null when the metrics could not be computed (too few days). */
  metrics: MetricsData | null;
  positions: ValuedPosition[];
}

export type RenderRequest =
  | { kind: 'positions-csv'; positions: PositionLine[] }
  | { kind: 'transactions-csv'; transactions: TransactionLine[] }
  | { kind: 'history-csv'; history: HistoryData }
  | { kind: 'report-html'; report: ReportData };
