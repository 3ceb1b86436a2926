import type { DeliveryKnobs } from '../docv/types.js';

export const MAX_DELAY_MS = 600_000;

const TRUE = new Set(['true', 'on', '1', 'yes']);
const FALSE = new Set(['false', 'off', '0', 'no', '']);

function flag(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && TRUE.has(v.toLowerCase())) return true;
  if (typeof v === 'string' && FALSE.has(v.toLowerCase())) return false;
  return undefined;
}

export type KnobsResult =
  | { ok: true; knobs: DeliveryKnobs }
  | { ok: false; msg: string; parameters: string[] };

/**
 * Applies a patch `{duplicate?, outOfOrder?, delayMs?}` from JSON or an HTML form (checkbox strings)
 * to the current knobs; fields not given keep their value.
 */
export function patchKnobs(current: DeliveryKnobs, patch: Record<string, unknown>): KnobsResult {
  const next = { ...current };
  const bad: string[] = [];
  for (const key of ['duplicate', 'outOfOrder'] as const) {
    if (patch[key] === undefined) continue;
    const v = flag(patch[key]);
    if (v === undefined) bad.push(key);
    else next[key] = v;
  }
  if (patch.delayMs !== undefined) {
    const v = typeof patch.delayMs === 'string' ? Number(patch.delayMs.trim() || '0') : patch.delayMs;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_DELAY_MS) next.delayMs = v;
    else bad.push('delayMs');
  }
  if (bad.length > 0) {
    return {
      ok: false,
      msg: `Invalid knobs: ${bad.join(', ')} (duplicate and outOfOrder are true/false; delayMs is whole ms from 0 to ${MAX_DELAY_MS})`,
      parameters: bad,
    };
  }
  return { ok: true, knobs: next };
}

/** Either side turns a mode on; the longer delay wins. */
export const combineKnobs = (a: DeliveryKnobs, b: DeliveryKnobs): DeliveryKnobs => ({
  duplicate: a.duplicate || b.duplicate,
  outOfOrder: a.outOfOrder || b.outOfOrder,
  delayMs: Math.max(a.delayMs, b.delayMs),
});
