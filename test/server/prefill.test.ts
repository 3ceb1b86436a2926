/**
 * The shipped idplus-score and step-up forms are pre-filled from the session's `input` (`{{input.x}}` defaults),
 * skipped when that input is complete and valid (`skipIfComplete`), and fall back to the stock persona (the
 * fields' `demo` values) only on the embedded sandbox, for a session started without input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSession,
  hiddenValue,
  startRealKeyService,
  startTestService,
  submitScreen,
  type TestService,
  waitForCompletion,
} from './helpers.js';

/** The value a rendered form field holds ('' when empty); undefined when the page has no such field. */
function fieldValue(html: string, name: string): string | undefined {
  const input = new RegExp(`<input [^>]*name="${name}"[^>]*>`).exec(html)?.[0];
  return input === undefined ? undefined : (/ value="([^"]*)"/.exec(input)?.[1] ?? '');
}

const ADA = {
  firstName: 'Adelheid',
  surName: 'Lovelace',
  dob: '1985-12-10',
  nationalId: '512-34-6789',
  email: 'adelheid.lovelace@example.org',
  mobileNumber: '+14155550123',
  physicalAddress: '12 Analytical Row',
  city: 'Marylebone',
  state: 'NY',
  zip: '10001',
  country: 'US',
};

const timelineTypes = async (t: TestService, id: string) =>
  (await t.service.store.listTimeline(id)).map((e) => e.type);

describe('on the embedded sandbox', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('without input: the stock persona and the demo message', async () => {
    for (const flow of ['idplus-score', 'step-up']) {
      const { path } = await createSession(t, { flow, customerUserId: `prefill-demo-${flow}` });
      const page = (await t.http(path)).text;
      expect(fieldValue(page, 'firstName')).toBe('Dwayne');
      expect(fieldValue(page, 'surName')).toBe('Denver');
      expect(fieldValue(page, 'nationalId')).toBe('400-01-3784');
      expect(fieldValue(page, 'country')).toBe('US');
      expect(page).toContain('stock persona');
    }
  });

  it('incomplete input pre-fills the form with it, never mixed with the stock persona', async () => {
    const input = { firstName: 'Adelheid', email: ADA.email, city: ADA.city };
    const { id, path } = await createSession(t, {
      flow: 'idplus-score',
      customerUserId: 'prefill-partial',
      input,
    });
    expect((await t.service.store.getSession(id))!.status).toBe('input');
    const page = (await t.http(path)).text;
    expect(fieldValue(page, 'firstName')).toBe('Adelheid');
    expect(fieldValue(page, 'email')).toBe(ADA.email);
    expect(fieldValue(page, 'city')).toBe(ADA.city);
    expect(fieldValue(page, 'surName')).toBe('');
    expect(fieldValue(page, 'nationalId')).toBe('');
    expect(fieldValue(page, 'country')).toBe('US'); // the flow's own default, not the persona
    expect(page).not.toContain('Dwayne');
    expect(page).not.toContain('stock persona');
    expect(await timelineTypes(t, id)).not.toContain('skipped');
  });

  it('complete, valid input skips the form and reaches the result (idplus-score)', async () => {
    const { id, path } = await createSession(t, {
      flow: 'idplus-score',
      customerUserId: 'prefill-complete',
      input: ADA,
    });
    const session = await waitForCompletion(t, id);
    expect(session).toMatchObject({ outcome: 'verified', nodeId: 'accepted' });
    const data = (await t.service.store.getSessionData(id))!;
    expect(data.outputs.form).toEqual(ADA);
    const types = await timelineTypes(t, id);
    expect(types).toContain('skipped');
    expect(types).not.toContain('screen'); // the form was never shown
    const page = (await t.http(path)).text;
    expect(page).toContain('Decision: accept');
    expect(hiddenValue(page, 'node')).toBeUndefined();
  });

  it('complete input, a number among it, skips the form too (step-up)', async () => {
    const input = { ...ADA, zip: 10001 };
    const { id } = await createSession(t, { flow: 'step-up', customerUserId: 'prefill-step-up', input });
    expect(await waitForCompletion(t, id)).toMatchObject({ outcome: 'verified', nodeId: 'verified' });
    expect(await timelineTypes(t, id)).toContain('skipped');
    expect((await t.service.store.getSessionData(id))!.outputs.form).toEqual(ADA);
  });

  it('invalid input shows the form pre-filled (as typed); correcting it moves on', async () => {
    const { id, path } = await createSession(t, {
      flow: 'idplus-score',
      customerUserId: 'prefill-invalid',
      input: { ...ADA, dob: '12/10/1985' },
    });
    expect((await t.service.store.getSession(id))!.status).toBe('input');
    const page = (await t.http(path)).text;
    expect(fieldValue(page, 'dob')).toBe('12/10/1985');
    expect(fieldValue(page, 'firstName')).toBe('Adelheid');
    expect(fieldValue(page, 'nationalId')).toBe(ADA.nationalId);
    expect((await submitScreen(t, path, { ...ADA, dob: '1985-12-10' })).status).toBe(303);
    expect(await waitForCompletion(t, id)).toMatchObject({ outcome: 'verified' });
  });

  it('skipped, then refused by Socure: back at the form (not skipped again), pre-filled, the field marked', async () => {
    const { id, path } = await createSession(t, {
      flow: 'idplus-score',
      customerUserId: 'prefill-refused',
      input: { ...ADA, country: 'USA' },
    });
    const session = (await t.service.store.getSession(id))!;
    expect(session).toMatchObject({ status: 'input', nodeId: 'form' });
    const types = await timelineTypes(t, id);
    expect(types.filter((x) => x === 'skipped')).toHaveLength(1);
    const page = (await t.http(path)).text;
    expect(fieldValue(page, 'country')).toBe('USA');
    expect(fieldValue(page, 'firstName')).toBe('Adelheid');
    expect(page).toMatch(/class="field-error"[^>]*>Country/);
  });
});

describe('with a real Socure key (a separate sandbox stands in for Socure)', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startRealKeyService({ publicFlows: ['step-up'] });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('without input: empty fields, no stock persona (the API and the public page)', async () => {
    const api = await createSession(t, { flow: 'idplus-score', customerUserId: 'prefill-real-empty' });
    const index = await t.http('/flows/step-up');
    const started = await t.http('/flows/step-up/start', {
      form: { csrf: hiddenValue(index.text, 'csrf')! },
    });
    expect(started.status).toBe(303);
    for (const path of [api.path, String(started.headers.location)]) {
      const page = (await t.http(path)).text;
      for (const name of ['firstName', 'surName', 'dob', 'nationalId', 'email', 'mobileNumber', 'zip'])
        expect(fieldValue(page, name), name).toBe('');
      expect(fieldValue(page, 'country')).toBe('US');
      expect(page).not.toMatch(/Dwayne|Denver|400-01-3784|stock persona/);
    }
  });

  it('input pre-fills the form; complete input skips it', async () => {
    const partial = await createSession(t, {
      flow: 'step-up',
      customerUserId: 'prefill-real-partial',
      input: { surName: 'Lovelace', mobileNumber: ADA.mobileNumber },
    });
    const page = (await t.http(partial.path)).text;
    expect(fieldValue(page, 'surName')).toBe('Lovelace');
    expect(fieldValue(page, 'mobileNumber')).toBe(ADA.mobileNumber);
    expect(fieldValue(page, 'firstName')).toBe('');

    const complete = await createSession(t, {
      flow: 'idplus-score',
      customerUserId: 'prefill-real-complete',
      input: ADA,
    });
    expect(await waitForCompletion(t, complete.id)).toMatchObject({ outcome: 'verified' });
    expect(await timelineTypes(t, complete.id)).toContain('skipped');
  });
});
