import { describe, expect, it } from 'vitest';
import { BoundedCounter } from '../../src/sandbox/bounded-counter.js';
import { createFaultDrawer } from '../../src/sandbox/faults.js';
import { Context, type RiskArea } from '../../src/sandbox/idplus/context.js';
import { magicFaultOf } from '../../src/sandbox/idplus/magic.js';
import { isInvalidSsn } from '../../src/sandbox/idplus/signals.js';
import type { DocumentVerificationBlock } from '../../src/sandbox/idplus/types.js';
import { validateIdPlusRequest } from '../../src/sandbox/idplus/validate.js';
import { evaluateIdPlus, MAGIC_INPUTS, parseDuration, parseFaultSpec } from '../../src/sandbox/index.js';
import { DEFAULT_SANDBOX_KEYS, resolveKeys } from '../../src/sandbox/keys.js';
import { sha256Hex, sha256Unit } from '../../src/sandbox/sha256.js';
import { CLEAN_PERSON } from './helpers.js';

describe('parseFaultSpec', () => {
  it('parses the documented example', () => {
    expect(parseFaultSpec('429:0.1,500:0.05,503:0.02,reset:0.01,slow:0.01,malformed:0.01')).toEqual({
      429: 0.1,
      500: 0.05,
      503: 0.02,
      reset: 0.01,
      slow: 0.01,
      malformed: 0.01,
    });
    expect(parseFaultSpec(' 503 : 0.5 , ')).toEqual({ 503: 0.5 });
    expect(parseFaultSpec('')).toEqual({});
  });
  it.each([
    ['404:0.1', /"404:0\.1".*unknown kind "404"/],
    ['429', /"429".*<kind>:<rate>/],
    ['429:abc', /"429:abc".*from 0 to 1/],
    ['429:1.5', /"429:1\.5".*from 0 to 1/],
    ['429:0.1,429:0.2', /"429:0\.2".*twice/],
    ['429:0.6,500:0.6', /add up to 1\.2/],
  ])('rejects %s naming the bad item', (spec, message) => {
    expect(() => parseFaultSpec(spec)).toThrow(message);
  });
});

describe('parseDuration', () => {
  it.each([
    ['50ms', 50],
    ['2s', 2000],
    ['1.5s', 1500],
    ['150', 150],
    [' 0 ', 0],
    ['10 MS', 10],
  ])('%s → %d ms', (spec, ms) => expect(parseDuration(spec)).toBe(ms));
  it.each(['', 'fast', '-5ms', '5m', '1e3', 'ms'])('rejects %j', (spec) => {
    expect(() => parseDuration(spec)).toThrow(/Invalid duration/);
  });
});

describe('fault drawer', () => {
  it('is reproducible for a seed and close to the rates', () => {
    const rates = { 429: 0.2, 503: 0.1 };
    const a = createFaultDrawer(rates, 42);
    const b = createFaultDrawer(rates, 42);
    const draws = Array.from({ length: 5000 }, () => a());
    expect(Array.from({ length: 5000 }, () => b())).toEqual(draws);
    const share = (k: string) => draws.filter((d) => d === k).length / draws.length;
    expect(share('429')).toBeGreaterThan(0.17);
    expect(share('429')).toBeLessThan(0.23);
    expect(share('503')).toBeGreaterThan(0.08);
    expect(share('503')).toBeLessThan(0.12);
    expect(share('500')).toBe(0);
  });
  it('refuses rates above 1 in total', () => {
    expect(() => createFaultDrawer({ 429: 0.7, 500: 0.7 })).toThrow(/add up to/);
  });
});

describe('BoundedCounter', () => {
  it('counts and forgets the oldest key past its cap', () => {
    const c = new BoundedCounter(3);
    c.increment('a');
    c.increment('a');
    for (const k of ['b', 'c', 'd']) c.increment(k);
    expect(c.size).toBe(3);
    expect(c.get('a')).toBe(0);
    expect(c.get('d')).toBe(1);
  });
});

describe('keys', () => {
  it('applies overrides and refuses reused keys', () => {
    const keys = resolveKeys({ production: { idPlusKey: 'prod-key' } });
    expect(keys.production).toEqual({
      idPlusKey: 'prod-key',
      sdkKey: DEFAULT_SANDBOX_KEYS.production.sdkKey,
      riskOsKey: DEFAULT_SANDBOX_KEYS.production.riskOsKey,
    });
    expect(keys.sandbox).toEqual(DEFAULT_SANDBOX_KEYS.sandbox);
    expect(() => resolveKeys({ production: { idPlusKey: DEFAULT_SANDBOX_KEYS.sandbox.idPlusKey } })).toThrow(
      /production\.idPlusKey is already used/,
    );
    expect(() => resolveKeys({ certification: { sdkKey: ' ' } })).toThrow(/non-empty/);
  });
});

describe('magic customerUserId faults', () => {
  it.each([
    ['fault-429', { kind: '429', times: undefined }],
    ['FAULT-503-x2-run7', { kind: '503', times: 2 }],
    ['fault-reset-anything-here', { kind: 'reset', times: undefined }],
    ['fault-badscore-x1', { kind: 'badscore', times: 1 }],
    ['fault-503-xylophone', { kind: '503', times: undefined }],
  ])('%s', (id, expected) => expect(magicFaultOf(id)).toEqual(expected));
  it.each(['fault-404', 'my-fault-429', 'fault-429x', undefined])('%s is not magic', (id) => {
    expect(magicFaultOf(id)).toBeUndefined();
  });
  it('every magic value is documented', () => {
    const values = MAGIC_INPUTS.map((m) => `${m.field}=${m.value}`);
    for (const v of [
      'surName=Sanctioned',
      'surName=Politician',
      'mobileNumber=+15555550100',
      'customerUserId=fault-reset',
    ]) {
      expect(values).toContain(v);
    }
  });
});

describe('SSN validity', () => {
  it.each(['000123456', '666123456', '900123456', '999123456', '123006789', '123450000'])(
    '%s is invalid',
    (s) => expect(isInvalidSsn(s)).toBe(true),
  );
  it.each(['523456789', '078051120', '400013784', '6789'])('%s is not flagged', (s) =>
    expect(isInvalidSsn(s)).toBe(false),
  );
});

describe('engine', () => {
  it('is pure: the same input gives the same result, case and spacing aside', () => {
    const v1 = validateIdPlusRequest({ modules: ['kyc', 'fraud', 'emailrisk', 'decision'], ...CLEAN_PERSON });
    const v2 = validateIdPlusRequest({
      modules: ['KYC', 'fraud', 'emailrisk', 'decision'],
      ...CLEAN_PERSON,
      firstName: ' MARIA ',
      surName: 'lopez',
      nationalId: '523456789',
    });
    if (!v1.ok || !v2.ok) throw new Error('expected valid input');
    const r1 = evaluateIdPlus(v1.input);
    expect(evaluateIdPlus(v1.input)).toEqual(r1);
    expect(evaluateIdPlus(v2.input).fraud).toEqual(r1.fraud);
  });
  it('gives different people different scores, mostly low risk', () => {
    const scores = new Set<number>();
    let low = 0;
    const n = 200;
    for (let i = 0; i < n; i++) {
      const v = validateIdPlusRequest({ modules: ['fraud'], ...CLEAN_PERSON, firstName: `Person${i}` });
      if (!v.ok) throw new Error(v.msg);
      const s = evaluateIdPlus(v.input).fraud!.scores[0]!.score;
      scores.add(s);
      if (s <= 0.35) low++;
    }
    // ~330 possible low scores at 3 decimals, so some people share one.
    expect(scores.size).toBeGreaterThan(n * 0.5);
    expect(low / n).toBeGreaterThan(0.85);
  });
  it('lets a DocV source be plugged in', () => {
    const v = validateIdPlusRequest({
      modules: ['documentverification', 'decision'],
      docvTransactionToken: 't-1',
    });
    if (!v.ok) throw new Error(v.msg);
    const stubbed = evaluateIdPlus(v.input);
    const block = stubbed.documentVerification as DocumentVerificationBlock;
    expect(block.decision.value).toBe('accept');
    expect(stubbed.decision?.value).toBe('accept');
    const rejected = evaluateIdPlus(v.input, {
      documentVerification: () => ({
        ...block,
        reasonCodes: ['R827'],
        decision: { name: 'standard', value: 'reject' },
      }),
    });
    expect(rejected.decision?.value).toBe('reject');
  });
});

describe('sha256Unit', () => {
  it('is the first 12 hex digits of the digest over 2^48, exactly', () => {
    const texts = ['', 'a', 'score:fraud\u0000dwayne\u0000denver', 'é漢字😀 \t\n', 'x'.repeat(300)];
    for (let i = 0; i < 200; i++) texts.push(`band:email\u0000person-${i}\u0000${i * 7919}`);
    for (const text of texts) {
      expect(sha256Unit(text)).toBe(Number.parseInt(sha256Hex(text).slice(0, 12), 16) / 2 ** 48);
    }
  });
});

describe('Context', () => {
  const AREAS: RiskArea[] = ['fraud', 'synthetic', 'email', 'phone', 'address', 'device'];
  const inputs = [
    { modules: ['fraud'], ...CLEAN_PERSON, deviceSessionId: 'dev-1' },
    { modules: ['fraud'], ...CLEAN_PERSON, surName: 'Reject', deviceSessionId: 'risky-device' },
    { modules: ['fraud'], ...CLEAN_PERSON, surName: 'Synthetic', email: 'x@mailinator.com' },
  ];
  it('rates each area on first use, the same whichever area is read first', () => {
    for (const body of inputs) {
      const v = validateIdPlusRequest(body);
      if (!v.ok) throw new Error(v.msg);
      const forward = new Context(v.input);
      const rated = AREAS.map((a) => [forward.band(a), forward.score(a)]);
      const backward = new Context(v.input);
      const reversed = [...AREAS].reverse().map((a) => [backward.score(a), backward.band(a)]);
      expect(reversed.reverse().map(([s, b]) => [b, s])).toEqual(rated);
      // Read again: the memoised values, not another rating.
      expect(AREAS.map((a) => [forward.band(a), forward.score(a)])).toEqual(rated);
    }
  });
});
