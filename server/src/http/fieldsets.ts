// Sparse fieldsets: `?fields=id,name,positions.symbol` keeps only those fields (dotted paths reach
// into nested objects and into every element of nested arrays); `?exclude=positions` drops nested
// resources a client does not need. Applied to the reply body, after the handler, so every
// endpoint gets it the same way.

type Json = unknown;

/** Parses a comma-separated list of dotted paths; undefined when the parameter is absent. */
export function parsePaths(value: string | null): string[][] | undefined {
  if (value === null) return undefined;
  return value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => p.split('.'));
}

export function selectFields(body: Json, fields: string[][] | undefined, exclude: string[][] | undefined): Json {
  let out = body;
  if (fields?.length) out = pick(out, fields);
  if (exclude?.length) out = drop(out, exclude);
  return out;
}

function pick(value: Json, paths: string[][]): Json {
  if (Array.isArray(value)) return value.map((v) => pick(v, paths));
  if (!isObject(value)) return value;
  // A list endpoint wraps its items ({"portfolios": [...]}); fields then name the items' fields.
  const keys = Object.keys(value);
  if (keys.length === 1 && Array.isArray(value[keys[0]!]) && !paths.some((p) => p[0] === keys[0])) {
    return { [keys[0]!]: pick(value[keys[0]!], paths) };
  }
  const out: Record<string, Json> = {};
  for (const [head, ...rest] of paths) {
    if (!(head! in value)) continue;
    const sub = paths.filter((p) => p[0] === head && p.length > 1).map((p) => p.slice(1));
    const whole = paths.some((p) => p[0] === head && p.length === 1);
    out[head!] = whole || rest.length === 0 ? value[head!] : pick(value[head!], sub);
  }
  return out;
}

function drop(value: Json, paths: string[][]): Json {
  if (Array.isArray(value)) return value.map((v) => drop(v, paths));
  if (!isObject(value)) return value;
  const out: Record<string, Json> = {};
  for (const [key, v] of Object.entries(value)) {
    if (paths.some((p) => p.length === 1 && p[0] === key)) continue;
    const sub = paths.filter((p) => p[0] === key && p.length > 1).map((p) => p.slice(1));
    out[key] = sub.length ? drop(v, sub) : v;
  }
  // As with pick: exclude on a wrapped list applies to its items.
  const keys = Object.keys(out);
  if (keys.length === 1 && Array.isArray(out[keys[0]!]) && !paths.some((p) => p[0] === keys[0])) {
    return { [keys[0]!]: drop(out[keys[0]!], paths) };
  }
  return out;
}

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
