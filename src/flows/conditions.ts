import type { Condition, NodeOf } from './definition.js';
import { resolveString, type Scope } from './references.js';

/**
 * The text items a `hasAnyOf` / `hasNoneOf` condition looks at: every list its value (or values) resolves to,
 * pooled, plus any single text value. Undefined when nothing resolved to a list or text (a module that was not
 * called, a path with a typo): "no codes to look at" is not "none of these codes".
 */
export function pooledItems(value: string | string[], scope: Scope): Set<string> | undefined {
  let found = false;
  const items = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v === 'string' && v.trim() !== '') items.add(v.trim().toUpperCase());
    else if (typeof v === 'number') items.add(String(v));
  };
  for (const template of Array.isArray(value) ? value : [value]) {
    const v = resolveString(template, scope);
    if (Array.isArray(v)) {
      found = true;
      for (const item of v) add(item);
    } else if (typeof v === 'string' && v.trim() !== '') {
      found = true;
      add(v);
    }
  }
  return found ? items : undefined;
}

function holdsOnList(condition: Condition, scope: Scope): boolean {
  const items = pooledItems(condition.value, scope);
  if (!items) return false;
  const norm = (code: string) => code.trim().toUpperCase();
  if (condition.hasAnyOf && !condition.hasAnyOf.some((code) => items.has(norm(code)))) return false;
  if (condition.hasNoneOf?.some((code) => items.has(norm(code)))) return false;
  return true;
}

export function holds(condition: Condition, scope: Scope): boolean {
  if (condition.hasAnyOf !== undefined || condition.hasNoneOf !== undefined)
    return holdsOnList(condition, scope);
  // A list of values is refused by the schema without hasAnyOf / hasNoneOf; never compare it as one.
  if (Array.isArray(condition.value)) return false;
  const v = resolveString(condition.value, scope);
  if (condition.exists !== undefined) return (v !== undefined && v !== null && v !== '') === condition.exists;
  if ('equals' in condition && condition.equals !== undefined) return v === condition.equals;
  if (condition.in !== undefined) return condition.in.includes(v);
  // Only numbers and numeric text compare: Number() would turn false, [] or ' ' into 0.
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  if (Number.isNaN(n)) return false;
  if (condition.gte !== undefined && n < condition.gte) return false;
  if (condition.lte !== undefined && n > condition.lte) return false;
  return true;
}

/** The node a branch goes to: the first rule that holds, else the case for the value, else the default. */
export function chooseBranch(node: NodeOf<'branch'>, scope: Scope): string {
  for (const rule of node.rules ?? []) if (holds(rule.if, scope)) return rule.next;
  if (node.value !== undefined && node.cases) {
    const v = resolveString(node.value, scope);
    const key = v === undefined || v === null ? '' : String(v);
    if (Object.hasOwn(node.cases, key)) return node.cases[key]!;
  }
  return node.default;
}
