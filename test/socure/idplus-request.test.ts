import { describe, expect, it } from 'vitest';
import { SocureInputError, SocureModuleRuleError } from '../../src/socure/errors.js';
import { buildIdPlusRequest, type IdPlusRequest } from '../../src/socure/idplus/request.js';

const PERSONA = {
  firstName: 'Dwayne',
  surName: 'Denver',
  dob: '1975-04-02',
  nationalId: '400013784',
  email: 'dwayne.denver@example.com',
  mobileNumber: '+13475550100',
  physicalAddress: '1301 Main Street',
  city: 'Brownsville',
  state: 'TN',
  zip: '38012',
  country: 'US',
};

function inputError(input: unknown): SocureInputError {
  try {
    buildIdPlusRequest(input as IdPlusRequest);
  } catch (err) {
    expect(err).toBeInstanceOf(SocureInputError);
    return err as SocureInputError;
  }
  throw new Error('expected buildIdPlusRequest to throw');
}

describe('buildIdPlusRequest: normalisation', () => {
  it('normalises every strict field to its wire form', () => {
    const wire = buildIdPlusRequest({
      modules: ['kyc', 'emailrisk', 'phonerisk', 'addressrisk'],
      firstName: '  Dwayne ',
      surName: 'Denver',
      dob: '04/02/1975',
      nationalId: '400-01-3784',
      email: ' dwayne.denver@example.com ',
      mobileNumber: '(347) 555-0100',
      physicalAddress: '1301 Main Street',
      city: 'Brownsville',
      state: 'tn',
      zip: '380121234',
      country: 'us',
      geocode: ' 35.59 , -89.26 ',
      ipAddress: ' 203.0.113.7 ',
    });
    expect(wire).toEqual({
      modules: ['kyc', 'emailrisk', 'phonerisk', 'addressrisk'],
      firstName: 'Dwayne',
      surName: 'Denver',
      dob: '1975-04-02',
      nationalId: '400013784',
      email: 'dwayne.denver@example.com',
      mobileNumber: '+13475550100',
      physicalAddress: '1301 Main Street',
      city: 'Brownsville',
      state: 'TN',
      zip: '38012-1234',
      country: 'US',
      geocode: '35.59,-89.26',
      ipAddress: '203.0.113.7',
    });
  });

  it('checks the zip against the normalised country (non-US postcodes are kept)', () => {
    const wire = buildIdPlusRequest({
      modules: ['addressrisk'],
      firstName: 'Jane',
      surName: 'Doe',
      physicalAddress: '10 Downing Street',
      zip: ' SW1A 2AA ',
      country: 'gb',
    });
    expect(wire.zip).toBe('SW1A 2AA');
    expect(wire.country).toBe('GB');
  });

  it('turns a numeric customerUserId into a string', () => {
    const wire = buildIdPlusRequest({ modules: ['emailrisk'], email: 'a@example.com', customerUserId: 123 });
    expect(wire.customerUserId).toBe('123');
    expect(typeof wire.customerUserId).toBe('string');
  });

  it('lower-cases, trims and de-duplicates the module list, keeping first-seen order', () => {
    const wire = buildIdPlusRequest({
      ...PERSONA,
      modules: ['KYC', ' EmailRisk ', 'kyc', 'emailrisk', 'Decision'],
    });
    expect(wire.modules).toEqual(['kyc', 'emailrisk', 'decision']);
  });

  it('passes additionalFields through at the top level without overriding known fields', () => {
    const wire = buildIdPlusRequest({
      modules: ['emailrisk'],
      email: 'a@example.com',
      additionalFields: { newSocureInput: { nested: [1, 2] }, flag: true, email: 'other@example.com' },
    });
    expect(wire).toEqual({
      modules: ['emailrisk'],
      email: 'a@example.com',
      newSocureInput: { nested: [1, 2] },
      flag: true,
    });
    expect(wire).not.toHaveProperty('additionalFields');
  });

  it('does not add fields that were not given', () => {
    const wire = buildIdPlusRequest({ modules: ['emailrisk'], email: 'a@example.com' });
    expect(Object.keys(wire).sort()).toEqual(['email', 'modules']);
  });

  it('keeps booleans and coerces numeric strings for order fields', () => {
    const wire = buildIdPlusRequest({
      modules: ['emailrisk'],
      email: 'a@example.com',
      userConsent: true,
      consentTimestamp: '2024-06-07T14:42:56.974Z',
      orderAmount: '12.50',
      prevOrderCount: '3',
    });
    expect(wire).toMatchObject({ userConsent: true, orderAmount: 12.5, prevOrderCount: 3 });
  });
});

describe('buildIdPlusRequest: errors name the field', () => {
  const base = { modules: ['emailrisk'], email: 'a@example.com' };
  it.each([
    ['dob', { dob: '2023-02-30' }],
    ['dob', { dob: 'garbage' }],
    ['dob', { dob: 19750402 }],
    ['nationalId', { nationalId: '12345' }],
    ['email', { email: 'not-an-email' }],
    ['mobileNumber', { mobileNumber: '555-0100' }],
    ['country', { country: 'USA' }],
    ['countryOfOrigin', { countryOfOrigin: 'United States' }],
    ['state', { state: 'New York' }],
    ['zip', { zip: '1234' }],
    ['zip', { zip: 38012 }],
    ['geocode', { geocode: '91,10' }],
    ['ipAddress', { ipAddress: '999.1.1.1' }],
    ['customerUserId', { customerUserId: 'x'.repeat(101) }],
    ['customerUserId', { customerUserId: '   ' }],
    ['firstName', { firstName: '' }],
    ['surName', { surName: '   ' }],
    ['previousReferenceId', { previousReferenceId: 'x'.repeat(37) }],
    ['consentTimestamp', { consentTimestamp: 'yesterday' }],
    ['userConsent', { userConsent: 'yes' }],
    ['orderAmount', { orderAmount: -1 }],
    ['prevOrderCount', { prevOrderCount: 1.5 }],
    ['modules', { modules: [] }],
    ['modules', { modules: undefined }],
  ])('%s: %j', (field, patch) => {
    const err = inputError({ ...base, ...patch });
    expect(err.field).toBe(field);
    expect(err.message.startsWith(`${field}: `)).toBe(true);
  });

  it('names the field and the expected form, never the offending (personal) value', () => {
    const err = inputError({ ...base, mobileNumber: '555-0100' });
    expect(err.message).toContain('mobileNumber');
    expect(err.message).toContain('E.164');
    expect(err.message).not.toContain('555-0100');
    for (const bad of [{ nationalId: '12-3456' }, { dob: '31/31/1990' }, { zip: '9X9X9' }, { email: 'a@' }]) {
      const e = inputError({ ...base, ...bad });
      expect(e.message).not.toContain(Object.values(bad)[0]);
    }
  });

  it('rejects unknown fields such as the lastName typo, naming them', () => {
    const err = inputError({ modules: ['watchlistplus'], firstName: 'Dwayne', lastName: 'Denver' });
    expect(err).not.toBeInstanceOf(SocureModuleRuleError);
    expect(err.message).toContain('unknown field');
    expect(err.message).toContain('lastName');
  });

  it('rejects unknown fields even when all other fields are valid', () => {
    const err = inputError({ ...PERSONA, modules: ['kyc'], ssn: '400013784' });
    expect(err.message).toContain('ssn');
  });

  it('checks module rules after normalisation (SocureModuleRuleError)', () => {
    expect(() => buildIdPlusRequest({ modules: ['phonerisk'], mobileNumber: '3475550100' })).toThrow(
      SocureModuleRuleError,
    );
    expect(
      buildIdPlusRequest({ modules: ['phonerisk'], mobileNumber: '3475550100', country: 'us' }).mobileNumber,
    ).toBe('+13475550100');
  });
});
