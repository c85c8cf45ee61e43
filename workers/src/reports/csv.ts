// RFC 4180 CSV: a header row, CRLF line ends, a field quoted when it holds a comma, a quote or a line
// break (quotes doubled). Numbers are written as JavaScript writes them, which is how JSON writes
// them too, so a CSV cell is character for character what the API returned. Text that a
// spreadsheet would run as a formula (starting with = + - @ or a tab) gets a leading apostrophe:
// a symbol or a portfolio name must never become a formula in a trader's spreadsheet.
export type Cell = string | number | null | undefined;

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: Iterable<readonly Cell[]>): string {
  const lines = [header.map(csvCell).join(',')];
  for (const row of rows) lines.push(row.map(csvCell).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** ISO 8601 in UTC with milliseconds, e.g. 2026-11-25T13:00:00.000Z. */
export const isoTime = (ms: number): string => new Date(ms).toISOString();
