import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SocureClient, type SocureClientOptions } from '../../src/socure/client.js';
import {
  SocureAuthenticationError,
  SocureBadRequestError,
  SocureConnectionError,
  SocureError,
  SocureNotFoundError,
  SocurePermissionDeniedError,
  SocureRateLimitError,
  SocureServerError,
  SocureTimeoutError,
} from '../../src/socure/errors.js';
import { backoffDelayMs, classifyStatus, parseRetryAfter, type RetryClock } from '../../src/socure/retry.js';
import {
  caught,
  expectNoKey,
  type ScriptServer,
  type Step,
  startScriptServer,
} from './support/script-server.js';

const KEY = '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d';
const ok = (body: object = { referenceId: 'ref-ok' }): Step => ({ status: 200, body });
const status = (code: number, headers?: Record<string, string>): Step => ({
  status: code,
  headers,
  body: { status: 'Error', referenceId: `ref-${code}`, msg: `answer ${code}` },
});

/**
 * A clock for the retry loop that never really waits: `sleep` records the wait and moves the time on by it at
 * once. `now` is the start plus the waits (`manual`), or the real time plus the waits (`withRealTime`: the
 * attempts themselves still take their real time, e.g. a real per-attempt timeout).
 */
function fakeClock(mode: 'manual' | 'withRealTime' = 'manual'): RetryClock & { sleeps: number[] } {
  const start = Date.now();
  let slept = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => (mode === 'manual' ? start : Date.now()) + slept,
    sleep: async (ms) => {
      sleeps.push(ms);
      slept += ms;
    },
  };
}
/** The per-attempt timeout a SocureTimeoutError names, and its attempt number. */
const timedOut = (err: unknown) => {
  const m = /did not answer within (\d+) ms \(attempt (\d+)\)/.exec((err as Error).message);
  return m ? { ms: Number(m[1]), attempt: Number(m[2]) } : undefined;
};

describe('backoffDelayMs', () => {
  it('grows exponentially from 250 ms with equal jitter in [½, 1]', () => {
    expect(backoffDelayMs(0, undefined, () => 0)).toBe(125);
    expect(backoffDelayMs(0, undefined, () => 1)).toBe(250);
    expect(backoffDelayMs(1, undefined, () => 0)).toBe(250);
    expect(backoffDelayMs(1, undefined, () => 1)).toBe(500);
    expect(backoffDelayMs(3, undefined, () => 0.5)).toBe(1500);
    for (let a = 0; a < 10; a++) {
      expect(backoffDelayMs(a + 1, undefined, () => 0.5)).toBeGreaterThanOrEqual(
        backoffDelayMs(a, undefined, () => 0.5),
      );
    }
  });

  it('is capped at 8 s', () => {
    expect(backoffDelayMs(5, undefined, () => 1)).toBe(8000);
    expect(backoffDelayMs(6, undefined, () => 1)).toBe(8000);
    expect(backoffDelayMs(60, undefined, () => 1)).toBe(8000);
    expect(backoffDelayMs(60, undefined, () => 0)).toBe(4000);
  });

  it('stays within bounds with the real random source', () => {
    for (let i = 0; i < 200; i++) {
      const d = backoffDelayMs(2);
      expect(d).toBeGreaterThanOrEqual(500);
      expect(d).toBeLessThanOrEqual(1000);
    }
  });

  it('honours retryAfterMs over backoff, capped at 60 s', () => {
    expect(backoffDelayMs(0, 1500, () => 0)).toBe(1500);
    expect(backoffDelayMs(7, 0, () => 1)).toBe(0);
    expect(backoffDelayMs(0, 3_600_000)).toBe(60_000);
  });
});

describe('parseRetryAfter', () => {
  const NOW = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
  it.each([
    ['1', 1000],
    [' 2 ', 2000],
    ['0', 0],
    ['1.5', 1500],
    ['120', 120_000],
  ])('delta-seconds %j → %i ms', (value, ms) => {
    expect(parseRetryAfter(value, NOW)).toBe(ms);
  });

  it('HTTP date → ms from now; a past date → 0', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:05 GMT', NOW)).toBe(5000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', NOW)).toBe(0);
  });

  it('takes the first value of a repeated header', () => {
    expect(parseRetryAfter(['3', '9'], NOW)).toBe(3000);
  });

  it.each([undefined, '', '   ', 'soon', '1m', '2 hours', 'NaN', '-1', 'abc 1', '1 2'])(
    'garbage %j → undefined',
    (value) => {
      expect(parseRetryAfter(value, NOW)).toBeUndefined();
    },
  );
});

describe('classifyStatus', () => {
  it.each([
    [429, 'rateLimited'],
    [502, 'unavailable'],
    [503, 'unavailable'],
    [504, 'unavailable'],
    [500, 'serverErrors'],
    [501, 'serverErrors'],
    [200, 'final'],
    [400, 'final'],
    [401, 'final'],
    [404, 'final'],
    [408, 'final'],
  ])('%i → %s', (code, kind) => {
    expect(classifyStatus(code)).toBe(kind);
  });
});

describe('the retry loop over a real socket', () => {
  let server: ScriptServer;
  const clients: SocureClient[] = [];

  beforeEach(async () => {
    server = await startScriptServer();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await server.close();
  });

  /** A client whose base URL is the local server. */
  const client = (options: Partial<SocureClientOptions> = {}) => {
    const c = new SocureClient({
      idPlusKey: KEY,
      baseUrl: server.url,
      timeoutMs: 2_000,
      ...options,
    });
    clients.push(c);
    return c;
  };
  const post = (c: SocureClient) =>
    c.request({ method: 'POST', path: '/api/3.0/EmailAuthScore', body: { a: 1 } });
  const evaluate = (c: SocureClient) => c.idplus.evaluate({ modules: ['emailrisk'], email: 'a@example.com' });

  it('sends the key, JSON content type and the normalised body', async () => {
    server.script([ok()]);
    await client().idplus.evaluate({ modules: ['EmailRisk'], email: ' a@example.com ', customerUserId: 7 });
    expect(server.requests).toHaveLength(1);
    const seen = server.requests[0]!;
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/api/3.0/EmailAuthScore');
    expect(seen.headers.authorization).toBe(`SocureApiKey ${KEY}`);
    expect(seen.headers['content-type']).toBe('application/json');
    expect(seen.headers.accept).toBe('application/json');
    expect(JSON.parse(seen.body)).toEqual({
      modules: ['emailrisk'],
      email: 'a@example.com',
      customerUserId: '7',
    });
  });

  it('503, 503, 200 → three attempts, each with the same request, then the answer', async () => {
    server.script([status(503), status(503), ok({ referenceId: 'r3' })]);
    const res = await evaluate(client());
    expect(res.referenceId).toBe('r3');
    expect(server.requests).toHaveLength(3);
    expect(new Set(server.requests.map((r) => r.body)).size).toBe(1);
    expect(new Set(server.requests.map((r) => r.headers.authorization))).toEqual(
      new Set([`SocureApiKey ${KEY}`]),
    );
  });

  it('500 ×3 with the default maxRetries (2) → three attempts, then SocureServerError', async () => {
    server.script([status(500), status(500), status(500)], ok());
    const err = await caught(() => evaluate(client()));
    expect(err).toBeInstanceOf(SocureServerError);
    expect((err as SocureServerError).status).toBe(500);
    expect((err as SocureServerError).referenceId).toBe('ref-500');
    expect(server.requests).toHaveLength(3);
    expectNoKey(err, KEY);
  });

  it.each([0, 1, 3])('maxRetries %i is respected', async (maxRetries) => {
    server.script([], status(502));
    const res = await post(client({ maxRetries }));
    expect(res.statusCode).toBe(502);
    expect(server.requests).toHaveLength(maxRetries + 1);
  });

  it.each<[number, new (...a: never[]) => SocureError]>([
    [400, SocureBadRequestError],
    [401, SocureAuthenticationError],
    [403, SocurePermissionDeniedError],
    [404, SocureNotFoundError],
    [409, SocureError],
    [422, SocureError],
  ])('%i is never retried', async (code, cls) => {
    server.script([status(code)], ok());
    const clock = fakeClock();
    const err = await caught(() => evaluate(client({ maxRetries: 3, retry: { clock } })));
    expect(err).toBeInstanceOf(cls);
    expect((err as SocureError).status).toBe(code);
    expect(clock.sleeps).toEqual([]); // no retry was ever scheduled
    expect(server.requests).toHaveLength(1);
    expectNoKey(err, KEY);
  });

  it('429 with Retry-After: 1, then 200 → waits about a second', async () => {
    server.script([status(429, { 'retry-after': '1' }), ok()]);
    const started = Date.now();
    const res = await post(client());
    expect(res.statusCode).toBe(200);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('Retry-After on a 503 is honoured too', async () => {
    server.script([status(503, { 'retry-after': '1' }), ok()]);
    const clock = fakeClock();
    expect((await post(client({ retry: { clock } }))).statusCode).toBe(200);
    expect(server.requests).toHaveLength(2);
    expect(clock.sleeps).toEqual([1000]);
  });

  it('an unparseable Retry-After falls back to the backoff instead of retrying at once', async () => {
    server.script([status(503, { 'retry-after': '-1' }), ok()]);
    const clock = fakeClock();
    expect((await post(client({ retry: { clock } }))).statusCode).toBe(200);
    expect(server.requests).toHaveLength(2);
    // The first backoff, 125–250 ms; "-1" must not be read as a date in the past (→ 0 ms).
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(125);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(250);
  });

  it('a Retry-After beyond the deadline is not waited for', async () => {
    server.script([status(429, { 'retry-after': '30' })], ok());
    const clock = fakeClock();
    const err = await caught(() => evaluate(client({ deadlineMs: 5_000, retry: { clock } })));
    expect(err).toBeInstanceOf(SocureRateLimitError);
    expect((err as SocureRateLimitError).retryAfterMs).toBe(30_000);
    expect(clock.sleeps).toEqual([]); // the 30 s were not waited for, not even in part
    expect(server.requests).toHaveLength(1);
  });

  it('retry: { rateLimited: false } disables 429 retries', async () => {
    server.script([status(429, { 'retry-after': '1' })], ok());
    const clock = fakeClock();
    const err = await caught(() => evaluate(client({ retry: { rateLimited: false, clock } })));
    expect(err).toBeInstanceOf(SocureRateLimitError);
    expect((err as SocureRateLimitError).retryAfterMs).toBe(1000);
    expect(clock.sleeps).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('retry: { unavailable: false } and { serverErrors: false } disable those retries', async () => {
    server.script([status(503)], ok());
    expect((await post(client({ retry: { unavailable: false } }))).statusCode).toBe(503);
    expect(server.requests).toHaveLength(1);
    server.script([status(500)], ok());
    expect((await post(client({ retry: { serverErrors: false } }))).statusCode).toBe(500);
    expect(server.requests).toHaveLength(2);
  });

  it('a dropped socket is retried, then the answer is returned', async () => {
    server.script(['destroy', ok({ referenceId: 'after-drop' })]);
    const res = await evaluate(client());
    expect(res.referenceId).toBe('after-drop');
    expect(server.requests).toHaveLength(2);
  });

  it('a dropped socket with retry: { connectionErrors: false } → SocureConnectionError after one attempt', async () => {
    server.script(['destroy'], ok());
    const err = await caught(() => evaluate(client({ retry: { connectionErrors: false } })));
    expect(err).toBeInstanceOf(SocureConnectionError);
    expect(server.requests).toHaveLength(1);
    expectNoKey(err, KEY);
  });

  it('a connection refused is a SocureConnectionError after maxRetries + 1 tries', async () => {
    const closed = await startScriptServer();
    const url = closed.url;
    await closed.close();
    const c = new SocureClient({ idPlusKey: KEY, baseUrl: url, maxRetries: 1 });
    clients.push(c);
    const err = await caught(() => evaluate(c));
    expect(err).toBeInstanceOf(SocureConnectionError);
    expect((err as Error).message).toContain(url);
    expectNoKey(err, KEY);
  });

  it('a slow answer beyond timeoutMs → SocureTimeoutError, not retried by default', async () => {
    server.script([{ status: 200, body: { referenceId: 'late' }, delayMs: 1_500 }], ok());
    const clock = fakeClock();
    const err = await caught(() => evaluate(client({ timeoutMs: 300, retry: { clock } })));
    expect(err).toBeInstanceOf(SocureTimeoutError);
    // Given up after its own 300 ms (the late answer would have been a success), and no retry scheduled.
    expect(timedOut(err)).toEqual({ ms: 300, attempt: 1 });
    expect(clock.sleeps).toEqual([]);
    expect(server.requests).toHaveLength(1);
    expectNoKey(err, KEY);
  });

  it('timeouts are retried with retry: { timeouts: true }', async () => {
    server.script([
      { status: 200, body: { referenceId: 'late' }, delayMs: 1_500 },
      ok({ referenceId: 'fast' }),
    ]);
    const res = await evaluate(client({ timeoutMs: 300, retry: { timeouts: true } }));
    expect(res.referenceId).toBe('fast');
    expect(server.requests).toHaveLength(2);
  });

  it('timeouts retried up to maxRetries, then SocureTimeoutError', async () => {
    const slow: Step = { status: 200, body: {}, delayMs: 2_000 };
    server.script([], slow);
    const err = await caught(() =>
      evaluate(client({ timeoutMs: 200, maxRetries: 2, retry: { timeouts: true } })),
    );
    expect(err).toBeInstanceOf(SocureTimeoutError);
    expect(server.requests).toHaveLength(3);
  });

  it('the overall deadline stops retrying (Retry-After 1 s, deadline 1.5 s)', async () => {
    server.script([], status(503, { 'retry-after': '1' }));
    const clock = fakeClock();
    const res = await post(client({ maxRetries: 10, deadlineMs: 1_500, retry: { clock } }));
    expect(res.statusCode).toBe(503);
    // One wait of 1 s fits in the 1.5 s; a second one would end past the deadline, so the 503 is answered.
    expect(clock.sleeps).toEqual([1000]);
    expect(server.requests).toHaveLength(2);
  });

  it('the overall deadline bounds slow attempts even when timeouts are retried', async () => {
    // A 503 asking for 500 ms, then answers slower than any timeout. The attempt after the wait gets only
    // what is left of the 1 s deadline, not its 800 ms, and no attempt follows it.
    server.script([status(503, { 'retry-after': '0.5' })], { status: 200, body: {}, delayMs: 3_000 });
    const clock = fakeClock('withRealTime');
    const err = await caught(() =>
      evaluate(
        client({ timeoutMs: 800, maxRetries: 10, deadlineMs: 1_000, retry: { timeouts: true, clock } }),
      ),
    );
    expect(err).toBeInstanceOf(SocureTimeoutError);
    expect(clock.sleeps).toEqual([500]);
    const last = timedOut(err);
    expect(last?.attempt).toBe(2);
    expect(last?.ms).toBeGreaterThan(0);
    expect(last?.ms).toBeLessThanOrEqual(500); // cut from timeoutMs (800) to the time left
    expect(server.requests).toHaveLength(2);
  });

  it('an attempt is cut short by the deadline when deadlineMs < timeoutMs', async () => {
    server.script([], { status: 200, body: {}, delayMs: 3_000 });
    const clock = fakeClock();
    const err = await caught(() => evaluate(client({ timeoutMs: 2_000, deadlineMs: 400, retry: { clock } })));
    expect(err).toBeInstanceOf(SocureTimeoutError);
    expect(timedOut(err)).toEqual({ ms: 400, attempt: 1 }); // the deadline's 400 ms, not timeoutMs
    expect(clock.sleeps).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });
});
