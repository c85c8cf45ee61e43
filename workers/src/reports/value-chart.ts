// The report's value chart as inline SVG: one line, its range on the left, the first and last date
// below. Inline so the report is one self-contained file that prints the same anywhere.
import { escapeHtml } from './html.js';

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { left: 104, right: 12, top: 10, bottom: 26 };

export function valueChartSvg(time: readonly number[], value: readonly number[], label: (v: number) => string): string {
  const open = `<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="Portfolio value over the range" xmlns="http://www.w3.org/2000/svg">`;
  if (time.length < 2) {
    return `${open}<text x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle">Not enough history in this range</text></svg>`;
  }
  let low = Infinity;
  let high = -Infinity;
  for (const v of value) {
    low = Math.min(low, v);
    high = Math.max(high, v);
  }
  if (high === low) [low, high] = [low - 1, high + 1];
  const t0 = time[0]!;
  const span = time[time.length - 1]! - t0 || 1;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (t: number) => (PAD.left + ((t - t0) / span) * plotW).toFixed(1);
  const y = (v: number) => (PAD.top + (1 - (v - low) / (high - low)) * plotH).toFixed(1);
  const points = time.map((t, i) => `${x(t)},${y(value[i]!)}`).join(' ');
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  const bottom = HEIGHT - PAD.bottom;
  return [
    open,
    `<line class="axis" x1="${PAD.left}" y1="${bottom}" x2="${WIDTH - PAD.right}" y2="${bottom}"/>`,
    `<line class="axis" x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${bottom}"/>`,
    `<text x="${PAD.left - 6}" y="${PAD.top + 10}" text-anchor="end">${escapeHtml(label(high))}</text>`,
    `<text x="${PAD.left - 6}" y="${bottom}" text-anchor="end">${escapeHtml(label(low))}</text>`,
    `<text x="${PAD.left}" y="${HEIGHT - 6}">${day(t0)}</text>`,
    `<text x="${WIDTH - PAD.right}" y="${HEIGHT - 6}" text-anchor="end">${day(time[time.length - 1]!)}</text>`,
    `<polyline class="value" fill="none" points="${points}"/>`,
    '</svg>',
  ].join('');
}
