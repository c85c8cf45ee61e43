// uPlot with the dashboard's look. Imported dynamically by the chart component, so the library and
// its stylesheet load after the first paint and only on the dashboard.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartData } from './series';

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** Colours come from the theme's custom properties, read when the chart is drawn. */
function palette() {
  const style = getComputedStyle(document.documentElement);
  const read = (name: string) => style.getPropertyValue(name).trim();
  return {
    value: read('--accent'),
    twr: read('--series-return'),
    benchmark: read('--muted'),
    grid: read('--border'),
    text: read('--muted'),
  };
}

/** An hour around a lone point (a fresh portfolio, a quiet range): uPlot 1.6 would span ~3 years. */
function timeRange(u: uPlot, min: number | null, max: number | null): uPlot.Range.MinMax {
  const times = u.data[0];
  if (times.length > 1 && min !== null && max !== null) return [min, max];
  const at = times[times.length - 1] ?? Date.now() / 1000;
  return [at - 1800, at + 1800];
}

export function drawChart(
  target: HTMLElement,
  data: ChartData,
  width: number,
  height: number,
  onCursor: (index: number | null) => void,
): uPlot {
  const c = palette();
  const axis = { stroke: c.text, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1 } };
  return new uPlot(
    {
      width,
      height,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true, range: timeRange } },
      series: [
        {},
        { label: 'Value', stroke: c.value, width: 2 },
        { label: 'Return', stroke: c.twr, width: 1.5, scale: '%' },
        { label: 'Benchmark', stroke: c.benchmark, width: 1.5, dash: [5, 4], scale: '%', spanGaps: true },
      ],
      axes: [
        axis,
        { ...axis, size: 56, values: (_u, ticks) => ticks.map((v) => compact.format(v)) },
        {
          ...axis,
          scale: '%',
          side: 1,
          size: 52,
          grid: { show: false },
          values: (_u, ticks) => ticks.map((v) => `${+v.toFixed(2)}%`),
        },
      ],
      hooks: { setCursor: [(u) => onCursor(u.cursor.idx ?? null)] },
    },
    data,
    target,
  );
}
