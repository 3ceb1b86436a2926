import { isIP } from 'node:net';
import { z } from 'zod';
import { stringThen } from '../shared/length-checks.js';
import {
  normalizeCountry,
  normalizeDob,
  normalizeEmail,
  normalizeMobileNumber,
  normalizeNationalId,
  normalizeState,
} from './normalize.js';

/** A string normalised by `fn`; the issue message says what form is expected. */
export const normalized = (fn: (v: string) => string | undefined, expected: string) =>
  z.string().transform((v, ctx) => {
    const out = fn(v);
    if (out === undefined) {
      // Never the value: it is personal (an SSN typo must not reach a banner, an output or a log).
      ctx.addIssue({ code: 'custom', message: expected });
      return z.NEVER;
    }
    return out;
  });

/** Non-empty trimmed text of bounded length (its length measured only once it is known to be a string). */
export const text = (max = 255) =>
  stringThen(z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`));

/** Socure echoes `customerUserId` as sent; it is sent as a string of at most 100 characters. */
export const customerUserIdField = () => z.union([z.string(), z.number()]).transform(String).pipe(text(100));

// The fields Socure is strict about, one definition each for every client (ID+, DocV, RiskOS), so a value
// is normalised and refused the same way whichever API it goes to.

export const nationalIdField = () =>
  normalized(normalizeNationalId, 'expected a 9-digit SSN/ITIN or its last 4 digits');

export const dobField = () => normalized(normalizeDob, 'expected a past date as YYYY-MM-DD');

export const emailField = () => normalized(normalizeEmail, 'expected an e-mail address');

export const mobileNumberField = () =>
  normalized(normalizeMobileNumber, 'expected a phone number in E.164, e.g. +13475550100');

export const stateField = () =>
  normalized(normalizeState, 'expected a state or subdivision code such as "NY"');

export const countryField = () =>
  normalized(normalizeCountry, 'expected a two-letter ISO 3166-1 country code such as "US"');

export const ipAddressField = () =>
  z
    .string()
    .trim()
    .refine((v) => isIP(v) !== 0, 'expected an IPv4 or IPv6 address');
