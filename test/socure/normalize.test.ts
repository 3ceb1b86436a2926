import { describe, expect, it } from 'vitest';
import {
  normalizeCountry,
  normalizeDob,
  normalizeEmail,
  normalizeMobileNumber,
  normalizeNationalId,
  normalizeState,
  normalizeZip,
} from '../../src/socure/normalize.js';

const TODAY = new Date('2025-06-15T12:00:00Z');

describe('normalizeDob', () => {
  it.each([
    ['1975-04-02', '1975-04-02'],
    ['1975/04/02', '1975-04-02'],
    ['19750402', '1975-04-02'],
    ['04/02/1975', '1975-04-02'],
    ['4/2/1975', '1975-04-02'],
    ['  1975-04-02  ', '1975-04-02'],
    ['2000-02-29', '2000-02-29'],
  ])('accepts %j as %s', (input, wire) => {
    expect(normalizeDob(input, TODAY)).toBe(wire);
  });

  it.each([
    '2023-02-30',
    '2023-02-29',
    '1900-02-29',
    '1975-13-01',
    '1975-00-10',
    '1975-04-31',
    '13/01/1975',
    '02/30/1975',
    '1899-12-31',
  ])('refuses the impossible or implausible date %j', (input) => {
    expect(normalizeDob(input, TODAY)).toBeUndefined();
  });

  it('refuses future dates and accepts today', () => {
    expect(normalizeDob('2025-06-16', TODAY)).toBeUndefined();
    expect(normalizeDob('2030-01-01', TODAY)).toBeUndefined();
    expect(normalizeDob('2025-06-15', TODAY)).toBe('2025-06-15');
  });

  it('uses the real clock by default', () => {
    const nextYear = new Date().getUTCFullYear() + 1;
    expect(normalizeDob(`${nextYear}-01-01`)).toBeUndefined();
    expect(normalizeDob('1975-04-02')).toBe('1975-04-02');
  });

  it.each([
    '',
    'garbage',
    'April 2 1975',
    '1975-4-2',
    '75-04-02',
    '1975-04-02T00:00:00Z',
    '197504021',
    '02.04.1975',
  ])('refuses garbage %j', (input) => {
    expect(normalizeDob(input, TODAY)).toBeUndefined();
  });
});

describe('normalizeMobileNumber', () => {
  it.each([
    ['+13475550100', '+13475550100'],
    ['+1 347 555 0100', '+13475550100'],
    ['+1-347-555-0100', '+13475550100'],
    ['+1 (347) 555-0100', '+13475550100'],
    ['(347) 555-0100', '+13475550100'],
    ['347.555.0100', '+13475550100'],
    ['3475550100', '+13475550100'],
    ['13475550100', '+13475550100'],
    ['0044 20 7946 0958', '+442079460958'],
    ['+44 20 7946 0958', '+442079460958'],
    [' +33 6 12 34 56 78 ', '+33612345678'],
  ])('normalises %j to %s', (input, e164) => {
    expect(normalizeMobileNumber(input)).toBe(e164);
  });

  it.each([
    ['too short', '+123456'],
    ['too long (16 digits)', '+1234567890123456'],
    ['7 local digits', '555-0100'],
    ['leading zero after +', '+0123456789'],
    ['letters', '+1 347 FLOWERS'],
    ['empty', ''],
    ['only a plus', '+'],
    ['11 digits not starting with 1', '23475550100'],
  ])('refuses %s (%j)', (_why, input) => {
    expect(normalizeMobileNumber(input)).toBeUndefined();
  });

  it('does not turn a 10-digit national number starting with 0 into a bogus +1 number', () => {
    // North American area codes start with 2-9; "0612345678" is a French mobile in national form.
    expect(normalizeMobileNumber('0612345678')).toBeUndefined();
    expect(normalizeMobileNumber('1234567890')).toBeUndefined();
  });
});

describe('normalizeCountry', () => {
  it.each([
    ['US', 'US'],
    ['us', 'US'],
    [' gb ', 'GB'],
  ])('normalises %j to %s', (input, out) => {
    expect(normalizeCountry(input)).toBe(out);
  });

  it.each(['USA', 'U', '', 'U1', 'U S', 'United States'])('refuses %j', (input) => {
    expect(normalizeCountry(input)).toBeUndefined();
  });
});

describe('normalizeNationalId', () => {
  it.each([
    ['400013784', '400013784'],
    ['400-01-3784', '400013784'],
    ['400 01 3784', '400013784'],
    ['3784', '3784'],
    [' 3784 ', '3784'],
  ])('normalises %j to %s', (input, out) => {
    expect(normalizeNationalId(input)).toBe(out);
  });

  it.each(['123', '12345', '12345678', '1234567890', '400-01-378', 'abcd', '40001378x', ''])(
    'refuses %j',
    (input) => {
      expect(normalizeNationalId(input)).toBeUndefined();
    },
  );
});

describe('normalizeZip', () => {
  it.each([
    ['38012', 'US', '38012'],
    [' 38012 ', 'US', '38012'],
    ['38012-1234', 'US', '38012-1234'],
    ['380121234', 'US', '38012-1234'],
    ['38012 1234', 'US', '38012-1234'],
    ['38012', undefined, '38012'],
  ])('US: %j (country %s) → %s', (input, country, out) => {
    expect(normalizeZip(input, country)).toBe(out);
  });

  it.each(['3801', '380123', '38012-123', '38012-12345', 'ABCDE', '', '38O12'])('US: refuses %j', (input) => {
    expect(normalizeZip(input, 'US')).toBeUndefined();
  });

  it('applies US rules when no country is given', () => {
    expect(normalizeZip('SW1A 1AA', undefined)).toBeUndefined();
  });

  it('only trims non-US postcodes', () => {
    expect(normalizeZip(' SW1A 1AA ', 'GB')).toBe('SW1A 1AA');
    expect(normalizeZip('75001', 'FR')).toBe('75001');
    expect(normalizeZip('K1A 0B1', 'CA')).toBe('K1A 0B1');
    expect(normalizeZip('   ', 'GB')).toBeUndefined();
  });
});

describe('normalizeState', () => {
  it.each([
    ['TN', 'TN'],
    ['ny', 'NY'],
    [' ca ', 'CA'],
    ['US-CA', 'CA'],
    ['au-nsw', 'NSW'],
  ])('normalises %j to %s', (input, out) => {
    expect(normalizeState(input)).toBe(out);
  });

  it.each(['', 'New York', 'N.Y.', 'ABCD', 'US-'])('refuses %j', (input) => {
    expect(normalizeState(input)).toBeUndefined();
  });
});

describe('normalizeEmail', () => {
  it.each([
    ['dwayne.denver@example.com', 'dwayne.denver@example.com'],
    ['  a+tag@sub.example.co.uk ', 'a+tag@sub.example.co.uk'],
  ])('accepts %j', (input, out) => {
    expect(normalizeEmail(input)).toBe(out);
  });

  it.each(['', 'plainaddress', 'a@b', '@example.com', 'a b@example.com', 'a@@example.com', 'a@example .com'])(
    'refuses %j',
    (input) => {
      expect(normalizeEmail(input)).toBeUndefined();
    },
  );

  it('refuses addresses longer than 254 characters', () => {
    const local = 'a'.repeat(64);
    const long = `${local}@${'b'.repeat(190)}.com`;
    expect(long.length).toBeGreaterThan(254);
    expect(normalizeEmail(long)).toBeUndefined();
    const ok = `${local}@${'b'.repeat(150)}.com`;
    expect(normalizeEmail(ok)).toBe(ok);
  });
});
