/**
 * The one backoff formula of the project: exponential, capped, with "equal jitter" (a random delay in
 * [½, 1] of the ceiling, so retries spread out but never bunch at zero).
 */
export interface BackoffPolicy {
  /** Ceiling of the first retry's delay. */
  baseMs: number;
  /** Each further retry's ceiling is this many times the previous one. Default 2. */
  factor?: number;
  /** No delay exceeds this. */
  maxMs: number;
  /** False for exact, predictable delays (e.g. a documented schedule). Default true. */
  jitter?: boolean;
}

/** The delay before retry number `retry` (0 for the first retry). */
export function backoffMs(policy: BackoffPolicy, retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * (policy.factor ?? 2) ** Math.max(0, retry));
  return policy.jitter === false ? ceiling : Math.round(ceiling * (0.5 + random() / 2));
}
