import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SocureInputError } from '../../src/socure/errors.js';
import { buildIdPlusRequest, type IdPlusRequest } from '../../src/socure/idplus/request.js';
import {
  normalizeCountry,
  normalizeDob,
  normalizeEmail,
  normalizeMobileNumber,
  normalizeNationalId,
  normalizeState,
  normalizeZip,
} from '../../src/socure/normalize.js';
import { guardPath } from '../../src/socure/path-guard.js';
import { CLEAN_PERSON } from '../sandbox/helpers.js';
import { json, jsonText, mutatedJson, objectText, oddString } from './arbitraries.js';
import { FUZZ_TIMEOUT_MS, fuzz } from './settings.js';
import { returnsOrThrows } from './typed-errors.js';

/**
 * The client's request normalisation (src/socure/normalize.ts), the ID+ request builder and the custom-call
 * path guard, on generated input: a value or SocureInputError (SocureModuleRuleError extends it), never a
 * TypeError or RangeError; and a normalised value normalises to itself.
 */
const CASES = { normalize: 2_000, idPlus: 1_500, path: 800 };

const NORMALIZERS: Record<string, (v: string) => string | undefined> = {
  dob: (v) => normalizeDob(v),
  mobileNumber: normalizeMobileNumber,
  country: normalizeCountry,
  nationalId: normalizeNationalId,
  zip: (v) => normalizeZip(v, 'US'),
  foreignZip: (v) => normalizeZip(v, 'GB'),
  state: normalizeState,
  email: normalizeEmail,
};

/** Strings near each normaliser's accepted forms, plus anything. */
const nearValid = fc.oneof(
  oddString,
  fc.stringMatching(/^[\d\s()+./-]{0,20}$/),
  fc.stringMatching(/^\s?\d{1,4}[-/]?\d{1,2}[-/]?\d{1,4}\s?$/),
  fc.stringMatching(/^[A-Za-z]{2}(-[A-Za-z0-9]{1,4})?$/),
  fc.stringMatching(/^[a-z.+]{1,10}@[a-z]{1,10}\.[a-z]{2,5}$/),
);

const ODD_JS_VALUES: unknown[] = [
  undefined,
  null,
  0,
  -1,
  Number.NaN,
  true,
  [],
  {},
  { toString: 1 },
  Symbol('x'),
  () => 1,
];

describe('fuzz: Socure request parsers', () => {
  it(
    `normalisers: ${CASES.normalize} strings each, never throw, idempotent`,
    () => {
      fc.assert(
        fc.property(nearValid, (v) => {
          for (const [name, normalize] of Object.entries(NORMALIZERS)) {
            const out = normalize(v);
            if (out === undefined) continue;
            expect(typeof out, name).toBe('string');
            expect(normalize(out), `${name}(${JSON.stringify(out)})`).toBe(out);
          }
        }),
        fuzz(CASES.normalize),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    `buildIdPlusRequest: ${CASES.idPlus} requests (JSON of odd shapes, odd JS values), a value or SocureInputError`,
    () => {
      const base = { modules: ['kyc', 'fraud', 'decision'], customerUserId: 'cu', ...CLEAN_PERSON };
      const fields = Object.fromEntries(
        [
          ...Object.keys(base),
          'dob',
          'geocode',
          'ipAddress',
          'orderAmount',
          'prevOrderCount',
          'payments',
        ].map((k) => [k, jsonText]),
      );
      const text = fc.oneof(
        mutatedJson(base),
        objectText({
          ...fields,
          modules: json(['kyc'], ['devicerisk'], ['decision'], 'kyc', ['KYC ', 'kyc']),
        }),
        jsonText,
      );
      // Generated as JSON text and parsed in the property: fast-check prints the text of a counterexample
      // (printing 20,000 nested arrays themselves would overflow its stack).
      const input = fc.oneof(
        { weight: 9, arbitrary: text },
        {
          weight: 1,
          arbitrary: fc.tuple(fc.constantFrom(...Object.keys(fields)), fc.constantFrom(...ODD_JS_VALUES)),
        },
      );
      fc.assert(
        fc.property(input, (generated) => {
          const req =
            typeof generated === 'string' ? JSON.parse(generated) : { ...base, [generated[0]]: generated[1] };
          const wire = returnsOrThrows(
            () => buildIdPlusRequest(req as IdPlusRequest),
            [SocureInputError],
            req,
          );
          if (wire) expect(Array.isArray(wire.modules)).toBe(true);
        }),
        fuzz(CASES.idPlus),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    `guardPath (custom calls): ${CASES.path} paths, a path on the base URL or SocureInputError`,
    () => {
      const path = fc.oneof(
        oddString,
        fc.stringMatching(/^\/[\w./%@\\:?#-]{0,30}$/),
        fc.constantFrom('//evil.example/x', '/a/../b', '/%2e%2e/x', 'http://x/y', '/a?b=1?c', '/%E0%A4%A'),
      );
      fc.assert(
        fc.property(path, (p) => {
          const out = returnsOrThrows(() => guardPath(p), [SocureInputError], p);
          if (out) {
            expect(out.path.startsWith('/') && !out.path.startsWith('//')).toBe(true);
            expect(out.path).not.toMatch(/\\|#|(^|\/)\.\.?(\/|$)/);
          }
        }),
        fuzz(CASES.path),
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
