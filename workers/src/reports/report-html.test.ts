import { describe, expect, it } from 'vitest';
import { reportHtml } from './report-html.js';
import type { ReportData } from './types.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 9, 1);

function report(overrides: Partial<ReportData> = {}): ReportData {
  return {
    portfolio: { id: 1, name: 'Core', baseCurrency: 'USD' },
    generatedAt: T0 + 10 * DAY,
    history: {
      range: '1M',
      resolution: '1d',
      from: T0,
      to: T0 + 3 * DAY,
      points: { time: [T0, T0 + DAY, T0 + 2 * DAY], value: [100, 110, 105], netFlow: [0, 0, 0], twr: [0, 0.1, 0.05] },
      twr: 0.05,
      benchmark: null,
    },
    metrics: null,
    positions: [
      {
        symbol: 'AAPL',
        name: 'Apple',
        sector: 'IT',
        quantity: 2,
        costBasis: 300,
        targetWeight: null,
        price: 52.5,
        value: 105,
      },
    ],
    ...overrides,
  };
}

describe('the performance report', () => {
  it('escapes what users and the database wrote', () => {
    const html = reportHtml(report({ portfolio: { id: 1, name: '<script>alert(1)</script>', baseCurrency: 'USD' } }));
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('draws one point per history point, and says so when there is too little history', () => {
    const points = /<polyline class="value" fill="none" points="([^"]*)"/.exec(reportHtml(report()))![1]!.split(' ');
    expect(points).toHaveLength(3);
    const empty = report();
    empty.history.points = { time: [T0], value: [100], netFlow: [0], twr: [0] };
    expect(reportHtml(empty)).toContain('Not enough history in this range');
  });

  it('shows the range’s return, the value change net of flows, and positions with their weight', () => {
    const html = reportHtml(report());
    expect(html).toContain('<td>Time-weighted return</td><td class="num pos">+5.00 %</td>');
    expect(html).toContain('<td>Change not from flows</td><td class="num">$5.00</td>');
    expect(html).toContain('<td class="num">52.50</td><td class="num">$105.00</td>');
    expect(html).toContain('<td class="num">100.00 %</td>');
    expect(html).toContain('Not enough daily history in this range for risk metrics.');
    expect(html).toContain('@media print');
  });
});
