import type { Condition, NodeOf } from './definition.js';
import { resolveString, type Scope } from './references.js';

export function holds(condition: Condition, scope: Scope): boolean {
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
