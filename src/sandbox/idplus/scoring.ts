import { sha256Hex, sha256Unit } from '../sha256.js';

const SPACES = /\s+/g;

/** How `unit` normalises each part: trimmed, lower-case, inner whitespace collapsed to one space. */
export const normalisePart = (part: string | undefined): string =>
  (part ?? '').trim().toLowerCase().replace(SPACES, ' ');

/**
 * [0, 1) from the sha256 of an already built hash text (`label\0part\0part…`, parts normalised): its
 * first 6 bytes (12 hex digits) as a big-endian integer over 2^48.
 */
export const unitOfText: (text: string) => number = sha256Unit;

/**
 * Deterministic "randomness": a sha256 of the labelled, normalised inputs mapped to [0, 1).
 * The same person always gets the same scores; different people get plausibly different ones.
 */
export function unit(label: string, ...parts: Array<string | undefined>): number {
  let text = label;
  for (const part of parts) text += `\u0000${normalisePart(part)}`;
  return unitOfText(text);
}

/** A short deterministic hex id (entity ids, document numbers). */
export function hexId(length: number, ...parts: string[]): string {
  return sha256Hex(parts.join('\u0000')).slice(0, length);
}

/** Risk bands; the gaps between them keep each band's reason codes and decision unambiguous. */
export type Band = 'low' | 'medium' | 'elevated' | 'high';
const RANGES: Record<Band, [number, number]> = {
  low: [0.02, 0.35],
  medium: [0.5, 0.75],
  elevated: [0.8, 0.94],
  high: [0.95, 0.99],
};

export const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** A score inside `band`, placed by `u` in [0, 1). */
export function scoreIn(band: Band, u: number): number {
  const [lo, hi] = RANGES[band];
  return round3(lo + (hi - lo) * u);
}

const RANK: Record<Band, number> = { low: 0, medium: 1, elevated: 2, high: 3 };
export const worseBand = (a: Band, b: Band): Band => (RANK[a] >= RANK[b] ? a : b);
export const isHighRisk = (band: Band) => band === 'elevated' || band === 'high';
