/**
 * Normalisers for the fields where Socure is strict. Each returns the wire form, or undefined
 * when the value cannot be normalised (the caller reports the field).
 */

// Hoisted: a regex literal inside a function is a new RegExp object on every call. None of them is
// sticky, and the global ones only go to replace(), which starts from lastIndex 0 each time.
const ISO_DATE = /^(\d{4})[-/]?(\d{2})[-/]?(\d{2})$/;
const US_DATE = /^(\d{1,2})[-/](\d{1,2})[-/](\d{4})$/;
const PHONE_SEPARATORS = /[\s().-]/g;
const NANP_10 = /^[2-9]\d{9}$/;
const NANP_11 = /^1[2-9]\d{9}$/;
const E164_DIGITS = /^[1-9]\d{6,14}$/;
const ALPHA2 = /^[A-Z]{2}$/;
const ID_SEPARATORS = /[\s-]/g;
const SSN_DIGITS = /^(\d{4}|\d{9})$/;
const US_ZIP = /^(\d{5})(?:[-\s]?(\d{4}))?$/;
const COUNTRY_PREFIX = /^[A-Z]{2}-/;
const SUBDIVISION = /^[A-Z0-9]{1,3}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Date of birth to YYYY-MM-DD. Accepts YYYY-MM-DD, YYYY/MM/DD, YYYYMMDD and US MM/DD/YYYY. */
export function normalizeDob(value: string, today?: Date): string | undefined {
  const v = value.trim();
  let m = ISO_DATE.exec(v);
  let y: number;
  let mo: number;
  let d: number;
  if (m) {
    y = Number(m[1]);
    mo = Number(m[2]);
    d = Number(m[3]);
  } else {
    m = US_DATE.exec(v);
    if (!m) return undefined;
    mo = Number(m[1]);
    d = Number(m[2]);
    y = Number(m[3]);
  }
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d)
    return undefined;
  // `today` defaults to now (read as a number: no Date allocated per call).
  if (y < 1900 || date.getTime() > (today === undefined ? Date.now() : today.getTime())) return undefined;
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)}`;
}

/**
 * Mobile number to E.164. Spaces, dots, hyphens and brackets are dropped; a bare 10-digit number
 * (or 11 digits starting with 1) is taken as North American, which is what Socure's US customers send.
 */
export function normalizeMobileNumber(value: string): string | undefined {
  const v = value.trim().replace(PHONE_SEPARATORS, '');
  let digits: string;
  if (v.startsWith('+')) digits = v.slice(1);
  else if (v.startsWith('00')) digits = v.slice(2);
  // North American area codes never start with 0 or 1, so `0612345678` is not taken for a US number.
  else if (NANP_10.test(v)) digits = `1${v}`;
  else if (NANP_11.test(v)) digits = v;
  else return undefined;
  return E164_DIGITS.test(digits) ? `+${digits}` : undefined;
}

/** Country to upper-case ISO 3166-1 alpha-2. */
export function normalizeCountry(value: string): string | undefined {
  const v = value.trim().toUpperCase();
  return ALPHA2.test(v) ? v : undefined;
}

/** National id (SSN / ITIN) to digits only: 9 digits, or the last 4. */
export function normalizeNationalId(value: string): string | undefined {
  const v = value.trim().replace(ID_SEPARATORS, '');
  return SSN_DIGITS.test(v) ? v : undefined;
}

/** US ZIP: 5 digits or ZIP+4 (hyphen optional); other countries' postcodes are only trimmed. */
export function normalizeZip(value: string, country: string | undefined): string | undefined {
  const v = value.trim();
  if (country !== undefined && country !== 'US') return v === '' ? undefined : v;
  const m = US_ZIP.exec(v);
  if (!m) return undefined;
  return m[2] ? `${m[1]}-${m[2]}` : m[1];
}

/** State / province: ISO 3166-2 subdivision code without the country prefix, upper-case. */
export function normalizeState(value: string): string | undefined {
  const v = value.trim().toUpperCase().replace(COUNTRY_PREFIX, '');
  return SUBDIVISION.test(v) ? v : undefined;
}

export function normalizeEmail(value: string): string | undefined {
  const v = value.trim();
  return EMAIL.test(v) && v.length <= 254 ? v : undefined;
}
