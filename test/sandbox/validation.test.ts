import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import { CLEAN_PERSON, call, idPlus } from './helpers.js';

const P = CLEAN_PERSON;

describe('ID+ validation (real sockets)', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
  });
  afterAll(() => sandbox.close());

  const expect400 = async (body: unknown, parameters: string[], msg: RegExp) => {
    const res = await idPlus(sandbox, body);
    expect(res.status, res.text).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.json).toEqual({
      status: 'Error',
      referenceId: expect.any(String),
      data: { parameters },
      msg: expect.any(String),
    });
    expect(res.json.msg).toMatch(msg);
  };

  describe('body', () => {
    it.each([
      ['not JSON', '{"modules": [', /not valid JSON/],
      ['empty', ' ', /empty/],
      ['an array', '[1,2]', /JSON object/],
      ['a string', '"kyc"', /JSON object/],
      ['null', 'null', /JSON object/],
    ])('%s → 400', async (_what, raw, msg) => expect400(raw, [], msg));

    it('wrong content type → 400 in Socure shape', async () => {
      const res = await call(sandbox, '/api/3.0/EmailAuthScore', {
        body: JSON.stringify({ modules: ['kyc'] }),
        headers: { 'content-type': 'text/plain' },
      });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ status: 'Error', msg: 'Content-Type must be application/json' });
    });

    it('a form body → 400 in Socure shape', async () => {
      const res = await call(sandbox, '/api/3.0/EmailAuthScore', {
        body: 'modules=kyc',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(res.status).toBe(400);
      expect(res.json.status).toBe('Error');
    });

    it('a body over 1 MiB → 413 in Socure shape', async () => {
      const res = await idPlus(sandbox, {
        modules: ['emailrisk'],
        email: P.email,
        pad: 'x'.repeat(1024 * 1024),
      });
      expect(res.status).toBe(413);
      expect(res.json).toMatchObject({ status: 'Error', referenceId: expect.any(String) });
    });
  });

  describe('modules', () => {
    it.each([
      ['missing', { email: P.email }, /modules is required/],
      ['not an array', { modules: 'kyc', email: P.email }, /array/],
      ['empty', { modules: [], email: P.email }, /at least one/],
      ['not strings', { modules: [1], email: P.email }, /only strings/],
      ['unknown', { modules: ['emailrisk', 'telepathy'], email: P.email }, /Unknown module\(s\): telepathy/],
      [
        'two watchlists',
        { modules: ['watchliststandard', 'watchlistplus'], ...P },
        /Only one Global Watchlist/,
      ],
      ['decision alone', { modules: ['decision'], ...P }, /decision module needs at least one other/],
    ])('%s → 400 naming modules', async (_what, body, msg) => expect400(body, ['modules'], msg));
  });

  describe('module minimum inputs', () => {
    it.each([
      ['devicerisk without deviceSessionId', { modules: ['devicerisk'] }, ['deviceSessionId']],
      [
        'documentverification without a token',
        { modules: ['documentverification'] },
        ['docvTransactionToken', 'documentUuid'],
      ],
      ['emailrisk without email', { modules: ['emailrisk'], mobileNumber: P.mobileNumber }, ['email']],
      [
        'phonerisk without mobileNumber or country',
        { modules: ['phonerisk'], email: P.email },
        ['mobileNumber', 'country'],
      ],
      [
        'kyc with names only',
        { modules: ['kyc'], firstName: 'A', surName: 'B' },
        ['country', 'physicalAddress', 'city', 'state', 'zip', 'nationalId', 'dob'],
      ],
      ['kyc without surName', { modules: ['kyc'], firstName: 'A', country: 'US', dob: P.dob }, ['surName']],
      [
        'fraud with names+country only',
        { modules: ['fraud'], firstName: 'A', surName: 'B', country: 'US', dob: P.dob },
        ['physicalAddress', 'city', 'state', 'zip', 'mobileNumber', 'email'],
      ],
      [
        'synthetic without names',
        { modules: ['synthetic'], country: 'US', dob: P.dob },
        ['firstName', 'surName'],
      ],
      [
        'addressrisk without city/state or zip',
        {
          modules: ['addressrisk'],
          firstName: 'A',
          surName: 'B',
          country: 'US',
          physicalAddress: '1 Main St',
        },
        ['city', 'state', 'zip'],
      ],
      [
        'alertlist without any element',
        { modules: ['alertlist'], firstName: 'A' },
        ['nationalId', 'email', 'mobileNumber'],
      ],
      ['watchlistpremier without names', { modules: ['watchlistpremier'], surName: 'B' }, ['firstName']],
      [
        'accountintelligence without an account',
        { modules: ['accountintelligence'] },
        ['payments.account.accountNumber', 'payments.account.routingNumber'],
      ],
      [
        'several modules at once (parameters merged)',
        { modules: ['emailrisk', 'devicerisk', 'decision'] },
        ['email', 'deviceSessionId'],
      ],
    ])('%s', async (_what, body, parameters) => expect400(body, parameters, /requires/));

    it('blank strings count as missing', async () =>
      expect400({ modules: ['emailrisk'], email: '   ' }, ['email'], /emailrisk requires email/));
  });

  describe('strict fields', () => {
    const base = { modules: ['kyc'], ...P };
    it.each([
      ['dob not YYYY-MM-DD', { dob: '07/14/1988' }, 'dob'],
      ['dob not a real date', { dob: '1990-02-30' }, 'dob'],
      ['dob in the future', { dob: '2999-01-01' }, 'dob'],
      ['mobileNumber not E.164', { mobileNumber: '2025550147' }, 'mobileNumber'],
      ['mobileNumber with letters', { mobileNumber: '+1202CALLNOW' }, 'mobileNumber'],
      ['country of 3 letters', { country: 'USA' }, 'country'],
      ['nationalId of 7 digits', { nationalId: '123-45-67' }, 'nationalId'],
      ['nationalId with letters', { nationalId: '12345678X' }, 'nationalId'],
      ['email malformed', { email: 'maria.at.example.org' }, 'email'],
      ['email without a dot in the domain', { email: 'maria@localhost' }, 'email'],
      ['US zip of 4 digits', { zip: '6270' }, 'zip'],
      ['US zip with letters', { zip: '6270A' }, 'zip'],
      ['customerUserId over 100 chars', { customerUserId: 'u'.repeat(101) }, 'customerUserId'],
      ['previousReferenceId over 36 chars', { previousReferenceId: 'r'.repeat(37) }, 'previousReferenceId'],
      ['a name that is not a string', { firstName: 42 }, 'firstName'],
      ['userConsent false', { userConsent: false }, 'userConsent'],
      ['payments not an object', { payments: 'card' }, 'payments'],
    ])('%s → 400 naming the field', async (_what, patch, field) =>
      expect400({ ...base, ...patch }, [field], new RegExp(`Invalid input: ${field} `)),
    );

    it('names every bad field at once', async () =>
      expect400({ ...base, dob: 'x', email: 'y' }, ['dob', 'email'], /dob .*; email /));

    it.each([
      ['hyphenated SSN', { nationalId: '523-45-6789' }],
      ['last-4 SSN', { nationalId: '6789' }],
      ['ZIP+4 with hyphen', { zip: '62704-1234' }],
      ['9-digit zip', { zip: '627041234' }],
      ['lower-case country', { country: 'us' }],
      ['E.164 with spaces', { mobileNumber: '+1 202 555 0147' }],
      ['a non-US postal code', { country: 'GB', zip: 'SW1A 1AA' }],
      ['a numeric customerUserId', { customerUserId: 12345 }],
      ['upper-case module names', { modules: ['KYC', 'Fraud'] }],
      ['unknown extra fields', { favouriteColour: 'teal' }],
      ['100-char customerUserId', { customerUserId: 'u'.repeat(100) }],
    ])('accepts %s', async (_what, patch) => {
      const res = await idPlus(sandbox, { ...base, ...patch });
      expect(res.status, res.text).toBe(200);
    });
  });

  it('unknown routes → 404 in Socure shape', async () => {
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/api/3.0/EmailAuthScore'],
      ['POST', '/api/9.9/whatever'],
    ] as const) {
      const res = await call(sandbox, path, { method, body: method === 'POST' ? {} : undefined });
      expect(res.status).toBe(404);
      expect(res.json).toMatchObject({
        status: 'Error',
        referenceId: expect.any(String),
        msg: expect.any(String),
      });
    }
  });
});
