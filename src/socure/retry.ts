import { backoffMs } from '../shared/backoff.js';
/** Retry policy: which failures are retried, and how long to wait between attempts. */
export interface RetryOptions {
  /** 429 Too Many Requests: Socure refused the call, so it was not processed. Default true. */
  rateLimited?: boolean;
  /** 502, 503, 504: the call most likely never reached Socure's scoring. Default true. */
  unavailable?: boolean;
  /** 500 and other 5xx: the call may have been processed (and billed). Default true. */
  serverErrors?: boolean;
  /** Refused / reset connections. Default true. */
  connectionErrors?: boolean;
  /** No answer within timeoutMs: Socure may have processed (and billed) it. Default false. */
  timeouts?: boolean;
  /** The clock of the retry loop (its waits and its overall deadline). Default: the real one; tests pass a fake. */
  clock?: RetryClock;
}

/** What the retry loop reads the time from and waits with. */
export interface RetryClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds (the wait between two attempts). */
  sleep(ms: number): Promise<void>;
}

export const REAL_CLOCK: RetryClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export type FailureKind =
  | 'rateLimited'
  | 'unavailable'
  | 'serverErrors'
  | 'connectionErrors'
  | 'timeouts'
  | 'final';

export const DEFAULT_RETRY: Required<RetryOptions> = {
  rateLimited: true,
  unavailable: true,
  serverErrors: true,
  connectionErrors: true,
  timeouts: false,
  clock: REAL_CLOCK,
};

export function classifyStatus(status: number): FailureKind {
  if (status === 429) return 'rateLimited';
  if (status === 502 || status === 503 || status === 504) return 'unavailable';
  if (status >= 500) return 'serverErrors';
  return 'final';
}

const BASE_DELAY_MS = 250;
const MAX_DELAY_MS = 8_000;

/**
 * Exponential backoff with "equal jitter": a random delay in [½, 1]·base·2^attempt (so retries spread out
 * but never bunch at zero),
 * capped. A server's Retry-After wins when present.
 */
export function backoffDelayMs(
  attempt: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, 60_000);
  return backoffMs({ baseMs: BASE_DELAY_MS, maxMs: MAX_DELAY_MS }, attempt, random);
}

/** Retry-After as delta-seconds or an HTTP date, in ms; undefined when absent or unparseable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.round(Number(v) * 1000);
  // Only HTTP dates ("Wed, 21 Oct 2015 07:28:00 GMT" and the two obsolete forms); Date.parse alone takes "-1" as a year.
  if (!/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s/i.test(v.trim())) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
