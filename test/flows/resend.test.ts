/** A wait node's `resend` option: what the loader accepts, and the rate limit's arithmetic. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { capabilities } from '../../src/connector/manifest.js';
import { FlowDefinitionError, parseFlow } from '../../src/flows/index.js';
import { checkResend, resendStateOf, withNewPhone } from '../../src/flows/resend.js';
import { FLOWS_DIR } from './support.js';

const CAPABILITY_IDS = new Set(Object.keys(capabilities));
const smsFlow = () => JSON.parse(readFileSync(join(FLOWS_DIR, 'docv-sms.json'), 'utf8'));

function withResend(resend: unknown) {
  const flow = smsFlow();
  flow.nodes.checkDevice.resend = resend;
  return flow;
}

function refusal(resend: unknown): FlowDefinitionError {
  try {
    parseFlow('docv-sms.json', withResend(resend), CAPABILITY_IDS);
  } catch (err) {
    if (err instanceof FlowDefinitionError) return err;
    throw err;
  }
  throw new Error('the flow was accepted');
}

describe('resend: the flow definition', () => {
  it('the shipped SMS flow offers it, with defaults filled in', () => {
    const flow = parseFlow('docv-sms.json', smsFlow(), CAPABILITY_IDS);
    const wait = flow.nodes.checkDevice;
    expect(wait?.type === 'wait' && wait.resend).toEqual({
      node: 'initiate',
      interval: 30_000,
      max: 5,
      phone: { screen: 'phone', field: 'phoneNumber' },
    });
    const minimal = parseFlow('x.json', withResend({ node: 'initiate' }), CAPABILITY_IDS).nodes.checkDevice;
    expect(minimal?.type === 'wait' && minimal.resend).toEqual({
      node: 'initiate',
      interval: 30_000,
      max: 5,
    });
  });

  it.each([
    [{ node: 'phone' }, 'resend.node', 'not a capability node'],
    [{ node: 'nowhere' }, 'resend.node', 'not a capability node'],
    [
      { node: 'initiate', phone: { screen: 'initiate', field: 'phoneNumber' } },
      'resend.phone.screen',
      'not a screen',
    ],
    [{ node: 'initiate', phone: { screen: 'phone', field: 'email' } }, 'resend.phone.field', 'no tel field'],
  ])('refuses %j, naming %s', (resend, field, why) => {
    const err = refusal(resend);
    expect(err.message).toContain('checkDevice');
    expect(err.message).toContain(field);
    expect(err.message).toContain(why);
  });

  it('refuses a limit out of range and an unknown option', () => {
    expect(refusal({ node: 'initiate', max: 0 }).message).toContain('max');
    expect(refusal({ node: 'initiate', every: '10s' }).message).toContain('every');
  });
});

describe('resend: the limits', () => {
  const options = { node: 'initiate', interval: 30_000, max: 2 };
  it('counts the interval from the wait, then from each send, and stops at max', () => {
    const fresh = resendStateOf({}, 'checkDevice', 1_000);
    expect(fresh).toEqual({ count: 0, lastAt: 1_000 });
    expect(checkResend(options, fresh, 30_999)).toEqual({ refused: 'too-soon', retryAt: 31_000 });
    expect(checkResend(options, fresh, 31_000)).toBeUndefined();
    const sent = resendStateOf({ _resend_checkDevice: { count: 1, lastAt: 40_000 } }, 'checkDevice', 1_000);
    expect(checkResend(options, sent, 69_999)).toEqual({ refused: 'too-soon', retryAt: 70_000 });
    expect(checkResend(options, { count: 2, lastAt: 0 }, 1e9)).toEqual({ refused: 'limit' });
  });

  it('checks a new number like the form field, keeping the rest of the screen output', () => {
    const field = {
      name: 'phoneNumber',
      label: 'Mobile',
      type: 'tel' as const,
      required: false,
      maxLength: 30,
    };
    expect(withNewPhone(field, { phoneNumber: '+1 1', other: 'x' }, ' +1 415 555 0100 ')).toEqual({
      output: { phoneNumber: '+1 415 555 0100', other: 'x' },
    });
    expect(withNewPhone(field, {}, '')).toEqual({ error: { code: 'required' } });
    expect(withNewPhone(field, {}, 'call me')).toEqual({ error: { code: 'tel' } });
    expect(withNewPhone(field, {}, { toString: 1 })).toEqual({ error: { code: 'mustBeText' } });
  });
});
