/**
 * What is kept of a session once its personal data is removed (retention, erasure), and what the audit trail
 * records of a decision: Socure's reference ids, the reason codes and the decision, read from the node outputs.
 */
import type { SessionData } from './types.js';

export interface NonPersonalRecord {
  referenceIds: string[];
  reasonCodes: string[];
  /** The last decision seen (ID+ `decision.value`, DocV `decision.value`), if any. */
  decision: string | null;
}

/** Bounded walk (outputs come from Socure and flows): deep nesting is cut off, not followed. */
const MAX_DEPTH = 12;

export function nonPersonalRecord(data: Pick<SessionData, 'outputs' | 'result'>): NonPersonalRecord {
  const referenceIds = new Set<string>();
  const reasonCodes = new Set<string>();
  let decision: string | null = null;
  const stack: Array<{ value: unknown; depth: number }> = [
    { value: data.outputs, depth: 0 },
    { value: data.result, depth: 0 },
  ];
  // Depth-first in document order: the last decision in the walk is the one of the latest node.
  const queue = stack.reverse();
  while (queue.length > 0) {
    const { value, depth } = queue.pop()!;
    if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) continue;
    const children: Array<{ value: unknown; depth: number }> = [];
    for (const [key, child] of Object.entries(value)) {
      if (key === 'referenceId' && typeof child === 'string') referenceIds.add(child);
      else if (key === 'reasonCodes' && Array.isArray(child)) {
        for (const code of child) if (typeof code === 'string') reasonCodes.add(code);
      } else if (key === 'decision') {
        const v = typeof child === 'string' ? child : (child as { value?: unknown } | null)?.value;
        if (typeof v === 'string') decision = v;
      }
      children.push({ value: child, depth: depth + 1 });
    }
    for (let i = children.length - 1; i >= 0; i--) queue.push(children[i]!);
  }
  return { referenceIds: [...referenceIds], reasonCodes: [...reasonCodes].sort(), decision };
}
