import { describe, expect, it } from 'vitest';
import { ExportRequestSchema, fileNameOf } from './export-request.js';

describe('export requests', () => {
  it('defaults the range of history and report exports, and drops it for the others', () => {
    expect(ExportRequestSchema.parse({ portfolio: 3, kind: 'history-csv' })).toEqual({
      portfolio: 3,
      kind: 'history-csv',
      range: '1M',
    });
    expect(ExportRequestSchema.parse({ portfolio: 3, kind: 'positions-csv', range: '1Y' }).range).toBeNull();
  });

  it('refuses unknown kinds, ranges, fields and ids that are not positive integers', () => {
    for (const body of [
      { portfolio: 1, kind: 'pdf' },
      { portfolio: 1, kind: 'report-html', range: '2Y' },
      { portfolio: 1.5, kind: 'positions-csv' },
      { portfolio: '1', kind: 'positions-csv' },
      { portfolio: 1, kind: 'positions-csv', extra: true },
      null,
    ]) {
      expect(ExportRequestSchema.safeParse(body).success).toBe(false);
    }
  });

  it('names files in ASCII after the portfolio, the export, the range and the day', () => {
    const now = Date.UTC(2026, 10, 25, 12);
    expect(fileNameOf({ portfolio: 1, kind: 'report-html', range: '1Y' }, 'Growth & Income', now)).toBe(
      'growth-income-report-1Y-2026-11-25.html',
    );
    expect(fileNameOf({ portfolio: 9, kind: 'positions-csv', range: null }, 'Ünïcode "quoted"', now)).toBe(
      'unicode-quoted-positions-2026-11-25.csv',
    );
    expect(fileNameOf({ portfolio: 9, kind: 'transactions-csv', range: null }, '日本', now)).toBe(
      'portfolio-9-transactions-2026-11-25.csv',
    );
  });
});
