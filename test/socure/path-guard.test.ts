import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SocureClient } from '../../src/socure/client.js';
import { buildCustomRequest, type CustomRequest } from '../../src/socure/custom-request.js';
import { SocureInputError } from '../../src/socure/errors.js';
import { guardPath } from '../../src/socure/path-guard.js';
import { caught, type ScriptServer, startScriptServer } from './support/script-server.js';

const KEY = '3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a';

const REFUSED: Array<[string, string]> = [
  ['absolute https URL', 'https://evil.example/x'],
  ['absolute URL, upper-case scheme', 'HTTP://evil.example/x'],
  ['other scheme', 'javascript:alert(1)'],
  ['protocol-relative', '//evil.example/x'],
  ['slash-backslash', '/\\evil'],
  ['backslashes only', '\\\\evil\\x'],
  ['backslash inside', '/api\\..\\x'],
  ['dot-dot segment', '/api/../x'],
  ['trailing dot-dot', '/api/..'],
  ['dot segment', '/api/./x'],
  ['encoded dot-dot', '/api/%2e%2e/x'],
  ['encoded dot-dot, upper-case', '/api/%2E%2E/x'],
  ['half-encoded dot-dot', '/api/.%2e/x'],
  ['encoded slash', '/api/%2fx'],
  ['encoded slash, upper-case', '/api/%2Fx'],
  ['encoded backslash', '/api/%5cx'],
  ['double-encoded dot', '/api/%252e'],
  ['encoded NUL', '/api/%00'],
  ['malformed percent-encoding', '/api/%zz'],
  ['truncated UTF-8 escape', '/api/%e2%82'],
  ['no leading slash', 'api/x'],
  ['space', '/a b'],
  ['fragment', '/x#frag'],
  ['at sign', '/x@evil'],
  ['encoded at sign', '/x%40evil'],
  ['NUL', '/x\u0000y'],
  ['CRLF', '/x\r\nHost: evil.example'],
  ['tab', '/x\ty'],
  ['DEL', '/x\u007f'],
  ['empty', ''],
  ['blank', '   '],
];

describe('guardPath (unit)', () => {
  it.each(REFUSED)('refuses %s: %j', (_why, endpoint) => {
    let err: unknown;
    try {
      guardPath(endpoint);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SocureInputError);
    expect((err as SocureInputError).field).toBe('endpoint');
  });

  it('refuses a non-string endpoint', () => {
    expect(() => guardPath(undefined as unknown as string)).toThrow(SocureInputError);
  });

  it.each([
    ['/api/3.0/EmailAuthScore', '/api/3.0/EmailAuthScore', ''],
    ['/api/3.0/reasoncodes?group=true', '/api/3.0/reasoncodes', 'group=true'],
    ['  /api/5.0/documents/3f2a-11  ', '/api/5.0/documents/3f2a-11', ''],
    ['/api/x?redirect=https://a.example/#x', '/api/x', 'redirect=https%3A%2F%2Fa.example%2F%23x'],
  ])('allows %j', (endpoint, path, query) => {
    const out = guardPath(endpoint);
    expect(out.path).toBe(path);
    expect(out.query.toString()).toBe(query);
  });
});

describe('buildCustomRequest (unit)', () => {
  const base: CustomRequest = { method: 'GET', path: '/api/3.0/reasoncodes' };
  it.each<[string, Partial<CustomRequest> & Record<string, unknown>, string]>([
    ['method PATCH', { method: 'PATCH' as never }, 'method'],
    ['method missing', { method: undefined as never }, 'method'],
    ['GET with a body', { body: { a: 1 } }, 'body'],
    ['body that is not JSON', { method: 'POST', body: '{nope' }, 'body'],
    ['Authorization override', { headers: { Authorization: 'SocureApiKey other' } }, 'headers'],
    ['authorization override (array form)', { headers: [{ key: 'AUTHORIZATION', value: 'x' }] }, 'headers'],
    ['Content-Type override', { method: 'POST', headers: { 'Content-Type': 'text/plain' } }, 'headers'],
    ['Host override', { headers: { host: 'evil.example' } }, 'headers'],
    ['Content-Length override', { headers: { 'content-length': '0' } }, 'headers'],
    ['Transfer-Encoding override', { headers: [{ key: 'Transfer-Encoding', value: 'chunked' }] }, 'headers'],
    ['CRLF in a header value', { headers: { 'X-Trace': 'a\r\nAuthorization: SocureApiKey x' } }, 'headers'],
    ['LF in a header value', { headers: [{ key: 'X-Trace', value: 'a\nb' }] }, 'headers'],
    ['NUL in a header value', { headers: { 'X-Trace': 'a\u0000b' } }, 'headers'],
    ['CRLF in a header name', { headers: { 'X-A\r\nX-B': '1' } }, 'headers'],
    ['colon in a header name', { headers: { 'X-A:': '1' } }, 'headers'],
    ['empty header name', { headers: [{ key: '', value: '1' }] }, 'headers'],
  ])('refuses %s', (_why, patch, field) => {
    let err: unknown;
    try {
      buildCustomRequest({ ...base, ...patch } as CustomRequest);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SocureInputError);
    expect((err as SocureInputError).field).toBe(field);
  });

  it('lower-cases methods and header names, merges query forms, serialises bodies', () => {
    const out = buildCustomRequest({
      method: 'post' as never,
      path: '/api/3.0/reasoncodes?group=true',
      query: [
        { key: 'a', value: '1' },
        { key: 'a', value: '2 3' },
      ],
      headers: { 'X-Trace-Id': 'abc' },
      body: { b: [1] },
    });
    expect(out).toEqual({
      method: 'POST',
      path: '/api/3.0/reasoncodes?group=true&a=1&a=2+3',
      headers: { 'x-trace-id': 'abc' },
      body: '{"b":[1]}',
    });
  });
});

describe('custom calls over a real socket', () => {
  let server: ScriptServer;
  let root: SocureClient;
  const extra: SocureClient[] = [];

  beforeAll(async () => {
    server = await startScriptServer();
    root = new SocureClient({ idPlusKey: KEY, baseUrl: server.url, maxRetries: 0, timeoutMs: 2_000 });
  });
  afterAll(async () => {
    await Promise.all([root, ...extra].map((c) => c.close()));
    await server.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
    server.script([], { status: 200, body: { ok: true } });
  });

  it.each(REFUSED)('refuses %s (%j) before any request', async (_why, path) => {
    const err = await caught(() => root.request({ method: 'GET', path }));
    expect(err).toBeInstanceOf(SocureInputError);
    expect(server.requests).toHaveLength(0);
  });

  it.each<[string, CustomRequest]>([
    [
      'Authorization override',
      { method: 'GET', path: '/x', headers: { Authorization: 'SocureApiKey other' } },
    ],
    [
      'Content-Type override',
      { method: 'POST', path: '/x', headers: [{ key: 'content-type', value: 'text/xml' }] },
    ],
    ['header injection', { method: 'GET', path: '/x', headers: { 'X-A': 'v\r\nAuthorization: x' } }],
  ])('refuses %s before any request', async (_why, req) => {
    const err = await caught(() => root.request(req));
    expect(err).toBeInstanceOf(SocureInputError);
    expect((err as SocureInputError).field).toBe('headers');
    expect(server.requests).toHaveLength(0);
  });

  it('sends POST /api/3.0/EmailAuthScore to the configured host with the key', async () => {
    server.script([{ status: 200, body: { referenceId: 'r1' } }]);
    const res = await root.request({
      method: 'POST',
      path: '/api/3.0/EmailAuthScore',
      body: { modules: ['kyc'] },
    });
    expect(res).toMatchObject({ statusCode: 200, rawResponse: { referenceId: 'r1' } });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({
      method: 'POST',
      url: '/api/3.0/EmailAuthScore',
      body: '{"modules":["kyc"]}',
    });
    expect(server.requests[0]!.headers.authorization).toBe(`SocureApiKey ${KEY}`);
    expect(server.requests[0]!.headers['content-type']).toBe('application/json');
  });

  it('sends GET /api/3.0/reasoncodes?group=true', async () => {
    await root.request({ method: 'GET', path: '/api/3.0/reasoncodes?group=true' });
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /api/3.0/reasoncodes?group=true',
    ]);
    expect(server.requests[0]!.headers['content-type']).toBeUndefined();
  });

  it('client.reasonCodes.list() calls GET /api/3.0/reasoncodes?group=true', async () => {
    server.script([{ status: 200, body: { reasonCodes: { KYC: { I919: 'resolves' } } } }]);
    const list = await root.reasonCodes.list();
    expect(list.reasonCodes.KYC?.I919).toBe('resolves');
    expect(server.requests.map((r) => r.url)).toEqual(['/api/3.0/reasoncodes?group=true']);
  });

  it('sends query params (object and array forms) and extra headers (object and array forms)', async () => {
    await root.request({
      method: 'GET',
      path: '/api/3.0/reasoncodes?group=true',
      query: { lang: 'en us', n: 2, flag: false },
      headers: { 'X-Trace-Id': 'abc' },
    });
    await root.request({
      method: 'PUT',
      path: '/api/x',
      query: [
        { key: 'a', value: '1' },
        { key: 'a', value: '2' },
      ],
      headers: [
        { key: 'X-One', value: '1' },
        { key: 'Accept', value: 'text/plain' },
      ],
      body: '{"raw":true}',
    });
    const [first, second] = server.requests;
    expect(first!.url).toBe('/api/3.0/reasoncodes?group=true&lang=en+us&n=2&flag=false');
    expect(first!.headers['x-trace-id']).toBe('abc');
    expect(second!.method).toBe('PUT');
    expect(second!.url).toBe('/api/x?a=1&a=2');
    expect(second!.headers['x-one']).toBe('1');
    expect(second!.headers.accept).toBe('text/plain');
    expect(second!.body).toBe('{"raw":true}');
    expect(second!.headers.authorization).toBe(`SocureApiKey ${KEY}`);
  });

  it.each(['/prefix', '/prefix/', '/a/b'])('a base URL with the path prefix %j keeps it', async (prefix) => {
    const c = new SocureClient({ idPlusKey: KEY, baseUrl: `${server.url}${prefix}`, maxRetries: 0 });
    extra.push(c);
    await c.request({ method: 'GET', path: '/api/3.0/reasoncodes?group=true' });
    const clean = prefix.replace(/\/$/, '');
    expect(server.requests.map((r) => r.url)).toEqual([`${clean}/api/3.0/reasoncodes?group=true`]);
    expect(c.baseUrl).toBe(`${server.url}${clean}`);
  });

  it('returns {statusCode, headers, rawResponse} for 2xx JSON', async () => {
    server.script([{ status: 201, headers: { 'x-socure': 'yes' }, body: { referenceId: 'r', n: [1] } }]);
    const res = await root.request({ method: 'POST', path: '/api/x', body: {} });
    expect(res.statusCode).toBe(201);
    expect(res.headers['x-socure']).toBe('yes');
    expect(res.rawResponse).toEqual({ referenceId: 'r', n: [1] });
  });

  it('returns non-2xx answers without throwing', async () => {
    const body = { status: 'Error', referenceId: 'r', data: { parameters: ['firstName'] }, msg: 'Invalid' };
    for (const status of [400, 401, 404, 429, 500]) {
      server.script([{ status, body }]);
      const res = await root.request({ method: 'POST', path: '/api/3.0/EmailAuthScore', body: {} });
      expect(res.statusCode).toBe(status);
      expect(res.rawResponse).toEqual(body);
    }
    expect(server.requests).toHaveLength(5);
  });

  it('returns the text when the body is not JSON', async () => {
    server.script([{ status: 500, body: 'It works!' }]);
    const res = await root.request({ method: 'GET', path: '/api/x' });
    expect(res).toMatchObject({ statusCode: 500, rawResponse: 'It works!' });
  });
});
