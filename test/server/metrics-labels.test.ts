/** The label values metrics use: patterns and fixed sets, never an id (see src/server/metrics/labels.ts). */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventTypeLabel, socureEndpointLabel, socureErrorKind } from '../../src/server/metrics/labels.js';
import { SocureConnectionError, SocureTimeoutError } from '../../src/socure/errors.js';

describe('socureEndpointLabel', () => {
  it.each([
    ['/api/3.0/EmailAuthScore', '/api/3.0/EmailAuthScore'],
    ['/api/5.0/documents/request', '/api/5.0/documents/request'],
    ['/api/3.0/reasoncodes?group=true', '/api/3.0/reasoncodes'],
    ['/api/evaluation', '/api/evaluation'],
    [`/api/evaluation/${randomUUID()}`, '/api/evaluation/:id'],
    ['/api/evaluation/eval_8f1c2d3e4a5b', '/api/evaluation/:id'],
    ['/api/evaluation/eval_abcdef', '/api/evaluation/:id'],
    ['/api/evaluation/abc123.def~x/state', '/api/evaluation/:id/state'],
    ['/api/3.0/documents/1234567890', '/api/3.0/documents/:id'],
    ['/a/b/c/d/e/f/g/h', '/a/b/c/d/e/f'],
  ])('%s → %s', (path, label) => {
    expect(socureEndpointLabel(path)).toBe(label);
  });
});

describe('socureErrorKind', () => {
  it.each([
    [200, 'none'],
    [201, 'none'],
    [400, 'bad_request'],
    [401, 'authentication'],
    [403, 'permission'],
    [404, 'not_found'],
    [409, 'client'],
    [429, 'rate_limited'],
    [500, 'server'],
    [503, 'server'],
  ])('HTTP %i → %s', (status, kind) => {
    expect(socureErrorKind({ status })).toBe(kind);
  });

  it('tells a timeout from a connection failure when no answer came', () => {
    expect(socureErrorKind({ status: null }, new SocureTimeoutError('late'))).toBe('timeout');
    expect(socureErrorKind({ status: null }, new SocureConnectionError('refused'))).toBe('connection');
    expect(socureErrorKind({ status: null }, new Error('?'))).toBe('other');
  });
});

describe('eventTypeLabel', () => {
  it("keeps Socure's documented event types and folds anything else into `other`", () => {
    expect(eventTypeLabel('VERIFICATION_COMPLETED')).toBe('VERIFICATION_COMPLETED');
    expect(eventTypeLabel('evaluation_completed')).toBe('evaluation_completed');
    expect(eventTypeLabel(`made-up-${randomUUID()}`)).toBe('other');
  });
});
