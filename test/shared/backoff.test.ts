import { describe, expect, it } from 'vitest';
import { backoffMs } from '../../src/shared/backoff.js';

describe('backoffMs: the one backoff formula', () => {
  it('grows by the factor from the base, capped, exactly without jitter', () => {
    const exact = { baseMs: 5_000, factor: 4, maxMs: 100_000, jitter: false };
    expect([0, 1, 2, 3].map((n) => backoffMs(exact, n))).toEqual([5_000, 20_000, 80_000, 100_000]);
    expect(backoffMs({ baseMs: 1_000, maxMs: Number.POSITIVE_INFINITY, jitter: false }, 6)).toBe(64_000);
  });

  it('with jitter, lands in [½, 1] of the ceiling', () => {
    const policy = { baseMs: 250, maxMs: 8_000 };
    expect(backoffMs(policy, 2, () => 0)).toBe(500);
    expect(backoffMs(policy, 2, () => 1)).toBe(1_000);
    expect(backoffMs(policy, 10, () => 1)).toBe(8_000);
    expect(backoffMs(policy, -3, () => 1)).toBe(250);
  });
});
