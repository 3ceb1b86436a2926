import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCV_MAGIC_INPUTS, TRIGGER_SCENARIOS } from '../../src/sandbox/index.js';
import { eventually } from '../support/eventually.js';
import {
  captureOverHttp,
  deliveriesOf,
  docvRequest,
  docvResult,
  FULL_SEQUENCE,
  http,
  postJson,
  type Rig,
  startRig,
  typesOf,
} from './docv-support.js';

describe('trigger scenarios, magic surNames, transaction state (real sockets)', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig();
  });
  afterAll(() => rig.close());

  const begin = async (body: Record<string, unknown> = {}) => {
    const res = await docvRequest(rig, body);
    expect(res.status, res.text).toBe(200);
    return res.json as { referenceId: string; data: { docvTransactionToken: string; url: string } };
  };
  const trigger = (token: string, scenario: string) =>
    postJson(`${rig.sandbox.url}/sandbox/transactions/${token}/trigger`, { scenario });
  const events = (referenceId: string, n: number) =>
    eventually(() => {
      const d = deliveriesOf(rig.receiver, referenceId);
      return d.length >= n && d;
    }, `${n} deliveries`);

  it('exports the scenario and magic tables', () => {
    expect(TRIGGER_SCENARIOS.map((s) => s.name)).toEqual([
      'complete-accept',
      'complete-reject',
      'complete-review',
      'complete-resubmit',
      'decline',
      'expire',
      'upload-failed',
    ]);
    for (const s of TRIGGER_SCENARIOS) expect(s.description.length).toBeGreaterThan(10);
    expect(DOCV_MAGIC_INPUTS.filter((m) => m.field === 'surName').map((m) => m.value)).toEqual([
      'Expired',
      'Mismatch',
      'Spoof',
      'Tampered',
      'Minor',
      'Resubmit',
      'Review',
    ]);
  });

  it.each([
    ['complete-accept', FULL_SEQUENCE, 'accept', ['I831', 'I836', 'I834', 'I845']],
    ['complete-reject', FULL_SEQUENCE, 'reject', ['R827', 'I831', 'I836', 'I834']],
    ['complete-review', FULL_SEQUENCE, 'review', ['I831', 'I836', 'I845', 'I856']],
    ['complete-resubmit', FULL_SEQUENCE, 'resubmit', ['I848', 'R838']],
  ])('%s', async (scenario, sequence, decision, codes) => {
    const tx = await begin();
    const res = await trigger(tx.data.docvTransactionToken, scenario);
    expect(res.status, res.text).toBe(200);
    expect(res.json.transaction).toMatchObject({ status: 'completed', position: 'done' });
    const d = await events(tx.referenceId, sequence.length);
    expect(typesOf(d)).toEqual(sequence);
    const result = await docvResult(rig, tx.data.docvTransactionToken);
    expect(result.json.documentVerification.decision.value).toBe(decision);
    expect(result.json.documentVerification.reasonCodes).toEqual(codes);
    // The stock identity when no PII was sent.
    expect(result.json.documentVerification.documentData).toMatchObject({
      firstName: 'Dwayne',
      surName: 'Denver',
      dob: '1975-04-02',
      parsedAddress: { physicalAddress: '1301 Main Street', city: 'Brownsville', state: 'TN', zip: '38012' },
    });
    expect((await trigger(tx.data.docvTransactionToken, scenario)).status).toBe(409);
  });

  it.each([
    ['decline', ['WAITING_FOR_USER_TO_REDIRECT', 'APP_OPENED', 'CONSENT_DECLINED'], 'declined'],
    ['expire', ['WAITING_FOR_USER_TO_REDIRECT', 'SESSION_EXPIRED'], 'expired'],
    [
      'upload-failed',
      ['WAITING_FOR_USER_TO_REDIRECT', 'APP_OPENED', 'DOCUMENT_FRONT_UPLOADED', 'DOCUMENTS_UPLOAD_FAILED'],
      'failed',
    ],
  ])('%s', async (scenario, sequence, status) => {
    const tx = await begin();
    const res = await trigger(tx.data.docvTransactionToken, scenario);
    expect(res.status, res.text).toBe(200);
    expect(res.json.transaction.status).toBe(status);
    const d = await events(tx.referenceId, sequence.length);
    expect(typesOf(d)).toEqual(sequence);
    expect(d.at(-1)!.known).toBe(true);
  });

  it('continues from where a browser left off, without repeating steps', async () => {
    const tx = await begin({ config: { documentType: 'passport' } });
    await http(tx.data.url);
    await trigger(tx.data.docvTransactionToken, 'complete-accept');
    const d = await events(tx.referenceId, 7);
    expect(typesOf(d)).toEqual(FULL_SEQUENCE.filter((t) => t !== 'DOCUMENT_BACK_UPLOADED'));
  });

  it.each([
    ['Expired', 'reject', 'R827', 'SOC86753099'],
    ['MISMATCH', 'reject', 'R836', undefined],
    ['spoof', 'reject', 'R834', 'SOC23067038'],
    ['Tampered', 'reject', 'R810', undefined],
    ['Minor', 'reject', 'R845', undefined],
    ['Resubmit', 'resubmit', 'R838', undefined],
    ['Review', 'review', 'I856', undefined],
    ['Smith', 'accept', 'I823', undefined],
  ])(
    'magic surName %s → %s (%s) through the capture app’s default outcome',
    async (surName, decision, code, number) => {
      const tx = await begin({ firstName: 'Pat', surName });
      await captureOverHttp(rig.sandbox.url, tx.data.url);
      const block = (await docvResult(rig, tx.data.docvTransactionToken)).json.documentVerification;
      expect(block.decision.value).toBe(decision);
      expect(block.reasonCodes).toContain(code);
      expect(block.documentData.surName).toBe(surName);
      if (number) expect(block.documentData.documentNumber).toBe(number);
      const webhook = (await events(tx.referenceId, 8)).find(
        (d) => d.eventType === 'VERIFICATION_COMPLETED',
      )!;
      expect(
        (webhook.raw.event as { data: { documentVerification: unknown } }).data.documentVerification,
      ).toEqual(block);
    },
  );

  it('a complete-* trigger names its outcome, whatever the magic says', async () => {
    const tx = await begin({ surName: 'Expired' });
    await trigger(tx.data.docvTransactionToken, 'complete-accept');
    const block = (await docvResult(rig, tx.data.docvTransactionToken)).json.documentVerification;
    expect(block.decision.value).toBe('accept');
  });

  it('the capture app’s Simulated outcome overrides the magic; an unknown outcome is refused', async () => {
    const tx = await begin({ surName: 'Expired' });
    const flow = await captureOverHttp(rig.sandbox.url, tx.data.url, { outcome: 'reject-spoof' });
    const review = flow.pages.at(-1)!.text;
    expect(review).toContain('<label for="outcome">Simulated outcome (sandbox only)</label>');
    expect(review).toContain('Automatic: Reject: document expired (R827)');
    const block = (await docvResult(rig, tx.data.docvTransactionToken)).json.documentVerification;
    expect(block.reasonCodes[0]).toBe('R834');
    expect(block.documentData.documentNumber).toBe('SOC23067038');

    const other = await begin();
    const refused = await captureOverHttp(rig.sandbox.url, other.data.url, { outcome: 'maybe' });
    expect(refused.submitted.status).toBe(400);
    expect(
      (await http(`${rig.sandbox.url}/sandbox/transactions/${other.data.docvTransactionToken}`)).json.status,
    ).toBe('pending');
  });

  it('GET /sandbox/transactions/:token shows the state; errors for unknown tokens and scenarios', async () => {
    const tx = await begin({ customerUserId: 'c-1', config: { documentType: 'license' } });
    const view = await http(`${rig.sandbox.url}/sandbox/transactions/${tx.data.docvTransactionToken}`);
    expect(view.json).toMatchObject({
      docvTransactionToken: tx.data.docvTransactionToken,
      referenceId: tx.referenceId,
      environment: 'sandbox',
      apiVersion: 'v5',
      customerUserId: 'c-1',
      status: 'pending',
      position: 'consent',
      documentType: 'license',
      documentTypeFixed: true,
      uploads: {},
      knobs: { duplicate: false, outOfOrder: false, delayMs: 0 },
      events: [{ eventType: 'WAITING_FOR_USER_TO_REDIRECT', at: expect.any(String) }],
    });
    expect(Date.parse(view.json.expiresAt) - Date.parse(view.json.createdAt)).toBe(15 * 60_000);
    expect((await http(`${rig.sandbox.url}/sandbox/transactions/nope`)).status).toBe(404);
    expect((await trigger('nope', 'decline')).status).toBe(404);
    const bad = await trigger(tx.data.docvTransactionToken, 'explode');
    expect(bad.status).toBe(400);
    expect(bad.json.msg).toContain('complete-accept');
    const clock = await http(`${rig.sandbox.url}/sandbox/clock`);
    expect(clock.json).toMatchObject({ now: expect.any(String), nowMs: expect.any(Number), offsetMs: 0 });
  });
});
