import type fc from 'fast-check';

/**
 * Fuzz settings shared by every file of test/fuzz: a fixed seed (so CI runs are reproducible) that
 * FUZZ_SEED overrides, and run counts that FUZZ_SCALE multiplies (e.g. FUZZ_SCALE=10 for a long local run).
 * On failure fast-check prints the seed, the path and the shrunk counterexample; rerun with
 * `FUZZ_SEED=<seed> npx vitest run --project sqlite test/fuzz`.
 */
const parsed = Number.parseInt(process.env.FUZZ_SEED ?? '', 10);
export const FUZZ_SEED = Number.isSafeInteger(parsed) ? parsed : 20_240_611;

const scale = Number(process.env.FUZZ_SCALE ?? '1');
export const FUZZ_SCALE = Number.isFinite(scale) && scale > 0 ? scale : 1;

export const runs = (n: number) => Math.max(1, Math.round(n * FUZZ_SCALE));

/** Parameters of one fc.assert: the shared seed, `numRuns` cases (scaled). */
export function fuzz<T>(numRuns: number, extra: fc.Parameters<T> = {}): fc.Parameters<T> {
  return { seed: FUZZ_SEED, numRuns: runs(numRuns), ...extra };
}

/** Generous per-test timeout: a failing property also shrinks its counterexample. */
export const FUZZ_TIMEOUT_MS = 110_000 * Math.max(1, FUZZ_SCALE);
