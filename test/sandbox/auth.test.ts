import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SANDBOX_KEYS, type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import { eventually } from '../support/eventually.js';
import { CLEAN_PERSON, call, idPlus } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const body = { modules: ['emailrisk'], email: CLEAN_PERSON.email };

describe('auth (real sockets)', () => {
  let sandbox: RunningSandbox;
  const lines: string[] = [];
  beforeAll(async () => {
    sandbox = await startSandbox({
      port: 0,
      log: (l) => lines.push(l),
      keys: { certification: { idPlusKey: 'cert-override-key' } },
    });
  });
  afterAll(() => sandbox.close());

  it('listens on a real port and reports documented default keys with overrides applied', () => {
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.keys.sandbox).toEqual({
      idPlusKey: 'a1b234cd-75e1-9e01-f234-56abcdef6789',
      sdkKey: 'd450e856-9e01-75e1-8cec-64efe8eef39b',
      riskOsKey: 'b7e3c1a0-5f2d-4e8a-9c6b-0d1e2f3a4b5c',
    });
    expect(sandbox.keys.production).toEqual(DEFAULT_SANDBOX_KEYS.production);
    expect(sandbox.keys.certification.idPlusKey).toBe('cert-override-key');
  });

  it('answers 401 in Socure shape without a key', async () => {
    const res = await idPlus(sandbox, body, null);
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ status: 'Error', msg: expect.stringMatching(/Authorization/) });
    expect(res.json.referenceId).toMatch(UUID);
  });

  it.each([
    ['a wrong key', 'SocureApiKey 00000000-0000-0000-0000-000000000000'],
    ['another scheme', `Bearer ${DEFAULT_SANDBOX_KEYS.sandbox.idPlusKey}`],
    ['the SDK key', `SocureApiKey ${DEFAULT_SANDBOX_KEYS.sandbox.sdkKey}`],
    ['a default key that was overridden', `SocureApiKey ${DEFAULT_SANDBOX_KEYS.certification.idPlusKey}`],
  ])('answers 401 for %s and never echoes it', async (_what, header) => {
    const res = await call(sandbox, '/api/3.0/EmailAuthScore', {
      body,
      key: null,
      headers: { authorization: header },
    });
    expect(res.status).toBe(401);
    expect(res.json.status).toBe('Error');
    const presented = header.split(' ')[1]!;
    expect(res.text).not.toContain(presented);
    expect(JSON.stringify(res.headers)).not.toContain(presented);
  });

  it.each(['sandbox', 'certification', 'production'] as const)('accepts the %s ID+ key', async (env) => {
    const res = await idPlus(sandbox, body, sandbox.keys[env].idPlusKey);
    expect(res.status).toBe(200);
    expect(res.json.emailRisk).toBeDefined();
  });

  it('accepts the scheme in any case', async () => {
    const res = await call(sandbox, '/api/3.0/EmailAuthScore', {
      body,
      key: null,
      headers: { authorization: `socureapikey ${sandbox.keys.sandbox.idPlusKey}` },
    });
    expect(res.status).toBe(200);
  });

  it('guards the reason-code route too', async () => {
    expect((await call(sandbox, '/api/3.0/reasoncodes', { key: null })).status).toBe(401);
  });

  it('logs one line per request without keys or PII', async () => {
    // Its own requests (whatever ran before it): accepted, refused and elsewhere, all carrying a key and PII.
    const from = lines.length;
    const answers = [
      await idPlus(sandbox, body),
      await idPlus(sandbox, body, 'cert-override-key'),
      await idPlus(sandbox, body, null),
      await call(sandbox, '/api/3.0/EmailAuthScore', { body, key: null, headers: { authorization: 'x' } }),
      await call(sandbox, '/api/3.0/reasoncodes'),
      await call(sandbox, '/nowhere'),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 401, 401, 200, 404]);
    // Written once the answer is sent: wait for the six lines, then there must be exactly six.
    const own = await eventually(
      () => lines.length - from >= answers.length && lines.slice(from),
      'a log line per request',
    );
    expect(own).toHaveLength(answers.length);
    expect(own.map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual([
      'POST /api/3.0/EmailAuthScore 200',
      'POST /api/3.0/EmailAuthScore 200',
      'POST /api/3.0/EmailAuthScore 401',
      'POST /api/3.0/EmailAuthScore 401',
      'GET /api/3.0/reasoncodes 200',
      'GET /nowhere 404',
    ]);
    // Every line so far (this test's and any earlier test's).
    for (const line of lines) {
      expect(line).toMatch(/^(GET|POST) \/\S* (\d{3}|reset) \d+ms$/);
      for (const secret of [sandbox.keys.sandbox.idPlusKey, 'cert-override-key', CLEAN_PERSON.email]) {
        expect(line).not.toContain(secret);
      }
    }
  });
});
