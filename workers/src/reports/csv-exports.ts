// The three CSV exports: positions, transactions and performance history, one row per line the API
// returns, columns named as the API names its fields.
import { isoTime, toCsv } from './csv.js';
import type { HistoryData, PositionLine, TransactionLine } from './types.js';

export function positionsCsv(positions: readonly PositionLine[]): string {
  return toCsv(
    ['symbol', 'name', 'sector', 'quantity', 'costBasis', 'targetWeight'],
    positions.map((p) => [p.symbol, p.name, p.sector, p.quantity, p.costBasis, p.targetWeight]),
  );
}

export function transactionsCsv(transactions: readonly TransactionLine[]): string {
  return toCsv(
    ['id', 'time', 'kind', 'symbol', 'quantity', 'price', 'amount'],
    transactions.map((t) => [t.id, isoTime(t.time), t.kind, t.symbol, t.quantity, t.price, t.amount]),
  );
}

export function historyCsv(history: HistoryData): string {
  const { time, value, netFlow, twr } = history.points;
  const bench = history.benchmark;
  const header = ['time', 'value', 'netFlow', 'twr'];
  if (bench) header.push(`${bench.symbol}Close`, `${bench.symbol}Return`);
  return toCsv(
    header,
    time.map((t, i) => {
      const row = [isoTime(t), value[i], netFlow[i], twr[i]];
      return bench ? [...row, bench.close[i], bench.return[i]] : row;
    }),
  );
}
