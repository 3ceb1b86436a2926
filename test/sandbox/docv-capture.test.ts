import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docvRequestSchema } from '../../src/socure/docv/schemas.js';
import { verifyAndParse, WebhookAuthenticationError } from '../../src/webhooks/index.js';
import { eventually } from '../support/eventually.js';
import {
  captureOverHttp,
  deliveriesOf,
  docvRequest,
  docvResult,
  FULL_SEQUENCE,
  http,
  multipartImage,
  postForm,
  postJson,
  type Rig,
  startRig,
  typesOf,
} from './docv-support.js';

describe('capture app over HTTP → webhooks → ID+ (real sockets)', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig();
  });
  afterAll(() => rig.close());

  const create = async (body: Record<string, unknown> = {}, version: 'v5' | 'v3' = 'v5') => {
    const res = await docvRequest(rig, body, version);
    expect(res.status, res.text).toBe(200);
    return res.json as { referenceId: string; data: { docvTransactionToken: string; url: string } };
  };
  const events = (referenceId: string, n: number) =>
    eventually(() => {
      const d = deliveriesOf(rig.receiver, referenceId);
      return d.length >= n && d;
    }, `${n} deliveries`);

  it('a full license capture fires the whole sequence in order, authenticated, parsed by verifyAndParse', async () => {
    const request = {
      config: { useCaseKey: 'socure_default', language: 'en' },
      customerUserId: 'cust-77',
      firstName: 'Maria',
      surName: 'Lopez',
      dob: '1988-07-14',
      physicalAddress: '42 Elm Street',
      city: 'Springfield',
      state: 'IL',
      zip: '62704',
    };
    expect(docvRequestSchema.safeParse(request).success).toBe(true); // what the client would send
    const tx = await create(request);
    const flow = await captureOverHttp(rig.sandbox.url, tx.data.url);
    expect(flow.pages[0]!.status).toBe(200);
    expect(flow.pages[0]!.text).toContain('<meta name="viewport"');
    expect(flow.submitted.status).toBe(303);
    expect(flow.done.text).toContain('Thank you');

    const deliveries = await events(tx.referenceId, FULL_SEQUENCE.length);
    expect(typesOf(deliveries)).toEqual(FULL_SEQUENCE);
    for (const d of deliveries) {
      expect(d.known).toBe(true);
      expect(d.authenticated).toBe(true);
      expect(d.environmentName).toBe('Sandbox');
      expect(d.keys).toMatchObject({
        referenceId: tx.referenceId,
        docvTransactionToken: tx.data.docvTransactionToken,
        customerUserId: 'cust-77',
      });
      expect(d.raw).toMatchObject({
        origId: tx.referenceId,
        eventGroup: 'DocvNotification',
        reason: d.eventType,
        event: { created: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), message: expect.any(String) },
      });
    }
    const raws = rig.receiver.received.filter((r) => r.body.origId === tx.referenceId);
    expect(new Set(raws.map((r) => r.body.id)).size).toBe(raws.length); // one id per delivery
    expect(raws.every((r) => r.headers.authorization === 'whsec-sandbox-test-secret')).toBe(true); // bare
    expect(() =>
      verifyAndParse({ headers: raws[0]!.headers, rawBody: raws[0]!.raw, secrets: 'other' }),
    ).toThrow(WebhookAuthenticationError);
    expect(raws.map((r) => r.body.event.message)).toEqual([
      'Process Initiated',
      'Capture App Opened',
      'Document Front Uploaded',
      'Document Back Uploaded',
      'Document Selfie Uploaded',
      'Documents Upload Successful',
      'Verification Completed',
      'Session Complete',
    ]);

    const uploaded = deliveries.find((d) => d.eventType === 'DOCUMENTS_UPLOADED')!;
    const completed = deliveries.find((d) => d.eventType === 'VERIFICATION_COMPLETED')!;
    const uuid = (uploaded.raw.event as { data: { uuid: string } }).data.uuid;
    expect(uploaded.raw.event).toMatchObject({
      data: { uuid: expect.any(String), referenceId: tx.referenceId },
    });
    const block = (completed.raw.event as { data: { documentVerification: unknown } }).data
      .documentVerification;
    expect(completed.raw.event).toMatchObject({ data: { referenceId: tx.referenceId } });
    expect(block).toMatchObject({
      decision: { name: 'standard', value: 'accept' },
      documentType: { type: 'Drivers License', country: 'USA', state: 'IL' },
      reasonCodes: ['I831', 'I836', 'I834', 'I845', 'I822', 'I823', 'I824', 'I825'],
      documentData: {
        firstName: 'Maria',
        surName: 'Lopez',
        fullName: 'Maria Lopez',
        dob: '1988-07-14',
        address: '42 Elm Street, Springfield, IL 62704',
        parsedAddress: {
          physicalAddress: '42 Elm Street',
          city: 'Springfield',
          state: 'IL',
          zip: '62704',
          country: 'US',
        },
      },
    });

    const byToken = await docvResult(rig, tx.data.docvTransactionToken);
    expect(byToken.status, byToken.text).toBe(200);
    expect(byToken.json.documentVerification).toEqual(block);
    const byUuid = await docvResult(rig, { documentUuid: uuid });
    expect(byUuid.json.documentVerification).toEqual(block);

    const state = await http(`${rig.sandbox.url}/sandbox/transactions/${tx.data.docvTransactionToken}`);
    expect(state.json).toMatchObject({ status: 'completed', position: 'done', documentUuid: uuid });
    expect(state.json.uploads.front).toEqual({
      bytes: 22,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      at: expect.any(String),
    });
  });

  it('reloads and repeated posts fire nothing twice; out-of-order posts get a friendly 409 page', async () => {
    const tx = await create({ config: { documentType: 'license' } });
    const url = tx.data.url;
    const step = (s: string) => `${url}/${s}`;
    const early = await http(step('selfie'), {
      body: Buffer.from('x'),
      headers: { 'content-type': 'image/jpeg' },
    });
    expect(early.status).toBe(409);
    expect(early.text).toContain('This step is not available yet');
    expect((await http(url)).text).toContain('Accept and continue');
    await http(url);
    expect((await postForm(step('consent'), { consent: 'accept' })).status).toBe(303);
    expect((await postForm(step('consent'), { consent: 'accept' })).status).toBe(303);
    // documentType was fixed by the request: the type step is skipped, so posting it is a no-op.
    expect((await postForm(step('document-type'), { documentType: 'passport' })).status).toBe(303);
    const front = await http(url);
    expect(front.text).toContain('Front of your document');
    expect(front.text).toMatch(
      /<label for="image">[^<]+<\/label>\s*<input type="file" id="image" name="image" accept="image\/\*" capture="environment" required>/,
    );
    const img = multipartImage(Buffer.from('front'));
    expect((await http(step('front'), { body: img.body, headers: img.headers })).status).toBe(303);
    expect((await http(step('front'), { body: img.body, headers: img.headers })).status).toBe(303);
    const empty = multipartImage(Buffer.alloc(0));
    const bad = await http(step('back'), { body: empty.body, headers: empty.headers });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('The photo is empty');
    const big = await http(step('back'), {
      body: Buffer.alloc(3 * 1024 * 1024, 7),
      headers: { 'content-type': 'image/jpeg' },
    });
    expect(big.status).toBe(303); // phone photos are megabytes: the upload limit is not the API's 1 MiB
    const notImage = await http(step('selfie'), { body: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(notImage.status).toBe(400);
    await http(url);
    // The next step fires the next event. A transaction's events are delivered one at a time, in order (one lane
    // per subscription and transaction), so once it is in, any duplicate the reloads and re-posts above had
    // fired would have arrived before it.
    const selfie = multipartImage(Buffer.from('selfie'));
    expect((await http(step('selfie'), { body: selfie.body, headers: selfie.headers })).status).toBe(303);
    await events(tx.referenceId, 5);
    expect(typesOf(deliveriesOf(rig.receiver, tx.referenceId))).toEqual([
      'WAITING_FOR_USER_TO_REDIRECT',
      'APP_OPENED',
      'DOCUMENT_FRONT_UPLOADED',
      'DOCUMENT_BACK_UPLOADED',
      'DOCUMENT_SELFIE_UPLOADED',
    ]);
  });

  it('a passport skips the back; a GET redirect answers 303 with referenceId and token', async () => {
    const redirect = 'http://localhost:8080/verified?from=socure';
    const tx = await create({
      config: { documentType: 'passport', redirect: { method: 'GET', url: redirect } },
    });
    const flow = await captureOverHttp(rig.sandbox.url, tx.data.url, {
      documentType: 'passport',
      skipTypeStep: true,
    });
    const location = new URL(String(flow.submitted.headers.location));
    expect(flow.submitted.status).toBe(303);
    expect(`${location.origin}${location.pathname}`).toBe('http://localhost:8080/verified');
    expect(Object.fromEntries(location.searchParams)).toEqual({
      from: 'socure',
      referenceId: tx.referenceId,
      docvTransactionToken: tx.data.docvTransactionToken,
    });
    const d = await events(tx.referenceId, 7);
    expect(typesOf(d)).toEqual(FULL_SEQUENCE.filter((t) => t !== 'DOCUMENT_BACK_UPLOADED'));
    const block = (d[5]!.raw.event as { data: { documentVerification: { documentType: unknown } } }).data;
    expect(block.documentVerification.documentType).toEqual({ type: 'Passport', country: 'USA' });
  });

  it('the type screen offers license or passport; a POST redirect renders a form with a button', async () => {
    const tx = await create({ config: { redirect: { method: 'POST', url: 'http://127.0.0.1:9/back' } } });
    await http(tx.data.url);
    await postForm(`${tx.data.url}/consent`, { consent: 'accept' });
    const typePage = await http(tx.data.url);
    expect(typePage.text).toContain('name="documentType" value="passport"');
    expect(typePage.text).toContain('<label class="inline" for="type-license">');
    const flow = await captureOverHttp(rig.sandbox.url, tx.data.url); // consent again is a no-op
    expect(flow.submitted.status).toBe(303);
    expect(flow.submitted.headers.location).toBe(`/capture/${tx.data.docvTransactionToken}`);
    expect(flow.done.text).toContain('<form method="post" action="http://127.0.0.1:9/back">');
    expect(flow.done.text).toContain(`name="referenceId" value="${tx.referenceId}"`);
    expect(flow.done.text).toContain('<button type="submit">Continue</button>');
  });

  it('decline fires CONSENT_DECLINED and ends the session', async () => {
    const tx = await create({ customerUserId: 5150 });
    await http(tx.data.url);
    expect((await postForm(`${tx.data.url}/consent`, { consent: 'decline' })).status).toBe(303);
    expect((await http(tx.data.url)).text).toContain('Verification declined');
    const d = await events(tx.referenceId, 3);
    expect(typesOf(d)).toEqual(['WAITING_FOR_USER_TO_REDIRECT', 'APP_OPENED', 'CONSENT_DECLINED']);
    expect(d[2]!.raw.event).toMatchObject({ customerUserId: 5150, message: 'Consent Declined' });
    expect((await docvResult(rig, tx.data.docvTransactionToken)).json.documentVerification).toEqual({
      reasonCodes: [],
    });
  });

  it('expiry via the clock endpoint: SESSION_EXPIRED is fired and the link shows "Session expired"', async () => {
    const tx = await create();
    await http(tx.data.url);
    const before = (await http(`${rig.sandbox.url}/sandbox/clock`)).json;
    const advanced = await postJson(`${rig.sandbox.url}/sandbox/clock/advance`, { ms: 15 * 60_000 + 1 });
    expect(advanced.status).toBe(200);
    expect(advanced.json.offsetMs - before.offsetMs).toBe(15 * 60_000 + 1);
    const d = await events(tx.referenceId, 3);
    expect(typesOf(d)).toEqual(['WAITING_FOR_USER_TO_REDIRECT', 'APP_OPENED', 'SESSION_EXPIRED']);
    const page = await http(tx.data.url);
    expect(page.status).toBe(410);
    expect(page.text).toContain('Session expired');
    const late = await postForm(`${tx.data.url}/consent`, { consent: 'accept' });
    expect(late.status).toBe(303);
    expect((await postJson(`${rig.sandbox.url}/sandbox/clock/advance`, { ms: -5 })).status).toBe(400);
  });

  it('ID+ documentverification: unknown token → 400 naming it; pending → empty block; other environment → unknown', async () => {
    const unknown = await docvResult(rig, '00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(400);
    expect(unknown.json.data.parameters).toEqual(['docvTransactionToken']);
    expect(unknown.json.msg).toMatch(/docvTransactionToken/);
    expect((await docvResult(rig, { documentUuid: 'nope' })).json.data.parameters).toEqual(['documentUuid']);

    const tx = await create();
    const pending = await docvResult(rig, tx.data.docvTransactionToken);
    expect(pending.status).toBe(200);
    expect(pending.json.documentVerification).toEqual({ reasonCodes: [] });
    const prod = await docvResult(rig, tx.data.docvTransactionToken, rig.sandbox.keys.production.idPlusKey);
    expect(prod.status).toBe(400);
  });

  it('a v3 transaction runs the same capture; its webhooks carry no token (v5 only)', async () => {
    const tx = await create({ verificationLevel: 2, customerUserId: 'legacy-1' }, 'v3');
    await captureOverHttp(rig.sandbox.url, tx.data.url);
    const d = await events(tx.referenceId, 8);
    expect(typesOf(d)).toEqual(FULL_SEQUENCE);
    expect(d.every((x) => x.keys.docvTransactionToken === undefined)).toBe(true);
    expect(d[0]!.keys.customerUserId).toBe('legacy-1');
  });

  it('serves one stylesheet and pages without scripts or external assets', async () => {
    const tx = await create();
    const page = await http(tx.data.url);
    expect(page.text).not.toMatch(/<script|style=|https?:\/\/(?!127\.0\.0\.1)/i);
    expect(page.text).toContain('<link rel="stylesheet" href="/sandbox/assets/style.css">');
    expect(String(page.headers['content-security-policy'])).toContain("default-src 'none'");
    const css = await http(`${rig.sandbox.url}/sandbox/assets/style.css`);
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toMatch(/text\/css/);
    expect((await http(`${rig.sandbox.url}/capture/not-a-token`)).status).toBe(404);
  });
});
