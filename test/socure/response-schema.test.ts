import { describe, expect, it } from 'vitest';
import { SocureResponseValidationError } from '../../src/socure/errors.js';
import { parseIdPlusResponse } from '../../src/socure/idplus/resource.js';
import { reasonCodesByModule } from '../../src/socure/idplus/response.js';

/** The seed's "Get an ID+ Score" Output Example (`rawResponse`), verbatim. */
const SEED_RAW_RESPONSE = {
  referenceId: '123a456b-789c-1234-567c-9307e6e0a83f',
  nameAddressCorrelation: {
    reasonCodes: ['I709', 'I708', 'I710'],
    score: 0.9096,
  },
  namePhoneCorrelation: {
    reasonCodes: ['I621', 'I622', 'I618'],
    score: 0.9984,
  },
  fraud: {
    reasonCodes: [
      'I610',
      'I626',
      'I705',
      'I609',
      'I553',
      'I611',
      'I614',
      'I127',
      'I630',
      'I708',
      'I618',
      'I555',
      'I707',
      'I602',
    ],
    scores: [
      {
        name: 'sigma',
        version: '1.0',
        score: 0.167,
      },
    ],
  },
  kyc: {
    reasonCodes: ['I919'],
    cvi: 0,
    correlationIndices: {
      nameAddressPhoneIndex: 0,
      nameAddressSsnIndex: 0,
    },
    decision: {
      modelName: 'SOCURE_FIX',
      modelVersion: '1.0',
      status: 'REFER',
    },
    fieldValidations: {
      firstName: 0.99,
      surName: 0.99,
      streetAddress: 0.99,
      city: 0.99,
      state: 0.99,
      zip: 0.99,
      mobileNumber: 0.99,
      dob: 0.99,
      ssn: 0.99,
    },
  },
  addressRisk: {
    reasonCodes: ['I610', 'I705', 'I720', 'I708', 'I707'],
    score: 0.364,
  },
  emailRisk: {
    reasonCodes: ['I520', 'I553', 'I555'],
    score: 0.133,
  },
  phoneRisk: {
    reasonCodes: ['I610', 'I626', 'I609', 'I620', 'I611', 'I614', 'I630', 'I618', 'I602'],
    score: 0.122,
  },
};

const clone = <T>(v: T): T => structuredClone(v);

function validationError(json: unknown, rawText?: string): SocureResponseValidationError {
  try {
    parseIdPlusResponse(json, rawText);
  } catch (err) {
    expect(err).toBeInstanceOf(SocureResponseValidationError);
    return err as SocureResponseValidationError;
  }
  throw new Error('expected parseIdPlusResponse to throw');
}

describe('parseIdPlusResponse: valid answers', () => {
  it("parses the seed's Get an ID+ Score output example unchanged", () => {
    const parsed = parseIdPlusResponse(clone(SEED_RAW_RESPONSE));
    expect(parsed).toEqual(SEED_RAW_RESPONSE);
    expect(parsed.kyc?.decision?.status).toBe('REFER');
    expect(parsed.fraud?.scores?.[0]?.score).toBe(0.167);
    expect(reasonCodesByModule(parsed)).toMatchObject({
      kyc: ['I919'],
      emailRisk: ['I520', 'I553', 'I555'],
      nameAddressCorrelation: ['I709', 'I708', 'I710'],
    });
  });

  it('lets unknown fields through untouched, at the top level and inside known blocks', () => {
    const input = {
      ...clone(SEED_RAW_RESPONSE),
      customerProfile: { customerUserId: '123', userId: 'u1', extra: { deep: [1, 'two', null] } },
      prefill: { firstName: 'DWAYNE', addresses: [{ zip: '38012' }] },
      kycPlus: null,
      emailRisk: {
        reasonCodes: ['I520'],
        score: 0.1,
        scores: [{ name: 'email_risk_cus1', score: 0.2 }],
        signals: { a: 1 },
      },
      decision: { value: 'refer', modelName: 'm', modelVersion: '2', details: ['x'] },
      documentVerification: {
        reasonCodes: ['I831'],
        decision: { name: 'lenient', value: 'accept' },
        documentData: { firstName: 'Jane', customFields: { a: 'b' } },
        rawData: { mrz: 'P<USA' },
      },
    };
    const parsed = parseIdPlusResponse(clone(input));
    expect(parsed).toEqual(input);
  });

  it('accepts scores at the bounds 0 and 1 and every documented decision value', () => {
    for (const value of ['accept', 'reject', 'review', 'refer', 'resubmit']) {
      const parsed = parseIdPlusResponse({
        referenceId: 'r',
        emailRisk: { score: 0 },
        phoneRisk: { score: 1 },
        decision: { value },
      });
      expect(parsed.decision?.value).toBe(value);
    }
  });
});

describe('parseIdPlusResponse: contract breaches raise SocureResponseValidationError', () => {
  it.each<[string, (r: Record<string, unknown>) => void, string]>([
    ['score 1.2', (r) => ((r.emailRisk as { score: number }).score = 1.2), 'emailRisk.score'],
    ['score -0.1', (r) => ((r.phoneRisk as { score: number }).score = -0.1), 'phoneRisk.score'],
    [
      'sigma score 1.2',
      (r) => ((r.fraud as { scores: Array<{ score: number }> }).scores[0]!.score = 1.2),
      'fraud.scores.0.score',
    ],
    [
      'fieldValidations above 1',
      (r) => ((r.kyc as { fieldValidations: Record<string, number> }).fieldValidations.ssn = 99),
      'kyc.fieldValidations.ssn',
    ],
    ['score as a string', (r) => ((r.addressRisk as { score: unknown }).score = '0.3'), 'addressRisk.score'],
    ['decision "maybe"', (r) => (r.decision = { value: 'maybe' }), 'decision.value'],
    ['missing referenceId', (r) => delete r.referenceId, 'referenceId'],
    ['empty referenceId', (r) => (r.referenceId = ''), 'referenceId'],
    [
      'reasonCodes not an array',
      (r) => ((r.kyc as { reasonCodes: unknown }).reasonCodes = 'I919'),
      'kyc.reasonCodes',
    ],
  ])('%s', (_name, mutate, path) => {
    const body = clone(SEED_RAW_RESPONSE) as unknown as Record<string, unknown>;
    mutate(body);
    const snapshot = clone(body);
    const err = validationError(body);
    expect(err.issues.length).toBeGreaterThan(0);
    expect(err.issues.some((i) => i.startsWith(`${path}:`))).toBe(true);
    expect(err.message).toContain(path);
    // `.body` is the untouched answer.
    expect(err.body).toEqual(snapshot);
  });

  it('keeps the referenceId of a breaching answer', () => {
    const body = { ...clone(SEED_RAW_RESPONSE), decision: { value: 'maybe' } };
    expect(validationError(body).referenceId).toBe(SEED_RAW_RESPONSE.referenceId);
    expect(validationError({ decision: { value: 'maybe' } }).referenceId).toBeUndefined();
  });

  it('reports every issue, not only the first', () => {
    const err = validationError({ emailRisk: { score: 2 }, decision: { value: 'maybe' } });
    expect(err.issues).toHaveLength(3);
  });

  it.each([null, 'text', 42, [SEED_RAW_RESPONSE]])('refuses a non-object JSON body %j', (json) => {
    const err = validationError(json);
    expect(err.body).toEqual(json);
    expect(err.issues.length).toBeGreaterThan(0);
  });

  it('refuses a non-JSON body, carrying the raw text', () => {
    const raw = '<html><body>It works!</body></html>';
    const err = validationError(undefined, raw);
    expect(err.body).toBe(raw);
    expect(err.issues).toEqual(['body is not JSON']);
    expect(err.message).toContain('not JSON');
  });
});
