// Redis Stream entry ids are "<milliseconds>-<sequence>"; ids made by XADD * carry Redis's clock,
// which is what lag is measured against.

export function idTime(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}

/** Orders two entry ids as the stream does: by milliseconds, then by sequence. */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split('-').map(BigInt) as [bigint, bigint];
  return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
}

/** The smallest id after `id`. */
export function nextId(id: string): string {
  const [ms, seq] = id.split('-') as [string, string];
  return `${ms}-${BigInt(seq) + 1n}`;
}
