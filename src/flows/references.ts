/**
 * `{{path}}` references in flow strings. A string that is exactly one reference yields the value itself
 * (object, number…); references inside text are interpolated as text. Missing values resolve to undefined
 * (or '' inside text), so an optional input stays optional.
 */
const REF = /\{\{\s*([A-Za-z][\w-]*(?:\.[\w-]+)*)\s*\}\}/g;
const WHOLE = /^\{\{\s*([A-Za-z][\w-]*(?:\.[\w-]+)*)\s*\}\}$/;

export type Scope = Record<string, unknown>;

export function lookup(scope: Scope, path: string): unknown {
  let value: unknown = scope;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

export function resolveString(template: string, scope: Scope): unknown {
  const whole = WHOLE.exec(template);
  if (whole) return lookup(scope, whole[1]!);
  return template.replace(REF, (_, path: string) => {
    const v = lookup(scope, path);
    if (v === undefined || v === null) return '';
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  });
}

/** Resolves references anywhere in a JSON value. */
export function resolveDeep(value: unknown, scope: Scope): unknown {
  if (typeof value === 'string') return resolveString(value, scope);
  if (Array.isArray(value)) return value.map((v) => resolveDeep(v, scope));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = resolveDeep(v, scope);
      if (r !== undefined) out[k] = r;
    }
    return out;
  }
  return value;
}

/** The root names (`input`, `session`, node ids) a value refers to, for load-time checks. */
export function referencedRoots(value: unknown, found = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    for (const m of value.matchAll(REF)) found.add(m[1]!.split('.')[0]!);
  } else if (Array.isArray(value)) {
    for (const v of value) referencedRoots(v, found);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) referencedRoots(v, found);
  }
  return found;
}

/** Every reference in a value with the field path that holds it (e.g. `result.deep.x`), for load errors. */
export function referencesIn(value: unknown, path = ''): Array<{ path: string; root: string }> {
  if (typeof value === 'string')
    return [...value.matchAll(REF)].map((m) => ({ path, root: m[1]!.split('.')[0]! }));
  const entries = Array.isArray(value)
    ? value.map((v, i) => [String(i), v] as const)
    : value && typeof value === 'object'
      ? Object.entries(value)
      : [];
  return entries.flatMap(([k, v]) => referencesIn(v, path ? `${path}.${k}` : k));
}
