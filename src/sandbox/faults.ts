import { randomInt } from 'node:crypto';
import { createPrng } from './prng.js';

/** Faults a whole run can inject at random (the `faults` option / `--faults` flag). */
export const FAULT_KINDS = ['429', '500', '503', 'reset', 'slow', 'malformed'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
/** Probability (0..1) of each fault per ID+ request; the rates must add up to at most 1. */
export type FaultRates = Partial<Record<FaultKind, number>>;

const isFaultKind = (v: string): v is FaultKind => (FAULT_KINDS as readonly string[]).includes(v);

/** "429:0.1,500:0.05,reset:0.01" → { 429: 0.1, 500: 0.05, reset: 0.01 }. Errors name the bad item. */
export function parseFaultSpec(spec: string): FaultRates {
  const rates: FaultRates = {};
  const items = spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const item of items) {
    const m = /^([^:\s]+)\s*:\s*(\S+)$/.exec(item);
    if (!m) throw new Error(`Invalid fault "${item}": expected <kind>:<rate>, e.g. 503:0.05`);
    const kind = m[1]!.toLowerCase();
    if (!isFaultKind(kind)) {
      throw new Error(
        `Invalid fault "${item}": unknown kind "${m[1]}"; expected one of ${FAULT_KINDS.join(', ')}`,
      );
    }
    const rate = /^\d*\.?\d+$/.test(m[2]!) ? Number(m[2]) : Number.NaN;
    if (!(rate >= 0 && rate <= 1)) {
      throw new Error(`Invalid fault "${item}": rate must be a number from 0 to 1`);
    }
    if (rates[kind] !== undefined) throw new Error(`Invalid fault "${item}": ${kind} is given twice`);
    rates[kind] = rate;
  }
  checkFaultRates(rates);
  return rates;
}

/** Throws when a rate is out of range or the rates add up to more than 1. */
export function checkFaultRates(rates: FaultRates): void {
  let total = 0;
  for (const [kind, rate] of Object.entries(rates)) {
    if (!isFaultKind(kind))
      throw new Error(`Invalid fault kind "${kind}"; expected one of ${FAULT_KINDS.join(', ')}`);
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
      throw new Error(`Invalid fault rate for ${kind}: must be a number from 0 to 1`);
    }
    total += rate;
  }
  if (total > 1 + 1e-9) throw new Error(`Invalid faults: the rates add up to ${total}, more than 1`);
}

/** "50ms" | "2s" | "1.5s" | "150" (milliseconds) → milliseconds. */
export function parseDuration(spec: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$/i.exec(spec);
  if (!m) throw new Error(`Invalid duration "${spec}": expected e.g. 50ms, 2s or 150 (milliseconds)`);
  const value = Number(m[1]) * (m[2]?.toLowerCase() === 's' ? 1000 : 1);
  if (!Number.isFinite(value)) throw new Error(`Invalid duration "${spec}": too large`);
  return Math.round(value);
}

/**
 * One draw per ID+ request from a seeded PRNG; the kinds share the unit interval in FAULT_KINDS order,
 * so each fires with exactly its rate. Draws happen even when no fault is configured for a kind, which
 * keeps the sequence reproducible for a given seed.
 */
export function createFaultDrawer(rates: FaultRates = {}, seed?: number): () => FaultKind | undefined {
  checkFaultRates(rates);
  const next = createPrng(seed ?? randomInt(2 ** 31));
  return () => {
    const u = next();
    let edge = 0;
    for (const kind of FAULT_KINDS) {
      edge += rates[kind] ?? 0;
      if (u < edge) return kind;
    }
    return undefined;
  };
}
