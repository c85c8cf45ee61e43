// The performance report: one self-contained HTML page (inline CSS and SVG, no script) that reads
// on screen and prints cleanly on A4 or Letter: value chart, returns, risk metrics, positions.
import { escapeHtml } from './html.js';
import type { MetricsData, ReportData } from './types.js';
import { valueChartSvg } from './value-chart.js';

const STYLE = `
  :root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111; }
  body { max-width: 60rem; margin: 2rem auto; padding: 0 1rem; font-size: 14px; line-height: 1.4; }
  h1 { font-size: 1.6rem; margin: 0 0 .2rem; }
  h2 { font-size: 1.1rem; margin: 1.6rem 0 .5rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem; }
  .meta { color: #555; margin: 0; }
  table { border-collapse: collapse; width: 100%; }
  th, td { padding: .25rem .5rem; border-bottom: 1px solid #e5e5e5; text-align: left; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  table.figures td:first-child { width: 40%; color: #444; }
  .neg { color: #b00020; }
  .pos { color: #0a7d32; }
  svg.chart { width: 100%; height: auto; }
  svg.chart text { font-size: 11px; fill: #555; }
  svg.chart .axis { stroke: #999; stroke-width: 1; }
  svg.chart .value { stroke: #1f5fbf; stroke-width: 1.6; }
  footer { margin-top: 2rem; color: #777; font-size: 12px; }
  @page { size: A4; margin: 14mm; }
  @media print {
    body { margin: 0; max-width: none; font-size: 11px; }
    h2 { break-after: avoid; }
    section, tr, svg.chart { break-inside: avoid; }
    thead { display: table-header-group; }
    .neg, .pos { color: #000; }
    a { color: inherit; text-decoration: none; }
  }
`;

export function reportHtml(report: ReportData): string {
  const { portfolio, history, metrics, positions } = report;
  const money = moneyFormat(portfolio.baseCurrency);
  const { time, value, netFlow } = history.points;
  const first = value[0];
  const last = value[value.length - 1];
  const flows = netFlow.reduce((sum, f) => sum + f, 0);
  const title = `${portfolio.name}: performance ${history.range}`;
  const returns: [string, string][] = [
    ['Time-weighted return', percent(history.twr, true)],
    ...(history.benchmark
      ? [
          [`${history.benchmark.symbol} (benchmark) return`, percent(history.benchmark.totalReturn, true)] as [
            string,
            string,
          ],
        ]
      : []),
    ['Value at start', first === undefined ? '–' : money(first)],
    ['Value at end', last === undefined ? '–' : money(last)],
    ['Net deposits and withdrawals', money(round2(flows))],
    ['Change not from flows', first === undefined || last === undefined ? '–' : money(round2(last - first - flows))],
  ];
  const total = positions.reduce((sum, p) => sum + (p.value ?? 0), 0);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(portfolio.name)}</h1>
<p class="meta">Performance report, range ${escapeHtml(history.range)}: ${day(history.from)} to ${day(history.to)} (UTC), ${escapeHtml(portfolio.baseCurrency)}, ${escapeHtml(history.resolution)} points. Generated ${escapeHtml(new Date(report.generatedAt).toISOString())}.</p>
</header>
<section>
<h2>Value</h2>
${valueChartSvg(time, value, money)}
</section>
<section>
<h2>Returns</h2>
${figures(returns)}
</section>
<section>
<h2>Risk metrics</h2>
${metrics ? figures(metricRows(metrics)) : '<p>Not enough daily history in this range for risk metrics.</p>'}
</section>
<section>
<h2>Positions</h2>
<table>
<thead><tr><th>Symbol</th><th>Name</th><th>Sector</th><th class="num">Quantity</th><th class="num">Price</th><th class="num">Value</th><th class="num">Cost basis</th><th class="num">Weight</th><th class="num">Target</th></tr></thead>
<tbody>
${positions
  .map(
    (p) =>
      `<tr><td>${escapeHtml(p.symbol)}</td><td>${escapeHtml(p.name)}</td><td>${escapeHtml(p.sector)}</td>` +
      `<td class="num">${p.quantity}</td><td class="num">${p.price === null ? '–' : PRICE.format(p.price)}</td>` +
      `<td class="num">${p.value === null ? '–' : money(p.value)}</td><td class="num">${money(p.costBasis)}</td>` +
      `<td class="num">${p.value === null || total <= 0 ? '–' : `${((p.value / total) * 100).toFixed(2)} %`}</td>` +
      `<td class="num">${p.targetWeight === null ? '–' : `${p.targetWeight} %`}</td></tr>`,
  )
  .join('\n')}
</tbody>
</table>
</section>
<footer>Returns are time-weighted (deposits and withdrawals neutralised); risk metrics are daily, annualised with 252 trading days. Past performance does not predict future results.</footer>
</body>
</html>
`;
}

function metricRows(m: MetricsData): [string, string][] {
  const rows: [string, string][] = [
    ['Annualised volatility', percent(m.annualisedVolatility)],
    [`Sharpe ratio (risk-free ${percent(m.riskFreeRate)})`, ratio(m.sharpe)],
    ['Sortino ratio', ratio(m.sortino)],
    [
      'Maximum drawdown',
      m.maxDrawdown
        ? `${percent(-m.maxDrawdown.depth, true)}${m.maxDrawdown.peakAt !== null && m.maxDrawdown.troughAt !== null ? ` (${day(m.maxDrawdown.peakAt)} to ${day(m.maxDrawdown.troughAt)})` : ''}`
        : '–',
    ],
    ['Value at risk, 1 day, 95 %', percent(m.valueAtRisk95)],
    ['Expected shortfall, 1 day, 95 %', percent(m.conditionalValueAtRisk95)],
    ['Best day', m.bestDay ? `${percent(m.bestDay.return, true)} on ${day(m.bestDay.at)}` : '–'],
    ['Worst day', m.worstDay ? `${percent(m.worstDay.return, true)} on ${day(m.worstDay.at)}` : '–'],
    ['Daily returns observed', String(m.returns)],
  ];
  if (m.benchmark) {
    rows.push([`Beta to ${m.benchmark.symbol}`, ratio(m.benchmark.beta)]);
    rows.push([`Correlation with ${m.benchmark.symbol}`, ratio(m.benchmark.correlation)]);
  }
  return rows;
}

function figures(rows: [string, string][]): string {
  return `<table class="figures"><tbody>\n${rows
    .map(([label, v]) => `<tr><td>${escapeHtml(label)}</td><td class="num${signClass(v)}">${escapeHtml(v)}</td></tr>`)
    .join('\n')}\n</tbody></table>`;
}

const signClass = (v: string) => (v.startsWith('-') ? ' neg' : v.startsWith('+') ? ' pos' : '');

function percent(x: number | null, signed = false): string {
  if (x === null || !Number.isFinite(x)) return '–';
  const text = `${(x * 100).toFixed(2)} %`;
  return signed && x > 0 ? `+${text}` : text;
}

/** Prices keep the precision ticks carry (up to 6 places), at least cents. */
const PRICE = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 6 });
const ratio = (x: number | null) => (x === null || !Number.isFinite(x) ? '–' : x.toFixed(2));
const round2 = (x: number) => Math.round(x * 100) / 100;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function moneyFormat(currency: string): (v: number) => string {
  let format: Intl.NumberFormat;
  try {
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
  } catch {
    format = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  return (v) => format.format(v);
}
