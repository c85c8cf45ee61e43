// One entry point for every export kind: the worker thread calls this, and tests can too.
import { historyCsv, positionsCsv, transactionsCsv } from './csv-exports.js';
import { reportHtml } from './report-html.js';
import type { RenderRequest } from './types.js';

export function render(request: RenderRequest): string {
  switch (request.kind) {
    case 'positions-csv':
      return positionsCsv(request.positions);
    case 'transactions-csv':
      return transactionsCsv(request.transactions);
    case 'history-csv':
      return historyCsv(request.history);
    case 'report-html':
      return reportHtml(request.report);
  }
}
