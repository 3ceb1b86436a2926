import { describe, expect, it } from 'vitest';
import { needlesOf, withoutPersonalData } from '../../src/server/personal-data.js';

const typed = needlesOf([
  {
    firstName: 'Zoë',
    surName: 'Ng',
    dob: '1968-11-23',
    mobileNumber: '+12025550187',
    state: 'NH',
    zip: 3894,
  },
]);
const scrub = (value: unknown) => {
  const omitted: string[] = [];
  return { kept: withoutPersonalData(value, typed, '/result', omitted), omitted };
};

describe('withoutPersonalData', () => {
  it('finds a typed value written back in another form', () => {
    const { kept, omitted } = scrub({
      a: 'ZOE NG', // case and accents
      b: 'born 11/23/1968',
      c: '(202) 555-0187',
      d: 'NH',
      e: 3894,
      keep: ['New Hampshire', 'Ngozi', 'sigma', 0.289, true, null],
    });
    expect(kept).toEqual({ keep: ['New Hampshire', 'Ngozi', 'sigma', 0.289, true, null] });
    expect(omitted).toEqual(['/result/a', '/result/b', '/result/c', '/result/d', '/result/e']);
  });

  it('drops text under personal keys, keeps scores under them and verdicts whatever they say', () => {
    const { kept, omitted } = scrub({
      documentData: { firstName: 'Someone Else' },
      kyc: { fieldValidations: { firstName: 0.99, dob: 0.01 } },
      decision: { value: 'ng' },
      matches: { 'OFAC SDN List': [{ comments: { name: ['Zoë Ng'], offense: ['SDN'] } }] },
      'a/b~c': { email: 'x@example.org' },
    });
    expect(kept).toEqual({
      kyc: { fieldValidations: { firstName: 0.99, dob: 0.01 } },
      decision: { value: 'ng' },
      matches: { 'OFAC SDN List': [{ comments: { offense: ['SDN'] } }] },
      'a/b~c': {},
    });
    expect(omitted).toEqual([
      '/result/documentData',
      '/result/matches/OFAC SDN List/0/comments/name',
      '/result/a~1b~0c/email',
    ]);
  });

  it('a stored "__proto__" key stays a plain key', () => {
    const { kept } = scrub(JSON.parse('{"__proto__": {"polluted": 1}, "x": "ok"}'));
    expect(Object.getPrototypeOf(kept)).toBe(Object.prototype);
    expect(Object.keys(kept as object)).toEqual(['__proto__', 'x']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
