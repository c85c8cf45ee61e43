// Random target allocations the server must accept (PUT /api/v1/allocations): one weight per held
// symbol, in percent with at most two decimals, summing to exactly 100. Built in whole basis points
// so no floating-point sum can miss 100 by a rounding error.
export interface Target {
  symbol: string;
  weight: number;
}

const TOTAL_BP = 10_000;

export function randomTargets(symbols: readonly string[], random: () => number = Math.random): Target[] {
  if (symbols.length === 0) return [];
  const raw = symbols.map(() => 1 + random());
  const sum = raw.reduce((a, b) => a + b, 0);
  const bp = raw.map((r) => Math.floor((r / sum) * TOTAL_BP));
  bp[0]! += TOTAL_BP - bp.reduce((a, b) => a + b, 0);
  return symbols.map((symbol, i) => ({ symbol, weight: bp[i]! / 100 }));
}
