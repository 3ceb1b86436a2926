import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import {
  type IdPlusRequest,
  type IdPlusResponse,
  SocureAuthenticationError,
  SocureBadRequestError,
  SocureClient,
  type SocureClientOptions,
  SocureConnectionError,
  SocureRateLimitError,
  SocureResponseValidationError,
  SocureServerError,
  SocureTimeoutError,
  STOCK_PERSONA,
} from '../../src/socure/index.js';

/** The client against the sandbox over real sockets: every magic input and every fault. */
let sandbox: RunningSandbox;
const clients: SocureClient[] = [];

function client(options: Partial<SocureClientOptions> = {}): SocureClient {
  const c = new SocureClient({ idPlusKey: sandbox.keys.sandbox.idPlusKey, baseUrl: sandbox.url, ...options });
  clients.push(c);
  return c;
}

const ALL_MODULES = [
  'kyc',
  'fraud',
  'synthetic',
  'emailrisk',
  'phonerisk',
  'addressrisk',
  'alertlist',
  'watchlistplus',
  'decision',
];
const person = (overrides: Partial<IdPlusRequest> = {}): IdPlusRequest => ({
  modules: ALL_MODULES,
  ...STOCK_PERSONA,
  ...overrides,
});
const codes = (res: IdPlusResponse) =>
  Object.values(res).flatMap((b) => (b as { reasonCodes?: string[] })?.reasonCodes ?? []);

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, slowMs: 1500 });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await sandbox.close();
});

describe('magic inputs', () => {
  it('the stock persona is a clean accept with informational codes only', async () => {
    const res = await client().idplus.evaluate(person());
    expect(res.decision?.value).toBe('accept');
    expect(codes(res).every((c) => c.startsWith('I'))).toBe(true);
    expect(res.referenceId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each(['Accept', 'Reject', 'Refer', 'Review', 'Resubmit'])(
    'surName %s forces that decision',
    async (surName) => {
      const res = await client().idplus.evaluate(person({ surName, modules: ['kyc', 'fraud', 'decision'] }));
      expect(res.decision?.value).toBe(surName.toLowerCase());
    },
  );

  it('surName Sanctioned is an OFAC SDN hit and a reject', async () => {
    const res = await client().idplus.evaluate(person({ surName: 'Sanctioned' }));
    expect(res.globalWatchlist?.reasonCodes).toEqual(expect.arrayContaining(['R180', 'R186']));
    expect(Object.keys(res.globalWatchlist?.matches ?? {}).length).toBeGreaterThan(0);
    expect(res.decision?.value).toBe('reject');
  });

  it('surName Politician is a PEP hit and a review', async () => {
    const res = await client().idplus.evaluate(person({ surName: 'Politician' }));
    expect(res.globalWatchlist?.reasonCodes).toEqual(expect.arrayContaining(['R184', 'R186']));
    expect(res.decision?.value).toBe('review');
  });

  it('surName Synthetic is a synthetic identity', async () => {
    const res = await client().idplus.evaluate(person({ surName: 'Synthetic' }));
    expect(res.synthetic?.reasonCodes).toContain('R298');
    expect(res.synthetic?.scores?.[0]?.score).toBeGreaterThanOrEqual(0.95);
    expect(res.decision?.value).toBe('reject');
  });

  it('an alert-list e-mail and an alert-list phone are hits', async () => {
    const byEmail = await client().idplus.evaluate(person({ email: 'fraud@alertlist.example' }));
    expect(byEmail.alertList?.reasonCodes).toContain('R110');
    expect(byEmail.decision?.value).toBe('reject');
    const byPhone = await client().idplus.evaluate(person({ mobileNumber: '+1 555 555 0100' }));
    expect(byPhone.alertList?.reasonCodes).toContain('R113');
  });

  it('the deceased SSN 078-05-1120', async () => {
    const res = await client().idplus.evaluate(person({ nationalId: '078-05-1120' }));
    expect(res.fraud?.reasonCodes).toContain('R202');
    expect(res.kyc?.reasonCodes).toEqual(expect.arrayContaining(['R907', 'R909']));
    expect(res.decision?.value).toBe('reject');
  });

  it('an invalid SSN gives R201 and R913', async () => {
    const res = await client().idplus.evaluate(person({ nationalId: '666-12-3456' }));
    expect(res.fraud?.reasonCodes).toContain('R201');
    expect(res.kyc?.reasonCodes).toContain('R913');
  });

  it('a disposable e-mail domain gives R557', async () => {
    const res = await client().idplus.evaluate(person({ email: 'someone@mailinator.com' }));
    expect(res.emailRisk?.reasonCodes).toContain('R557');
    expect(res.emailRisk?.score).toBeGreaterThanOrEqual(0.8);
  });

  it('a PO box gives R708 and I911', async () => {
    const res = await client().idplus.evaluate(person({ physicalAddress: 'PO Box 123' }));
    expect(res.addressRisk?.reasonCodes).toContain('R708');
    expect(res.kyc?.reasonCodes).toContain('I911');
  });

  it('the risky device session gives R406', async () => {
    const res = await client().idplus.evaluate(
      person({ modules: ['devicerisk', 'decision'], deviceSessionId: 'risky-device' }),
    );
    expect(res.deviceRisk?.reasonCodes).toContain('R406');
    expect(res.deviceRisk?.score).toBeGreaterThanOrEqual(0.9);
  });

  it('is deterministic: the same person gets the same scores', async () => {
    const a = await client().idplus.evaluate(person({ firstName: 'Ada', surName: 'Lovelace' }));
    const b = await client().idplus.evaluate(person({ firstName: 'Ada', surName: 'Lovelace' }));
    const { referenceId: _a, ...restA } = a;
    const { referenceId: _b, ...restB } = b;
    expect(restA).toEqual(restB);
  });

  it('answers only the requested modules', async () => {
    const res = await client().idplus.evaluate(person({ modules: ['emailrisk'] }));
    expect(Object.keys(res).sort()).toEqual(['emailRisk', 'referenceId']);
  });

  it('lists the reason-code catalogue', async () => {
    const catalogue = await client().reasonCodes.list();
    expect(Object.values(catalogue.reasonCodes).some((group) => 'R827' in group)).toBe(true);
  });
});

describe('errors and faults', () => {
  const faulty = (fault: string) => person({ customerUserId: `${fault}-${randomUUID().slice(0, 8)}` });

  it('a wrong key is a 401 SocureAuthenticationError that does not carry the key', async () => {
    const err = await client({ idPlusKey: 'not-the-key' })
      .idplus.evaluate(person())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SocureAuthenticationError);
    expect(JSON.stringify(err) + String((err as Error).message)).not.toContain('not-the-key');
  });

  it('a request the sandbox refuses is a SocureBadRequestError with data.parameters', async () => {
    // Sent with the custom call, which skips the client's own checks, to see the sandbox's 400.
    const res = await client().request({
      method: 'POST',
      path: '/api/3.0/EmailAuthScore',
      body: { modules: ['kyc'] },
    });
    expect(res.statusCode).toBe(400);
    expect((res.rawResponse as { data: { parameters: string[] } }).data.parameters).toEqual(
      expect.arrayContaining(['firstName', 'surName']),
    );
    // Through evaluate(): a request that passes the client's own checks (additionalFields go out as they are)
    // and that the sandbox refuses, because middleName is not a string. The 400 becomes its error class.
    const err = await client()
      .idplus.evaluate(person({ additionalFields: { middleName: 7 } }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SocureBadRequestError);
    const bad = err as SocureBadRequestError;
    expect(bad.status).toBe(400);
    expect(bad.parameters).toEqual(['middleName']);
    expect(bad.msg).toBe('Invalid input: middleName must be a string');
    expect(bad.referenceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(bad.message).toBe(
      `Socure rejected the request: Invalid input: middleName must be a string [middleName] (referenceId ${bad.referenceId})`,
    );
    expect(bad.body).toEqual({
      status: 'Error',
      referenceId: bad.referenceId,
      data: { parameters: ['middleName'] },
      msg: 'Invalid input: middleName must be a string',
    });
  });

  it('429 with Retry-After is retried, then succeeds (fault-429-x1)', async () => {
    const started = Date.now();
    const res = await client().idplus.evaluate(faulty('fault-429-x1'));
    expect(res.referenceId).toBeTruthy();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900); // Retry-After: 1
  });

  it('429 without retries is a SocureRateLimitError with retryAfterMs', async () => {
    const err = await client({ maxRetries: 0 })
      .idplus.evaluate(faulty('fault-429'))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SocureRateLimitError);
    expect((err as SocureRateLimitError).retryAfterMs).toBe(1000);
  });

  it.each(['fault-500', 'fault-503'])('%s is retried and then a SocureServerError', async (fault) => {
    const err = await client({ maxRetries: 1 })
      .idplus.evaluate(faulty(fault))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SocureServerError);
    expect((err as SocureServerError).status).toBe(Number(fault.slice(-3)));
    expect((err as SocureServerError).referenceId).toBeTruthy();
  });

  it('a 503 twice then success is absorbed by the retries (fault-503-x2)', async () => {
    const res = await client({ maxRetries: 2 }).idplus.evaluate(faulty('fault-503-x2'));
    expect(res.referenceId).toBeTruthy();
  });

  it('a slow answer beyond timeoutMs is a SocureTimeoutError, not retried by default', async () => {
    const err = await client({ timeoutMs: 300 })
      .idplus.evaluate(faulty('fault-slow'))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SocureTimeoutError);
  });

  it('a reset connection is a SocureConnectionError after the retries', async () => {
    const err = await client({ maxRetries: 1 })
      .idplus.evaluate(faulty('fault-reset'))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SocureConnectionError);
  });

  it('a reset once is absorbed by a retry (fault-reset-x1)', async () => {
    const res = await client().idplus.evaluate(faulty('fault-reset-x1'));
    expect(res.referenceId).toBeTruthy();
  });

  it.each([
    ['fault-malformed', 'not JSON'],
    ['fault-badscore', 'score above 1'],
    ['fault-baddecision', 'decision.value'],
    ['fault-noreference', 'referenceId'],
  ])('%s breaks the contract: SocureResponseValidationError carrying the raw body', async (fault, issue) => {
    const err = await client()
      .idplus.evaluate(faulty(fault))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SocureResponseValidationError);
    expect((err as SocureResponseValidationError).issues.join(' ')).toContain(issue);
    expect((err as SocureResponseValidationError).body).toBeDefined();
  });

  it('bad input never reaches the sandbox', async () => {
    const err = await client()
      .idplus.evaluate(person({ dob: '31/31/1990' }))
      .catch((e: unknown) => e);
    expect((err as { field?: string }).field).toBe('dob');
    expect(err).not.toBeInstanceOf(SocureBadRequestError);
  });
});
