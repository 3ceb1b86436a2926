/**
 * The one polling helper of the tests (test/, e2e/ and bench/ use it): retries a condition or an assertion
 * until it holds, bounded both in time and in attempts, and fails naming what it waited for and what the last
 * attempt saw. Waiting for a positive event is what it is for; never use it (or a sleep) to wait for something
 * not to happen.
 */
import { inspect } from 'node:util';

export interface EventuallyOptions {
  /**
   * Time bound. No attempt starts after it, and an attempt still running then is given up on once it has had
   * ATTEMPT_GRACE_MS of its own: the wait always ends within `timeoutMs` + ATTEMPT_GRACE_MS. Default 10 000 ms.
   */
  timeoutMs?: number;
  /** Pause after the first failed attempt; it doubles after each further one, up to `maxIntervalMs`. Default 20 ms. */
  intervalMs?: number;
  /** Longest pause between attempts. Default 200 ms (never less than `intervalMs`). */
  maxIntervalMs?: number;
  /** Most attempts made, however much time is left. Default: what the time bound allows at `intervalMs`, + 1. */
  maxAttempts?: number;
}

/** What a passing check returned: its value without the falsy members of its type. */
export type Truthy<T> = Exclude<Awaited<T>, false | 0 | '' | null | undefined>;

/** Thrown when the bound is reached; `cause` is the last error the check threw, if its last attempt threw. */
export class EventuallyTimeoutError extends Error {
  constructor(
    message: string,
    readonly attempts: number,
    readonly elapsedMs: number,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'EventuallyTimeoutError';
  }
}

/** How long an attempt started just before the deadline may still run (so a last async check can finish). */
export const ATTEMPT_GRACE_MS = 500;

/**
 * Thrown by a check to stop waiting at once (a process that exited will not come back): `eventually` rethrows
 * it as it is instead of retrying.
 */
export class StopWaiting extends Error {
  override name = 'StopWaiting';
}

const STILL_RUNNING = Symbol('still running');
const show = (value: unknown) =>
  inspect(value, {
    depth: 4,
    breakLength: Number.POSITIVE_INFINITY,
    maxArrayLength: 20,
    maxStringLength: 300,
  });

/**
 * Calls `check` until it returns a truthy value, and resolves with that value. An attempt that returns a falsy
 * value or throws (an `expect` that does not hold yet, say) is retried after a pause; a StopWaiting it throws
 * ends the wait at once. For an assertion, end the callback with `return true`.
 *
 *   const session = await eventually(async () => {
 *     const s = await store.getSession(id);
 *     return s?.status === 'completed' && s;
 *   }, 'the session to complete');
 *
 * Rejects with an EventuallyTimeoutError once `timeoutMs` has passed or `maxAttempts` were made, naming `what`,
 * the attempts made and the last value or error.
 */
export async function eventually<T>(
  check: () => T,
  what: string,
  options: EventuallyOptions = {},
): Promise<Truthy<T>> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = Math.max(1, options.intervalMs ?? 20);
  const maxIntervalMs = Math.max(intervalMs, options.maxIntervalMs ?? 200);
  const maxAttempts = options.maxAttempts ?? Math.ceil(timeoutMs / intervalMs) + 1;
  if (!(timeoutMs >= 0) || !(maxAttempts >= 1)) {
    throw new RangeError(`eventually(${what}): timeoutMs must be ≥ 0 and maxAttempts ≥ 1`);
  }
  // performance.now, not Date.now: a test that fakes the wall clock must not stretch or cut the bound.
  const started = performance.now();
  const deadline = started + timeoutMs;
  let pause = intervalMs;
  let attempts = 0;
  let last: { value: unknown } | { error: unknown } = { value: undefined };
  while (attempts < maxAttempts) {
    attempts++;
    try {
      const value = await withinDeadline(check, deadline);
      if (value === STILL_RUNNING) {
        last = { error: new Error('the attempt was still running at the deadline') };
        break;
      }
      if (value) return value as Truthy<T>;
      last = { value };
    } catch (error) {
      if (error instanceof StopWaiting) throw error;
      last = { error };
    }
    const left = deadline - performance.now();
    if (left <= 0 || attempts >= maxAttempts) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
    pause = Math.min(pause * 2, maxIntervalMs);
  }
  const elapsedMs = Math.round(performance.now() - started);
  const saw =
    'error' in last
      ? `the last attempt threw ${last.error instanceof Error ? `${last.error.name}: ${last.error.message}` : show(last.error)}`
      : `the last attempt returned ${show(last.value)}`;
  throw new EventuallyTimeoutError(
    `timed out waiting for ${what}: ${attempts} attempt(s) in ${elapsedMs} ms (bound: ${timeoutMs} ms, ${maxAttempts} attempts); ${saw}`,
    attempts,
    elapsedMs,
    'error' in last ? last.error : undefined,
  );
}

/** One attempt, given up on (not cancelled) when still running at the deadline and after its own grace. */
async function withinDeadline<T>(
  check: () => T,
  deadline: number,
): Promise<Awaited<T> | typeof STILL_RUNNING> {
  const attempt = Promise.resolve().then(check);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof STILL_RUNNING>((resolve) => {
    timer = setTimeout(
      () => resolve(STILL_RUNNING),
      Math.max(ATTEMPT_GRACE_MS, deadline - performance.now()),
    );
  });
  try {
    return await Promise.race([attempt, late]);
  } finally {
    clearTimeout(timer);
    attempt.catch(() => undefined); // an attempt given up on may still reject later
  }
}
