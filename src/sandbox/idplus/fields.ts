/**
 * The sandbox's own field checks, written from socure-api.md §2.1 and deliberately independent of the
 * client's normalisers: the emulator must catch what a buggy client lets through.
 * Each check returns the canonical value, or an error text naming the expected form.
 */
export type FieldCheck = (
  value: string,
  body: Record<string, unknown>,
) => { value: string } | { error: string };

// Hoisted: a regex literal inside a function is a new RegExp object on every call.
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const SSN_DIGITS = /^(\d{4}|\d{9})$/;
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const COUNTRY = /^[A-Za-z]{2}$/;
const US_ZIP = /^\d{5}(-?\d{4})?$/;
const POSTCODE = /^[A-Za-z0-9 -]{2,10}$/;
const HYPHENS = /-/g;
const SEPARATORS = /[\s-]/g;

const ok = (value: string) => ({ value });
const bad = (error: string) => ({ error });

/** `v` is YYYY-MM-DD (checked by the caller). */
function isRealPastDate(v: string): boolean {
  const y = Number(v.slice(0, 4));
  const m = Number(v.slice(5, 7));
  const d = Number(v.slice(8, 10));
  const date = new Date(Date.UTC(y, m - 1, d));
  const real = date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
  return real && y >= 1900 && date.getTime() <= Date.now();
}

const dob: FieldCheck = (v) =>
  DATE.test(v) && isRealPastDate(v) ? ok(v) : bad('expected a real past date as YYYY-MM-DD');

const nationalId: FieldCheck = (v) => {
  const digits = v.replace(HYPHENS, '');
  return SSN_DIGITS.test(digits) ? ok(digits) : bad('expected 9 digits or the last 4, hyphens optional');
};

const email: FieldCheck = (v) =>
  v.length <= 254 && EMAIL.test(v) ? ok(v) : bad('expected an e-mail address such as name@example.com');

// Socure documents E.164; separators (spaces, hyphens) are tolerated, the leading + is not optional.
const mobileNumber: FieldCheck = (v) => {
  const compact = v.replace(SEPARATORS, '');
  return E164.test(compact) ? ok(compact) : bad('expected E.164, e.g. +13475550100');
};

const country: FieldCheck = (v) =>
  COUNTRY.test(v) ? ok(v.toUpperCase()) : bad('expected a 2-letter ISO 3166-1 code such as US');

const zip: FieldCheck = (v, body) => {
  const c = typeof body.country === 'string' ? body.country.trim().toUpperCase() : '';
  if (c === '' || c === 'US') {
    return US_ZIP.test(v) ? ok(v.replace('-', '')) : bad('expected 5 or 9 digits for a US address');
  }
  return POSTCODE.test(v) ? ok(v) : bad('expected a postal code');
};

const maxLength =
  (n: number): FieldCheck =>
  (v) =>
    v.length <= n ? ok(v) : bad(`at most ${n} characters`);

const anyText: FieldCheck = (v) => (v.length <= 1024 ? ok(v) : bad('at most 1024 characters'));

/** Every string input the sandbox reads; fields not listed are accepted and ignored, as Socure does. */
export const STRING_FIELDS: Record<string, FieldCheck> = {
  customerUserId: maxLength(100),
  userId: anyText,
  firstName: anyText,
  middleName: anyText,
  surName: anyText,
  fullName: anyText,
  companyName: anyText,
  dob,
  nationalId,
  email,
  mobileNumber,
  physicalAddress: anyText,
  physicalAddress2: anyText,
  city: anyText,
  state: anyText,
  zip,
  country,
  countryOfOrigin: country,
  ipAddress: anyText,
  userAgent: anyText,
  deviceSessionId: anyText,
  docvTransactionToken: anyText,
  documentUuid: anyText,
  previousReferenceId: maxLength(36),
  consentTimestamp: anyText,
};

export const BOOLEAN_FIELDS = ['returnSignals'] as const;
export const OBJECT_FIELDS = ['payments', 'watchlistFilters'] as const;
