import { createHash } from 'node:crypto';

/**
 * Deterministic "randomness": a sha256 of the labelled, normalised inputs mapped to [0, 1).
 * The same person always gets the same scores; different people get plausibly different ones.
 */
export function unit(label: string, ...parts: Array<string | undefined>): number {
  const normalised = parts.map((p) => (p ?? '').trim().toLowerCase().replace(/\s+/g, ' '));
  const hash = createHash('sha256')
    .update([label, ...normalised].join('\u0000'))
    .digest();
  return hash.readUIntBE(0, 6) / 2 ** 48;
}

/** A short deterministic hex id (entity ids, document numbers). */
export function hexId(length: number, ...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, length);
}

/** Risk bands; the gaps between them keep each band's reason codes and decision unambiguous. */
export type Band = 'low' | 'medium' | 'elevated' | 'high';
const RANGES: Record<Band, [number, number]> = {
  low: [0.02, 0.35],
  medium: [0.5, 0.75],
  elevated: [0.8, 0.94],
  high: [0.95, 0.99],
};
const ORDER: Band[] = ['low', 'medium', 'elevated', 'high'];

export const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** A score inside `band`, placed by `u` in [0, 1). */
export function scoreIn(band: Band, u: number): number {
  const [lo, hi] = RANGES[band];
  return round3(lo + (hi - lo) * u);
}

export const worseBand = (a: Band, b: Band): Band => (ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b);
export const isHighRisk = (band: Band) => band === 'elevated' || band === 'high';
