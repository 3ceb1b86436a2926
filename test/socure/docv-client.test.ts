import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import { createQrCode, SocureClient, SocureInputError } from '../../src/socure/index.js';
import {
  decodeQrDataUrl,
  httpJson,
  type LocalServer,
  startRecordingProxy,
  trigger,
} from '../connector/support.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let sb: RunningSandbox;
let client: SocureClient;
const log: string[] = [];
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  sb = await startSandbox({ port: 0, log: (l) => log.push(l) });
  client = new SocureClient({ idPlusKey: sb.keys.sandbox.idPlusKey, baseUrl: sb.url, maxRetries: 0 });
});

afterAll(async () => {
  await client?.close();
  for (const close of closers.splice(0)) await close();
  await sb?.close();
});

async function refused(p: Promise<unknown>): Promise<SocureInputError> {
  const before = log.length;
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SocureInputError);
  expect(log.length, 'a request was sent').toBe(before);
  return err as SocureInputError;
}

async function proxied(): Promise<{ proxy: LocalServer; client: SocureClient }> {
  const proxy = await startRecordingProxy(sb.url);
  const c = new SocureClient({ idPlusKey: sb.keys.sandbox.idPlusKey, baseUrl: proxy.url, maxRetries: 0 });
  closers.push(
    () => c.close(),
    () => proxy.close(),
  );
  return { proxy, client: c };
}

describe('client.docv.createTransaction (v5, sandbox)', () => {
  it('maps the answer: referenceId, eventId, token, url, Socure’s qrCode and a local SVG', async () => {
    const { proxy, client: c } = await proxied();
    const tx = await c.docv.createTransaction({
      config: {
        documentType: 'license',
        language: 'en',
        redirect: { method: 'GET', url: 'http://localhost:3000/done' },
      },
      customerUserId: 121212,
      firstName: 'Dwayne',
    });
    expect(tx.referenceId).toMatch(UUID);
    expect(tx.eventId).toMatch(UUID);
    expect(tx.docvTransactionToken).toMatch(UUID);
    expect(tx.customerUserId).toBe('121212');
    expect(tx.url).toBe(`${sb.url}/capture/${tx.docvTransactionToken}`);
    expect(tx.qrCode.startsWith('data:image/png;base64,')).toBe(true);
    expect(decodeQrDataUrl(tx.qrCode)).toBe(tx.url);

    expect(proxy.received).toHaveLength(1);
    expect(proxy.received[0]).toMatchObject({ method: 'POST', path: '/api/5.0/documents/request' });
    expect(JSON.parse(proxy.received[0]!.body)).toEqual({
      config: {
        documentType: 'license',
        language: 'en',
        redirect: { method: 'GET', url: 'http://localhost:3000/done' },
      },
      customerUserId: '121212',
      firstName: 'Dwayne',
    });
  });

  it('an empty request works and the sandbox knows the transaction', async () => {
    const tx = await client.docv.createTransaction();
    const view = await httpJson(`${sb.url}/sandbox/transactions/${tx.docvTransactionToken}`);
    expect(view.status).toBe(200);
    expect(view.json).toMatchObject({ apiVersion: 'v5', status: 'pending', referenceId: tx.referenceId });
  });

  it('normalises the mobile number and Socure texts the link when sendMessage is set', async () => {
    const tx = await client.docv.createTransaction({
      config: { sendMessage: true },
      mobileNumber: '(347) 555-0100',
    });
    const sms = await httpJson(`${sb.url}/sandbox/sms`);
    const mine = (sms.json.messages as Array<{ to: string; body: string; token: string }>).find(
      (m) => m.token === tx.docvTransactionToken,
    );
    expect(mine).toMatchObject({ to: '+13475550100' });
    expect(mine?.body).toContain(tx.url);
  });

  it.each([
    ['sendMessage without mobileNumber', { config: { sendMessage: true } }, 'mobileNumber'],
    ['a bad documentType', { config: { documentType: 'visa' } }, 'config.documentType'],
    [
      'a redirect URL that is not a URL',
      { config: { redirect: { url: 'not a url' } } },
      'config.redirect.url',
    ],
    [
      'a javascript: redirect URL',
      { config: { redirect: { url: 'javascript:alert(1)' } } },
      'config.redirect.url',
    ],
    [
      'a bad redirect method',
      { config: { redirect: { method: 'PUT', url: 'https://x.example' } } },
      'config.redirect.method',
    ],
    ['a bad mobile number', { mobileNumber: 'call me' }, 'mobileNumber'],
    ['a bad country', { country: 'USA!' }, 'country'],
    ['an unknown field', { lastName: 'Smith' }, 'lastName'],
    ['an unknown config field', { config: { colour: 'red' } }, 'config.colour'],
  ])('refuses %s before any request, naming the field', async (_w, request, field) => {
    const err = await refused(client.docv.createTransaction(request as never));
    expect(err.field).toBe(field);
  });
});

describe('client.docv.createLegacyTransaction (v3, sandbox)', () => {
  it.each([1, 2, 3] as const)(
    'level %i: url, token, a local QR code that decodes to the url',
    async (level) => {
      const { proxy, client: c } = await proxied();
      const tx = await c.docv.createLegacyTransaction({
        verificationLevel: level,
        ...(level === 3 ? { mobileNumber: '+13475550100' } : {}),
        customerUserId: `legacy-${level}`,
      });
      expect(tx.referenceId).toMatch(UUID);
      expect(tx.url).toMatch(/\/capture\//);
      expect(tx.customerUserId).toBe(`legacy-${level}`);
      expect(decodeQrDataUrl(tx.qrCode)).toBe(tx.url);
      expect(proxy.received[0]).toMatchObject({ method: 'POST', path: '/api/3.0/documents/request' });
      expect(JSON.parse(proxy.received[0]!.body)).toMatchObject({ verificationLevel: level });
      const view = await httpJson(`${sb.url}/sandbox/transactions/${tx.docvTransactionToken}`);
      expect(view.json).toMatchObject({ apiVersion: 'v3', verificationLevel: level });
    },
  );

  it('accepts the level as text ("2"), as a dropdown sends it', async () => {
    const tx = await client.docv.createLegacyTransaction({ verificationLevel: '2' as unknown as 2 });
    expect(tx.url).toMatch(/\/capture\//);
  });

  it.each([
    ['level 3 without a mobile number', { verificationLevel: 3 }, 'mobileNumber'],
    ['level 4', { verificationLevel: 4 }, 'verificationLevel'],
    ['no level', {}, 'verificationLevel'],
    ['sendMessage without a mobile number', { verificationLevel: 1, sendMessage: true }, 'mobileNumber'],
    ['a bad documentType', { verificationLevel: 1, documentType: 'visa' }, 'documentType'],
    ['a bad redirect URL', { verificationLevel: 1, redirect: { url: 'nope' } }, 'redirect.url'],
  ])('refuses %s before any request', async (_w, request, field) => {
    const err = await refused(client.docv.createLegacyTransaction(request as never));
    expect(err.field).toBe(field);
  });
});

describe('client.docv.result (sandbox)', () => {
  it('before completion there is no decision; after complete-accept the decision is accept', async () => {
    const tx = await client.docv.createTransaction({ customerUserId: 'result-1' });
    const token = tx.docvTransactionToken!;
    const before = await client.docv.result(token);
    expect(before.referenceId).toMatch(/\S/);
    expect(before.documentVerification?.decision).toBeUndefined();

    await trigger(sb.url, token, 'complete-accept');
    const after = await client.docv.result(token);
    expect(after.documentVerification?.decision?.value).toBe('accept');
    expect(after.documentVerification?.reasonCodes).toEqual(expect.arrayContaining(['I831']));
    expect(after.documentVerification?.documentData?.expirationDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('sends documentverification once, with the token and the customerUserId', async () => {
    const { proxy, client: c } = await proxied();
    const tx = await c.docv.createTransaction();
    await trigger(sb.url, tx.docvTransactionToken!, 'complete-reject');
    const res = await c.docv.result(tx.docvTransactionToken!, {
      modules: ['documentverification'],
      customerUserId: 'result-2',
    });
    expect(res.documentVerification?.decision?.value).toBe('reject');
    expect(res.documentVerification?.reasonCodes).toContain('R827');
    const wire = JSON.parse(proxy.received.at(-1)!.body) as Record<string, unknown>;
    expect(wire.modules).toEqual(['documentverification']);
    expect(wire.customerUserId).toBe('result-2');
    expect(wire.docvTransactionToken).toBe(tx.docvTransactionToken);
  });

  it('legacy { documentUuid }: the DOCUMENTS_UPLOADED uuid fetches the same result', async () => {
    const tx = await client.docv.createLegacyTransaction({ verificationLevel: 2 });
    await trigger(sb.url, tx.docvTransactionToken!, 'complete-accept');
    const view = await httpJson(`${sb.url}/sandbox/transactions/${tx.docvTransactionToken}`);
    const documentUuid = view.json.documentUuid as string;
    expect(documentUuid).toMatch(UUID);
    const res = await client.docv.result({ documentUuid });
    expect(res.documentVerification?.decision?.value).toBe('accept');
  });

  it('an unknown token is Socure’s 400, thrown as an API error', async () => {
    await expect(client.docv.result('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      status: 400,
    });
  });
});

describe('createQrCode', () => {
  it('draws a PNG that decodes back to the text, and an SVG', async () => {
    const url = 'https://verify.socure.com/#/dv/abc?x=1&y=2';
    const qr = await createQrCode(url);
    expect(decodeQrDataUrl(qr.pngDataUrl)).toBe(url);
    expect(qr.svg).toMatch(/^<svg[\s>]/);
  });
});
