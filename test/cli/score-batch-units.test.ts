import { describe, expect, it } from 'vitest';
import { BitSet } from '../../src/cli/batch/bit-set.js';
import { ColumnResolver, parseMapFlags, toIdPlusInput } from '../../src/cli/batch/field-map.js';
import { parseRate, RateLimiter } from '../../src/cli/batch/rate-limiter.js';

/** A clock that only moves when a sleeper asks it to: call starts are exact, whatever the machine's load. */
function fakeClock() {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
  };
}

describe('score-batch rate limiter', () => {
  it('parses rates', () => {
    expect(parseRate('10/s')).toBe(100);
    expect(parseRate('600/min')).toBe(100);
    expect(parseRate('4')).toBe(250);
    expect(parseRate('0')).toBe(0);
    expect(() => parseRate('fast')).toThrow('--rate fast');
  });

  it('spaces starts by the interval: never more than the rate in any second', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(parseRate('10/s'), clock);
    const starts: number[] = [];
    for (let i = 0; i < 35; i++) {
      await limiter.acquire();
      starts.push(clock.now());
    }
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBe(100);
    for (const t of starts)
      expect(starts.filter((s) => s >= t && s < t + 1_000)).toHaveLength(
        Math.min(10, starts.filter((s) => s >= t).length),
      );
  });

  it('holds every call back after a 429 for Retry-After', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(0, clock);
    await limiter.acquire();
    limiter.pauseFor(2_000);
    await limiter.acquire();
    expect(clock.now()).toBe(2_000);
  });
});

describe('score-batch column mapping', () => {
  it('maps obvious names, --map wins, column=- ignores', () => {
    const resolver = new ColumnResolver(parseMapFlags(['Birth Day=dob', 'email=-']));
    const record = {
      first_name: 'Ann',
      given_name: undefined,
      'Last Name': 'Lee',
      'Birth Day': '1990-01-31',
      SSN: '123-45-6789',
      email: 'a@example.com',
      postal_code: '10001',
      phone: '3475550100',
      street: '1 Main St',
      CustomerUserId: 'u-1',
      notes: 'x',
      consent: 'true',
    };
    expect(toIdPlusInput(record, resolver, ['kyc'])).toEqual({
      modules: ['kyc'],
      firstName: 'Ann',
      surName: 'Lee',
      dob: '1990-01-31',
      nationalId: '123-45-6789',
      zip: '10001',
      mobileNumber: '3475550100',
      physicalAddress: '1 Main St',
      customerUserId: 'u-1',
    });
    expect([...resolver.ignored].sort()).toEqual(['consent', 'email', 'notes']);
  });

  it('two columns for one field is a usage error naming both', () => {
    const resolver = new ColumnResolver(new Map());
    expect(() => resolver.checkHeader(['first_name', 'given_name'])).toThrow(
      'columns "first_name" and "given_name" both map to firstName',
    );
    expect(() => parseMapFlags(['a=lastName'])).toThrow('"lastName" is not an ID+ input');
  });
});

describe('BitSet', () => {
  it('adds, deletes and lists row numbers', () => {
    const s = new BitSet();
    for (const n of [3, 70_000, 8, 3]) s.add(n);
    s.delete(8);
    expect(s.size).toBe(2);
    expect([...s.values()]).toEqual([3, 70_000]);
    expect(s.has(70_000) && !s.has(8)).toBe(true);
  });
});
