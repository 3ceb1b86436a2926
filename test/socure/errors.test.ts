import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SocureClient } from '../../src/socure/client.js';
import { errorFromResponse } from '../../src/socure/error-from-response.js';
import {
  SocureApiError,
  SocureAuthenticationError,
  SocureBadRequestError,
  SocureError,
  SocureNotFoundError,
  SocurePermissionDeniedError,
  SocureRateLimitError,
  SocureResponseValidationError,
  SocureServerError,
} from '../../src/socure/errors.js';
import type { TransportResponse } from '../../src/socure/transport.js';
import {
  caught,
  expectNoKey,
  type ScriptServer,
  type Step,
  startScriptServer,
} from './support/script-server.js';

const REF = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

function res(
  statusCode: number,
  body: unknown,
  headers: TransportResponse['headers'] = {},
): TransportResponse {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { statusCode, headers, text, json, attempts: 1 };
}

const socureError = (msg: string, data?: unknown) => ({
  status: 'Error',
  referenceId: REF,
  ...(data === undefined ? {} : { data }),
  msg,
});

describe('errorFromResponse', () => {
  it('400 with data.parameters → SocureBadRequestError listing the fields', () => {
    const body = socureError('Invalid input', { parameters: ['firstName', 'dob'] });
    const err = errorFromResponse(res(400, body));
    expect(err).toBeInstanceOf(SocureBadRequestError);
    expect(err).toBeInstanceOf(SocureApiError);
    expect(err).toBeInstanceOf(SocureError);
    const bad = err as SocureBadRequestError;
    expect(bad.status).toBe(400);
    expect(bad.referenceId).toBe(REF);
    expect(bad.msg).toBe('Invalid input');
    expect(bad.parameters).toEqual(['firstName', 'dob']);
    expect(bad.body).toEqual(body);
    expect(bad.name).toBe('SocureBadRequestError');
    expect(bad.message).toContain('Invalid input');
    expect(bad.message).toContain('firstName, dob');
    expect(bad.message).toContain(REF);
  });

  it('400 with data as an array', () => {
    const err = errorFromResponse(res(400, socureError('Invalid', ['surName', 7]))) as SocureBadRequestError;
    expect(err).toBeInstanceOf(SocureBadRequestError);
    expect(err.parameters).toEqual(['surName', '7']);
  });

  it('400 without data has no parameters', () => {
    const err = errorFromResponse(res(400, socureError('Invalid'))) as SocureBadRequestError;
    expect(err.parameters).toEqual([]);
    expect(err.message).not.toContain('[');
  });

  it.each<[number, new (...a: never[]) => SocureApiError, string]>([
    [401, SocureAuthenticationError, 'key'],
    [403, SocurePermissionDeniedError, 'allowlist'],
    [404, SocureNotFoundError, '404'],
    [429, SocureRateLimitError, '429'],
    [500, SocureServerError, '500'],
    [502, SocureServerError, '502'],
    [503, SocureServerError, '503'],
  ])('%i → %o with status, referenceId and msg', (status, cls, hint) => {
    const err = errorFromResponse(res(status, socureError('Socure said no')));
    expect(err).toBeInstanceOf(cls);
    expect(err.status).toBe(status);
    expect(err.referenceId).toBe(REF);
    expect(err.msg).toBe('Socure said no');
    expect(err.message).toContain('Socure said no');
    expect(err.message).toContain(hint);
  });

  it('401 without data (login.gov stub shape)', () => {
    const err = errorFromResponse(res(401, { status: 'Error', referenceId: REF, msg: 'Invalid API Key' }));
    expect(err).toBeInstanceOf(SocureAuthenticationError);
    expect(err.msg).toBe('Invalid API Key');
  });

  it('reads `message` when `msg` is absent', () => {
    const err = errorFromResponse(res(403, { message: 'IP Address was rejected' }));
    expect(err.msg).toBe('IP Address was rejected');
    expect(err.referenceId).toBeUndefined();
  });

  it('418 → the base SocureApiError, not a subclass', () => {
    const err = errorFromResponse(res(418, socureError("I'm a teapot")));
    expect(err.constructor).toBe(SocureApiError);
    expect(err.status).toBe(418);
    expect(err.message).toContain('418');
  });

  it('429: retryAfterMs from Retry-After (seconds and HTTP date); undefined without it', () => {
    const secs = errorFromResponse(
      res(429, socureError('slow down'), { 'retry-after': '3' }),
    ) as SocureRateLimitError;
    expect(secs.retryAfterMs).toBe(3000);
    // The wall clock stands still (at a whole second, as HTTP dates are): the date is exactly 30 s away.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2030, 0, 1, 12, 0, 0) });
    try {
      const future = new Date(Date.now() + 30_000).toUTCString();
      const date = errorFromResponse(res(429, '', { 'retry-after': future })) as SocureRateLimitError;
      expect(date.retryAfterMs).toBe(30_000);
    } finally {
      vi.useRealTimers();
    }
    const none = errorFromResponse(res(429, socureError('slow down'))) as SocureRateLimitError;
    expect(none.retryAfterMs).toBeUndefined();
  });

  it('non-JSON bodies ("It works!") keep the text as body and do not invent msg/referenceId', () => {
    const err = errorFromResponse(res(500, 'It works!'));
    expect(err).toBeInstanceOf(SocureServerError);
    expect(err.body).toBe('It works!');
    expect(err.msg).toBeUndefined();
    expect(err.referenceId).toBeUndefined();
    expect(err.message).toBe('Socure server error (500)');
  });

  it('truncates a huge non-JSON body', () => {
    const err = errorFromResponse(res(502, 'x'.repeat(10_000)));
    expect(typeof err.body).toBe('string');
    expect((err.body as string).length).toBe(2_000);
  });

  it.each([[[1, 2]], ['"just a string"'], [null], [{ msg: 42, referenceId: 7, data: 'x' }]])(
    'odd JSON bodies (%j) are kept and ignored for fields',
    (body) => {
      const err = errorFromResponse(res(400, typeof body === 'string' ? body : JSON.stringify(body)));
      expect(err).toBeInstanceOf(SocureBadRequestError);
      expect(err.msg).toBeUndefined();
      expect(err.referenceId).toBeUndefined();
      expect((err as SocureBadRequestError).parameters).toEqual([]);
    },
  );
});

describe('errors over a real socket never carry the key', () => {
  const KEY = 'c0ffee00-dead-4bee-8f00-5ec12e7a9b1c';
  let server: ScriptServer;
  let client: SocureClient;

  beforeEach(async () => {
    server = await startScriptServer();
    client = new SocureClient({
      idPlusKey: KEY,
      baseUrl: server.url,
      maxRetries: 0,
      timeoutMs: 500,
    });
  });
  afterEach(async () => {
    await client.close();
    await server.close();
  });

  const request = { modules: ['emailrisk'], email: 'a@example.com' };

  it.each<[string, Step, new (...a: never[]) => SocureError]>([
    ['400', { status: 400, body: socureError('bad', { parameters: ['email'] }) }, SocureBadRequestError],
    ['401', { status: 401, body: socureError('Invalid API Key') }, SocureAuthenticationError],
    ['403', { status: 403, body: socureError('IP Address was rejected') }, SocurePermissionDeniedError],
    ['404', { status: 404, body: 'Not Found' }, SocureNotFoundError],
    [
      '429',
      { status: 429, body: socureError('slow'), headers: { 'retry-after': '0' } },
      SocureRateLimitError,
    ],
    ['500 "It works!"', { status: 500, body: 'It works!' }, SocureServerError],
    ['200 non-JSON', { status: 200, body: 'It works!' }, SocureResponseValidationError],
  ])('%s', async (_name, step, cls) => {
    server.script([step]);
    const err = await caught(() => client.idplus.evaluate(request));
    expect(err).toBeInstanceOf(cls);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.headers.authorization).toBe(`SocureApiKey ${KEY}`);
    expectNoKey(err, KEY);
  });

  it('timeout', async () => {
    server.script([{ status: 200, body: {}, delayMs: 2_000 }]);
    const err = await caught(() => client.idplus.evaluate(request));
    expect(err).toBeInstanceOf(SocureError);
    expect((err as Error).name).toBe('SocureTimeoutError');
    expectNoKey(err, KEY);
  });

  it('dropped connection', async () => {
    server.script(['destroy']);
    const err = await caught(() => client.idplus.evaluate(request));
    expect((err as Error).name).toBe('SocureConnectionError');
    expectNoKey(err, KEY);
  });
});
