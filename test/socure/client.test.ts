import { afterEach, describe, expect, it } from 'vitest';
import { SocureClient, type SocureClientOptions } from '../../src/socure/client.js';
import { SocureInputError } from '../../src/socure/errors.js';
import { caught, type ScriptServer, startScriptServer } from './support/script-server.js';

const KEY = '11111111-2222-4333-8444-555555555555';
const clients: SocureClient[] = [];
let server: ScriptServer | undefined;

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server?.close();
  server = undefined;
});

function make(options: SocureClientOptions): SocureClient {
  const c = new SocureClient(options);
  clients.push(c);
  return c;
}

function optionError(options: unknown): SocureInputError {
  let err: unknown;
  try {
    make(options as SocureClientOptions);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(SocureInputError);
  return err as SocureInputError;
}

describe('SocureClient construction', () => {
  it.each([
    ['missing', {}],
    ['undefined options', undefined],
    ['empty', { idPlusKey: '' }],
    ['blank', { idPlusKey: '   ' }],
    ['not a string', { idPlusKey: 1234 }],
    ['with a space', { idPlusKey: 'abc def' }],
    ['with a newline', { idPlusKey: `${KEY}\r\nX-Evil: 1` }],
  ])('refuses an idPlusKey that is %s', (_why, options) => {
    const err = optionError(options);
    expect(err.field).toBe('idPlusKey');
  });

  it('does not echo a malformed key in the error', () => {
    const err = optionError({ idPlusKey: `${KEY} x` });
    expect(err.message).not.toContain(KEY);
  });

  it.each([
    ['ftp URL', 'ftp://127.0.0.1/x', 'http or https'],
    ['file URL', 'file:///etc/passwd', 'http or https'],
    ['URL with credentials', 'https://user:pass@sandbox.socure.com', 'credentials'],
    ['URL with a user only', 'https://user@sandbox.socure.com', 'credentials'],
    ['URL with a query', 'https://sandbox.socure.com/?x=1', 'query'],
    ['URL with a fragment', 'https://sandbox.socure.com/#x', 'fragment'],
    ['relative path', '/api', 'not a valid URL'],
    ['not a URL', 'sandbox.socure.com', ''],
  ])('refuses a baseUrl that is a %s', (_why, baseUrl, hint) => {
    const err = optionError({ idPlusKey: KEY, baseUrl });
    expect(err.field).toBe('baseUrl');
    expect(err.message).toContain(hint);
    if (baseUrl.includes('pass')) expect(err.message).not.toContain('pass@');
  });

  it('refuses certification without baseUrl, naming the option', () => {
    const err = optionError({ idPlusKey: KEY, environment: 'certification' });
    expect(err.field).toBe('environment');
    expect(err.message).toContain('baseUrl');
  });

  it('accepts certification with a baseUrl', () => {
    const c = make({ idPlusKey: KEY, environment: 'certification', baseUrl: 'https://cert.example.com' });
    expect(c.baseUrl).toBe('https://cert.example.com');
  });

  it('refuses an unknown environment', () => {
    expect(optionError({ idPlusKey: KEY, environment: 'staging' }).field).toBe('environment');
  });

  it.each([
    ['timeoutMs', 0],
    ['timeoutMs', 1.5],
    ['timeoutMs', -1],
    ['maxRetries', -1],
    ['maxRetries', 0.5],
    ['deadlineMs', 0],
    ['deadlineMs', Number.NaN],
  ])('refuses %s = %s', (field, value) => {
    expect(optionError({ idPlusKey: KEY, [field]: value }).field).toBe(field);
  });

  it.each([
    [undefined, 'https://sandbox.socure.com'],
    ['sandbox', 'https://sandbox.socure.com'],
    ['production', 'https://service.socure.com'],
  ] as const)('environment %s → %s', (environment, host) => {
    expect(make({ idPlusKey: KEY, environment }).baseUrl).toBe(host);
  });

  it('baseUrl wins over environment and loses its trailing slash', () => {
    const c = make({ idPlusKey: KEY, environment: 'production', baseUrl: 'http://127.0.0.1:4010/' });
    expect(c.baseUrl).toBe('http://127.0.0.1:4010');
  });

  it('a root baseUrl sends requests to that host at /api/3.0/EmailAuthScore', async () => {
    server = await startScriptServer();
    server.script([{ status: 200, body: { referenceId: 'root-ok' } }]);
    const c = make({ idPlusKey: KEY, baseUrl: server.url, maxRetries: 0, timeoutMs: 2_000 });
    const res = await c.idplus.evaluate({ modules: ['emailrisk'], email: 'a@example.com' });
    expect(res.referenceId).toBe('root-ok');
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /api/3.0/EmailAuthScore']);
    expect(server.requests[0]!.headers.authorization).toBe(`SocureApiKey ${KEY}`);
  });

  it('bad input is refused before any request', async () => {
    server = await startScriptServer();
    const c = make({ idPlusKey: KEY, baseUrl: `${server.url}/p`, maxRetries: 0 });
    const err = await caught(() => c.idplus.evaluate({ modules: ['emailrisk'], email: 'nope' }));
    expect(err).toBeInstanceOf(SocureInputError);
    expect(server.requests).toHaveLength(0);
  });
});
