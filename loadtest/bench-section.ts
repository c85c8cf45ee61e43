// Writes one benchmark's section of docs/benchmarks.md, between its own markers, leaving the other
// benchmarks' sections alone; and describes the machine the figures come from.
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

const DOC = new URL('../docs/benchmarks.md', import.meta.url);
const HEADER = '# Benchmarks\n\nEach section is written by the benchmark it names; rerun the command to refresh it.\n';

export function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${availableParallelism()} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.versions.node}`;
}

export function load(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

/** Replaces (or appends) the section named `name`; `body` is Markdown without the markers. */
export function writeSection(name: string, body: string): string {
  const begin = `<!-- bench:${name} begin -->`;
  const end = `<!-- bench:${name} end -->`;
  let doc: string;
  try {
    doc = readFileSync(DOC, 'utf8');
  } catch {
    doc = HEADER;
  }
  const section = `${begin}\n${body.trim()}\n${end}`;
  const from = doc.indexOf(begin);
  const to = doc.indexOf(end);
  doc =
    from >= 0 && to > from
      ? doc.slice(0, from) + section + doc.slice(to + end.length)
      : `${doc.trimEnd()}\n\n${section}\n`;
  writeFileSync(DOC, doc);
  return DOC.pathname;
}

/** A Markdown table from a header row and rows. */
export function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
