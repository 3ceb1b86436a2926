import { describe, expect, it } from 'vitest';
import { SocureInputError, SocureModuleRuleError } from '../../src/socure/errors.js';
import { checkModuleRules, ID_PLUS_MODULES, type ModuleRuleInput } from '../../src/socure/idplus/modules.js';
import { buildIdPlusRequest } from '../../src/socure/idplus/request.js';

const NAMES = { firstName: 'Dwayne', surName: 'Denver' };
const FULL: ModuleRuleInput = {
  ...NAMES,
  dob: '1975-04-02',
  nationalId: '400013784',
  email: 'dwayne.denver@example.com',
  mobileNumber: '+13475550100',
  physicalAddress: '1301 Main Street',
  city: 'Brownsville',
  state: 'TN',
  zip: '38012',
  country: 'US',
  deviceSessionId: 'dev-session-1',
  docvTransactionToken: 'b1f9c3a0-0000-4000-8000-000000000001',
};

function ruleError(modules: string[], input: ModuleRuleInput): SocureModuleRuleError {
  try {
    checkModuleRules(modules, input);
  } catch (err) {
    expect(err).toBeInstanceOf(SocureModuleRuleError);
    return err as SocureModuleRuleError;
  }
  throw new Error(`expected ${modules.join(',')} to break a rule`);
}

describe('module list rules', () => {
  it('refuses an empty list', () => {
    expect(ruleError([], FULL).message).toContain('at least one module');
  });

  it('refuses an unknown module, naming it and listing the known ones', () => {
    const err = ruleError(['kyc', 'kycplus'], FULL);
    expect(err.module).toBe('kycplus');
    expect(err.field).toBe('modules');
    expect(err).toBeInstanceOf(SocureInputError);
    expect(err.message).toContain('unknown module');
    expect(err.message).toContain('watchlistplus');
  });

  it('is case-sensitive on the wire names (buildIdPlusRequest lower-cases first)', () => {
    expect(ruleError(['KYC'], FULL).module).toBe('KYC');
    expect(() => buildIdPlusRequest({ ...FULL, modules: ['KYC'] })).not.toThrow();
  });

  it.each([
    ['watchliststandard', 'watchlistplus'],
    ['watchlistpremier', 'watchliststandard'],
    ['watchlistplus', 'watchlistpremier'],
  ])('refuses two Global Watchlist tiers (%s + %s)', (a, b) => {
    const err = ruleError([a, b], FULL);
    expect(err.module).toBe(b);
    expect(err.message).toContain('only one Global Watchlist');
  });

  it('refuses decision alone, even repeated', () => {
    expect(ruleError(['decision'], FULL).module).toBe('decision');
    expect(() => buildIdPlusRequest({ ...FULL, modules: ['decision', 'DECISION'] })).toThrow(
      /at least one other/,
    );
  });

  it('refuses devicerisk without deviceSessionId', () => {
    const { deviceSessionId: _, ...rest } = FULL;
    const err = ruleError(['devicerisk'], rest);
    expect(err.module).toBe('devicerisk');
    expect(err.missing).toEqual(['deviceSessionId']);
    expect(ruleError(['devicerisk'], { ...rest, deviceSessionId: '   ' }).missing).toEqual([
      'deviceSessionId',
    ]);
  });
});

describe('minimum inputs per module', () => {
  it.each<[string, ModuleRuleInput, string[]]>([
    ['kyc', {}, ['firstName and surName', 'country', expect.stringContaining('nationalId or dob')]],
    ['kyc', { ...NAMES, country: 'US' }, [expect.stringContaining('full address')]],
    [
      'kyc',
      { ...NAMES, country: 'US', physicalAddress: '1 Main St', city: 'X' },
      [expect.stringContaining('dob')],
    ],
    ['kyc', { firstName: 'Dwayne', country: 'US', dob: '1975-04-02' }, ['firstName and surName']],
    [
      'fraud',
      { ...NAMES, country: 'US', dob: '1975-04-02' },
      [expect.stringContaining('mobileNumber or email')],
    ],
    ['fraud', { ...NAMES, email: 'a@example.com' }, ['country']],
    ['synthetic', { ...NAMES, country: 'US' }, [expect.stringContaining('nationalId or dob')]],
    ['emailrisk', { mobileNumber: '+13475550100' }, ['email']],
    ['phonerisk', { mobileNumber: '+13475550100' }, ['country']],
    ['phonerisk', { country: 'US' }, ['mobileNumber']],
    ['addressrisk', { ...NAMES, country: 'US', zip: '38012' }, ['physicalAddress']],
    [
      'addressrisk',
      { ...NAMES, country: 'US', physicalAddress: '1 Main St', city: 'X' },
      ['city and state, or zip'],
    ],
    ['addressrisk', { physicalAddress: '1 Main St', zip: '38012', country: 'US' }, ['firstName and surName']],
    ['alertlist', { ...NAMES, country: 'US' }, ['one of nationalId, email or mobileNumber']],
    ['watchliststandard', { firstName: 'Dwayne' }, ['firstName and surName']],
    ['watchlistpremier', { surName: 'Denver' }, ['firstName and surName']],
    ['watchlistplus', { country: 'US' }, ['firstName and surName']],
    ['documentverification', { ...NAMES }, ['docvTransactionToken (or legacy documentUuid)']],
  ])('%s with %j is missing %j', (module, input, missing) => {
    const err = ruleError([module], input);
    expect(err.module).toBe(module);
    expect(err.missing).toEqual(missing);
    for (const m of err.missing) expect(err.message).toContain(m);
  });

  it('reports the first module (in list order) whose inputs are missing', () => {
    const err = ruleError(['emailrisk', 'phonerisk'], { country: 'US' });
    expect(err.module).toBe('emailrisk');
  });

  it.each<[string, ModuleRuleInput]>([
    ['kyc', { ...NAMES, country: 'US', dob: '1975-04-02' }],
    ['kyc', { ...NAMES, country: 'US', nationalId: '3784' }],
    ['kyc', { ...NAMES, country: 'US', physicalAddress: '1 Main St', zip: '38012' }],
    ['kyc', { ...NAMES, country: 'US', physicalAddress: '1 Main St', city: 'Brownsville', state: 'TN' }],
    ['fraud', { ...NAMES, country: 'US', mobileNumber: '+13475550100' }],
    ['fraud', { ...NAMES, country: 'US', email: 'a@example.com' }],
    ['synthetic', { ...NAMES, country: 'US', dob: '1975-04-02' }],
    ['emailrisk', { email: 'a@example.com' }],
    ['phonerisk', { mobileNumber: '+13475550100', country: 'US' }],
    ['addressrisk', { ...NAMES, country: 'US', physicalAddress: '1 Main St', zip: '38012' }],
    ['alertlist', { mobileNumber: '+13475550100' }],
    ['watchlistplus', NAMES],
    ['devicerisk', { deviceSessionId: 'abc' }],
    ['documentverification', { documentUuid: 'legacy-uuid' }],
    ['social', {}],
    ['digitalintelligence', {}],
  ])('%s passes with its minimum inputs %j', (module, input) => {
    expect(() => checkModuleRules([module], input)).not.toThrow();
  });

  it.each([
    [['kyc', 'fraud', 'synthetic', 'decision']],
    [['emailrisk', 'phonerisk', 'addressrisk', 'decision']],
    [['kyc', 'watchlistplus', 'alertlist']],
    [['documentverification', 'devicerisk', 'decision']],
    [['kyc', 'watchliststandard']],
  ])('valid combination %j passes with a full identity', (modules) => {
    expect(() => checkModuleRules(modules, FULL)).not.toThrow();
  });

  it('every known module passes alone (except decision) with a full identity', () => {
    for (const m of ID_PLUS_MODULES) {
      if (m === 'decision') continue;
      expect(() => checkModuleRules([m], FULL), m).not.toThrow();
    }
  });

  it('buildIdPlusRequest applies the rules to the normalised request', () => {
    let err: unknown;
    try {
      buildIdPlusRequest({ modules: ['devicerisk', 'decision'], email: 'a@example.com' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SocureModuleRuleError);
    expect((err as SocureModuleRuleError).module).toBe('devicerisk');
    expect((err as SocureModuleRuleError).missing).toEqual(['deviceSessionId']);
  });
});

describe('a non-string value under a known field name (additionalFields)', () => {
  it('is taken as present, not a TypeError: Socure judges its type', () => {
    expect(() =>
      checkModuleRules(['kyc'], { firstName: 'Dwayne', surName: 7, country: 'US' } as never),
    ).not.toThrow(TypeError);
  });
});
