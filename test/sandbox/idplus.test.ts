import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import { ALL_CORE_MODULES, CLEAN_PERSON, call, idPlus, STOCK, withoutReference } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MODULE_KEYS: Record<string, string> = {
  kyc: 'kyc',
  fraud: 'fraud',
  synthetic: 'synthetic',
  emailrisk: 'emailRisk',
  phonerisk: 'phoneRisk',
  addressrisk: 'addressRisk',
  alertlist: 'alertList',
  watchliststandard: 'globalWatchlist',
  watchlistpremier: 'globalWatchlist',
  watchlistplus: 'globalWatchlist',
  devicerisk: 'deviceRisk',
  documentverification: 'documentVerification',
  decision: 'decision',
  digitalintelligence: 'digitalIntelligence',
  social: 'social',
  accountintelligence: 'accountIntelligence',
};
const CORRELATIONS = ['nameAddressCorrelation', 'namePhoneCorrelation', 'nameEmailCorrelation'];
const sigma = (block: { scores: Array<{ score: number }> }) => block.scores[0]!.score;

describe('ID+ answers (real sockets)', () => {
  let sandbox: RunningSandbox;
  let docvToken: string;
  /** A real DocV transaction driven to the end (ID+ answers 400 for tokens it does not know). */
  const finishedDocv = async (person: Record<string, unknown> = {}) => {
    const created = await call(sandbox, '/api/5.0/documents/request', { body: person });
    const token: string = created.json.data.docvTransactionToken;
    await call(sandbox, `/sandbox/transactions/${token}/trigger`, { body: { scenario: 'complete-accept' } });
    return token;
  };
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
    docvToken = await finishedDocv();
  });
  afterAll(() => sandbox.close());
  const score = async (body: Record<string, unknown>) => {
    const res = await idPlus(sandbox, body);
    expect(res.status, res.text).toBe(200);
    return res.json;
  };
  const all = (patch: Record<string, unknown> = {}) =>
    score({ modules: ALL_CORE_MODULES, ...CLEAN_PERSON, ...patch });

  describe('only the requested modules', () => {
    it.each([
      [['emailrisk']],
      [['phonerisk', 'decision']],
      [['kyc']],
      [['fraud', 'synthetic']],
      [['addressrisk', 'alertlist', 'watchlistpremier']],
      [['devicerisk', 'documentverification', 'decision']],
      [['social', 'digitalintelligence', 'accountintelligence']],
      [ALL_CORE_MODULES],
    ])('%j', async (modules) => {
      const body = await score({
        modules,
        ...CLEAN_PERSON,
        deviceSessionId: 'dev-1',
        docvTransactionToken: docvToken,
        payments: { account: { accountNumber: '000123456789', routingNumber: '021000021' } },
      });
      const expected = new Set(['referenceId', ...modules.map((m) => MODULE_KEYS[m]!)]);
      if (modules.includes('kyc') || modules.includes('fraud')) for (const c of CORRELATIONS) expected.add(c);
      expect(new Set(Object.keys(body))).toEqual(expected);
      expect(body.referenceId).toMatch(UUID);
    });

    it('adds correlations only for the inputs sent', async () => {
      const body = await score({
        modules: ['fraud'],
        firstName: 'A',
        surName: 'B',
        country: 'US',
        email: 'a@b.co',
      });
      expect(Object.keys(body).sort()).toEqual(['fraud', 'nameEmailCorrelation', 'referenceId']);
    });

    it('echoes customerProfile only when sent', async () => {
      expect((await all()).customerProfile).toBeUndefined();
      expect((await all({ customerUserId: 'cu-1', userId: 'u-1' })).customerProfile).toEqual({
        customerUserId: 'cu-1',
        userId: 'u-1',
      });
      expect((await all({ customerUserId: 77 })).customerProfile).toEqual({ customerUserId: '77' });
    });
  });

  describe('shapes', () => {
    it('match socure-api.md §2.3', async () => {
      const body = await all();
      expect(body.kyc).toEqual({
        reasonCodes: expect.any(Array),
        fieldValidations: expect.any(Object),
        cvi: expect.any(Number),
        correlationIndices: {
          nameAddressPhoneIndex: expect.any(Number),
          nameAddressSsnIndex: expect.any(Number),
        },
      });
      for (const v of Object.values(body.kyc.fieldValidations)) expect([0.01, 0.99]).toContain(v);
      expect(body.fraud.scores).toEqual([{ name: 'sigma', version: '4.0', score: expect.any(Number) }]);
      expect(body.globalWatchlist).toEqual({ reasonCodes: ['I196'], matches: {} });
      expect(body.alertList).toEqual({ reasonCodes: [], matches: [] });
      expect(body.decision).toEqual({ value: expect.any(String), modelName: 'sandbox', modelVersion: '1.0' });
    });

    it('documentverification returns the finished transaction’s block, the same on every call', async () => {
      const person = { firstName: 'Ann', surName: 'Lee' };
      const token = await finishedDocv(person);
      const req = { modules: ['documentverification'], docvTransactionToken: token };
      const a = await score(req);
      const b = await score(req);
      const c = await score({ ...req, docvTransactionToken: await finishedDocv(person) });
      expect(withoutReference(a)).toEqual(withoutReference(b));
      expect(a.documentVerification.decision).toEqual({ name: 'standard', value: 'accept' });
      expect(a.documentVerification.documentData).toMatchObject({ firstName: 'Ann', surName: 'Lee' });
      expect(a.documentVerification.reasonCodes).toEqual(expect.arrayContaining(['I822', 'I823', 'I836']));
      expect(c.documentVerification.documentData.documentNumber).not.toBe(
        a.documentVerification.documentData.documentNumber,
      );
      const view = await call(sandbox, `/sandbox/transactions/${token}`);
      const legacy = await score({ modules: ['documentverification'], documentUuid: view.json.documentUuid });
      expect(legacy.documentVerification).toEqual(a.documentVerification);
    });
  });

  describe('determinism', () => {
    it('the same input gives the same body except referenceId', async () => {
      const a = await all({ customerUserId: 'same' });
      const b = await all({ customerUserId: 'same' });
      expect(a.referenceId).not.toBe(b.referenceId);
      expect(withoutReference(b)).toEqual(withoutReference(a));
    });
    it('normalised inputs are the same person', async () => {
      const a = await all();
      const b = await all({
        firstName: 'MARIA',
        nationalId: '523456789',
        mobileNumber: '+1 202-555-0147',
        country: 'us',
      });
      expect(b.fraud).toEqual(a.fraud);
      expect(b.phoneRisk).toEqual(a.phoneRisk);
    });
    it('different people get different scores', async () => {
      const a = await all();
      const b = await all({ firstName: 'Marta', email: 'marta@example.net', mobileNumber: '+13125550199' });
      expect([sigma(a.fraud), a.emailRisk.score, a.phoneRisk.score]).not.toEqual([
        sigma(b.fraud),
        b.emailRisk.score,
        b.phoneRisk.score,
      ]);
    });
  });

  describe('reason codes follow the inputs', () => {
    it('missing ssn/dob/address → I904/I906/I903', async () => {
      const body = await score({
        modules: ['kyc'],
        firstName: 'A',
        surName: 'B',
        country: 'US',
        mobileNumber: '+12025550100',
        email: 'a@b.co',
        nationalId: '6789',
      });
      expect(body.kyc.reasonCodes).toEqual(expect.arrayContaining(['I903', 'I906', 'I905']));
      const noSsn = await score({
        modules: ['kyc'],
        firstName: 'A',
        surName: 'B',
        country: 'US',
        dob: '1980-01-01',
      });
      expect(noSsn.kyc.reasonCodes).toEqual(expect.arrayContaining(['I903', 'I904']));
      expect(noSsn.kyc.fieldValidations.ssn).toBe(0.01);
    });
    it.each(['000-12-3456', '666-12-3456', '912-34-5678', '123-00-4567', '123-45-0000'])(
      'invalid SSN %s → fraud R201 + kyc R913 → reject',
      async (nationalId) => {
        const body = await all({ nationalId });
        expect(body.fraud.reasonCodes).toContain('R201');
        expect(body.kyc.reasonCodes).toContain('R913');
        expect(body.kyc.fieldValidations.ssn).toBe(0.01);
        expect(body.decision.value).toBe('reject');
      },
    );
    it.each([
      'mailinator.com',
      'guerrillamail.com',
      '10minutemail.com',
      'yopmail.com',
      'tempmail.com',
      'TrashMail.com',
    ])('disposable e-mail @%s → R557 + R520 and a high score', async (domain) => {
      const body = await all({ email: `maria@${domain}` });
      expect(body.emailRisk.reasonCodes).toEqual(expect.arrayContaining(['R557', 'R520']));
      expect(body.emailRisk.score).toBeGreaterThanOrEqual(0.8);
      expect(['review', 'reject']).toContain(body.decision.value);
    });
    it.each(['PO Box 123', 'P.O. Box 9', 'po box 77', 'P O BOX 5'])(
      'PO box "%s" → R708 + I911 → resubmit',
      async (addr) => {
        const body = await all({ physicalAddress: addr });
        expect(body.addressRisk.reasonCodes).toContain('R708');
        expect(body.kyc.reasonCodes).toContain('I911');
        expect(body.decision.value).toBe('resubmit');
      },
    );
    it('clean people: low scores, informational codes, accept', async () => {
      const body = await all();
      for (const s of [
        sigma(body.fraud),
        sigma(body.synthetic),
        body.emailRisk.score,
        body.phoneRisk.score,
        body.addressRisk.score,
      ]) {
        expect(s).toBeGreaterThanOrEqual(0.02);
        expect(s).toBeLessThanOrEqual(0.35);
      }
      for (const key of [
        'kyc',
        'fraud',
        'synthetic',
        'emailRisk',
        'phoneRisk',
        'addressRisk',
        'globalWatchlist',
      ]) {
        for (const code of body[key].reasonCodes) expect(code).toMatch(/^I/);
      }
      expect(body.decision.value).toBe('accept');
    });
  });

  describe('magic inputs', () => {
    it('the stock persona is a clean accept with informational codes only', async () => {
      const body = await score({
        modules: [...ALL_CORE_MODULES, 'devicerisk'],
        ...STOCK,
        deviceSessionId: 'd-1',
      });
      const codes = Object.values(body).flatMap(
        (b) => (b as { reasonCodes?: string[] } | undefined)?.reasonCodes ?? [],
      );
      expect(codes.length).toBeGreaterThan(5);
      for (const c of codes) expect(c).toMatch(/^I/);
      for (const s of [
        sigma(body.fraud),
        sigma(body.synthetic),
        body.emailRisk.score,
        body.phoneRisk.score,
        body.addressRisk.score,
      ]) {
        expect(s).toBeLessThanOrEqual(0.35);
      }
      expect(body.decision.value).toBe('accept');
      // Matched on firstName+surName+dob, case-insensitively.
      const other = await score({
        modules: ['fraud', 'decision'],
        ...CLEAN_PERSON,
        firstName: 'DWAYNE',
        surName: 'denver',
        dob: STOCK.dob,
      });
      expect(other.decision.value).toBe('accept');
    });

    it.each(['accept', 'refer', 'review', 'resubmit', 'reject'])(
      'surName %s forces that decision',
      async (value) => {
        const surName = value[0]!.toUpperCase() + value.slice(1);
        for (const name of [surName, value.toUpperCase()]) {
          const body = await all({ surName: name });
          expect(body.decision.value).toBe(value);
        }
        const body = await all({ surName });
        const fraud = sigma(body.fraud);
        if (value === 'accept') expect(fraud).toBeLessThanOrEqual(0.35);
        if (value === 'refer') expect(fraud).toBeGreaterThanOrEqual(0.5);
        if (value === 'review') {
          expect(fraud).toBeGreaterThanOrEqual(0.8);
          expect(body.fraud.reasonCodes).toContain('R203');
        }
        if (value === 'resubmit') expect(body.kyc.reasonCodes).toContain('R919');
        if (value === 'reject') {
          expect(fraud).toBeGreaterThanOrEqual(0.95);
          expect(body.kyc.reasonCodes.some((c: string) => c.startsWith('R'))).toBe(true);
        }
      },
    );

    it('surName Sanctioned → OFAC SDN hit → reject', async () => {
      const body = await all({ surName: 'Sanctioned' });
      expect(body.globalWatchlist.reasonCodes).toEqual(['R180', 'R186']);
      const [match] = body.globalWatchlist.matches['OFAC SDN List'];
      expect(match).toEqual({
        entityId: expect.any(String),
        matchFields: expect.arrayContaining(['nameExact']),
        sourceUrls: [expect.stringMatching(/^https:\/\//)],
        comments: expect.objectContaining({ name: ['Maria Sanctioned'] }),
        matchScore: 100,
      });
      expect(body.decision.value).toBe('reject');
    });

    it.each(['watchliststandard', 'watchlistpremier', 'watchlistplus'])(
      'surName Politician → PEP hit (%s) → review',
      async (tier) => {
        const body = await score({
          modules: [tier, 'fraud', 'decision'],
          ...CLEAN_PERSON,
          surName: 'politician',
        });
        expect(body.globalWatchlist.reasonCodes).toEqual(['R184', 'R186']);
        expect(body.globalWatchlist.matches['PEP Data']).toHaveLength(1);
        expect(body.decision.value).toBe('review');
      },
    );

    it('e-mail at alertlist.example → alertList R110 → reject', async () => {
      const body = await all({ email: 'Fraud@AlertList.example' });
      expect(body.alertList.reasonCodes).toEqual(['R110']);
      expect(body.alertList.matches).toEqual([
        expect.objectContaining({ element: 'email', reportedCount: expect.any(Number) }),
      ]);
      expect(body.decision.value).toBe('reject');
    });

    it('mobileNumber +15555550100 → alertList R113 → reject', async () => {
      const body = await all({ mobileNumber: '+15555550100' });
      expect(body.alertList.reasonCodes).toEqual(['R113']);
      expect(body.alertList.matches[0].element).toBe('mobileNumber');
      expect(body.decision.value).toBe('reject');
    });

    it('nationalId 078-05-1120 → deceased: fraud R202, kyc R907 + R909 → reject', async () => {
      const body = await all({ nationalId: '078-05-1120' });
      expect(body.fraud.reasonCodes).toContain('R202');
      expect(body.kyc.reasonCodes).toEqual(expect.arrayContaining(['R907', 'R909']));
      expect(sigma(body.fraud)).toBeGreaterThanOrEqual(0.8);
      expect(body.decision.value).toBe('reject');
    });

    it('surName Synthetic → synthetic 0.99 with R298 → reject', async () => {
      const body = await all({ surName: 'Synthetic' });
      expect(body.synthetic).toEqual({
        reasonCodes: ['R298'],
        scores: [{ name: 'sigma', version: '4.0', score: 0.99 }],
      });
      expect(body.decision.value).toBe('reject');
    });

    it('deviceSessionId risky-device → deviceRisk 0.95 with R406', async () => {
      const body = await score({ modules: ['devicerisk', 'decision'], deviceSessionId: 'Risky-Device' });
      expect(body.deviceRisk).toEqual({ reasonCodes: ['R406'], score: 0.95 });
      expect(body.decision.value).toBe('reject');
      const clean = await score({ modules: ['devicerisk'], deviceSessionId: 'fine-device' });
      expect(clean.deviceRisk.score).toBeLessThan(0.8);
    });
  });
});
