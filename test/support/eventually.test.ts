import { describe, expect, it } from 'vitest';
import { ATTEMPT_GRACE_MS, EventuallyTimeoutError, eventually, StopWaiting } from './eventually.js';

/** What `eventually` rejected with (fails the test when it resolved). */
async function rejection(p: Promise<unknown>): Promise<EventuallyTimeoutError> {
  const outcome = await p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a rejection, got ${String(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(EventuallyTimeoutError);
  return outcome.error as EventuallyTimeoutError;
}

describe('eventually', () => {
  it('resolves with the first truthy value, polling until then', async () => {
    let calls = 0;
    const value = await eventually(() => (++calls >= 3 ? { calls } : undefined), 'the third call');
    expect(value).toEqual({ calls: 3 });
    expect(calls).toBe(3);
  });

  it('retries a check that throws (an assertion that does not hold yet) and returns once it passes', async () => {
    let n = 0;
    const value = await eventually(() => {
      n++;
      expect(n).toBeGreaterThanOrEqual(2);
      return true;
    }, 'n to reach 2');
    expect(value).toBe(true);
    expect(n).toBe(2);
  });

  it('is bounded in attempts: stops after maxAttempts, naming what it waited for and the last value', async () => {
    let calls = 0;
    const bounded = await rejection(
      eventually(
        () => {
          calls++;
          return calls > 100 && 'late';
        },
        'the hundredth call',
        { timeoutMs: 60_000, intervalMs: 1, maxAttempts: 4 },
      ),
    );
    expect(calls).toBe(4);
    expect(bounded.attempts).toBe(4);
    expect(bounded.message).toMatch(
      /^timed out waiting for the hundredth call: 4 attempt\(s\) in \d+ ms \(bound: 60000 ms, 4 attempts\); the last attempt returned false$/,
    );
  });

  it('is bounded in time, and reports the last error with its cause', async () => {
    const started = performance.now();
    const err = await rejection(
      eventually(
        () => {
          expect('waiting').toBe('completed');
          return true;
        },
        'the session to complete',
        { timeoutMs: 150, intervalMs: 10 },
      ),
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(err.attempts).toBeGreaterThan(1);
    expect(err.message).toContain('timed out waiting for the session to complete');
    expect(err.message).toContain(
      "the last attempt threw AssertionError: expected 'waiting' to be 'completed'",
    );
    expect((err.cause as Error).name).toBe('AssertionError');
  });

  it('gives up on an attempt still running at the deadline (after its grace)', async () => {
    const err = await rejection(
      eventually(() => new Promise<boolean>(() => {}), 'a hung check', { timeoutMs: 0 }),
    );
    expect(err.attempts).toBe(1);
    expect(err.elapsedMs).toBeGreaterThanOrEqual(ATTEMPT_GRACE_MS - 5);
    expect(err.message).toContain('the attempt was still running at the deadline');
  });

  it('a StopWaiting thrown by the check ends the wait at once, as it is', async () => {
    let calls = 0;
    const stop = new StopWaiting('the process exited');
    const outcome = await eventually(
      () => {
        calls++;
        throw stop;
      },
      'a dead process',
      { timeoutMs: 60_000 },
    ).catch((e: unknown) => e);
    expect(outcome).toBe(stop);
    expect(calls).toBe(1);
  });

  it('refuses a nonsensical bound', async () => {
    await expect(eventually(() => true, 'x', { maxAttempts: 0 })).rejects.toThrow(RangeError);
  });
});
