import { createRequire } from 'node:module';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import { docvResponseSchema } from '../../src/socure/docv/schemas.js';
import { docvRequest, http, postJson, type Rig, startRig } from './docv-support.js';

type DecodeQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
// jsqr is a CommonJS bundle whose function may sit on `default`; resolve it the same way in Node and Vite.
const jsqrModule = createRequire(import.meta.url)('jsqr') as DecodeQr | { default: DecodeQr };
const jsQR: DecodeQr = typeof jsqrModule === 'function' ? jsqrModule : jsqrModule.default;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function decodeQr(dataUrl: string): string | undefined {
  const png = PNG.sync.read(Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64'));
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
}

describe('DocV document requests (real sockets)', () => {
  let rig: Rig;
  const lines: string[] = [];
  beforeAll(async () => {
    rig = await startRig(undefined, { log: (l) => lines.push(l) });
  });
  afterAll(() => rig.close());

  it('v5 answers {referenceId, data:{eventId, customerUserId, docvTransactionToken, qrCode, url}}', async () => {
    const res = await docvRequest(rig, {
      config: { useCaseKey: 'socure_default', language: 'en', documentType: 'license' },
      customerUserId: 'user-1',
      firstName: 'Ann',
      surName: 'Lee',
    });
    expect(res.status, res.text).toBe(200);
    expect(docvResponseSchema.safeParse(res.json).success).toBe(true);
    const { referenceId, data } = res.json;
    expect(referenceId).toMatch(UUID);
    expect(data.eventId).toMatch(UUID);
    expect(data.docvTransactionToken).toMatch(UUID);
    expect(data.customerUserId).toBe('user-1');
    expect(data.url).toBe(`${rig.sandbox.url}/capture/${data.docvTransactionToken}`);
    expect(data.qrCode).toMatch(/^data:image\/png;base64,/);
    expect(decodeQr(data.qrCode)).toBe(data.url);
  });

  it('echoes a numeric customerUserId as a number', async () => {
    const res = await docvRequest(rig, { customerUserId: 121212 });
    expect(res.json.data.customerUserId).toBe(121212);
  });

  it('v3 answers the same without qrCode; verificationLevel 1 | 2 | 3', async () => {
    for (const verificationLevel of [1, 2, '3']) {
      const res = await docvRequest(rig, { verificationLevel, mobileNumber: '+13475550100' }, 'v3');
      expect(res.status, res.text).toBe(200);
      expect(res.json.data).not.toHaveProperty('qrCode');
      expect(res.json.data.url).toContain('/capture/');
      expect(res.json.data.docvTransactionToken).toMatch(UUID);
    }
  });

  it.each([
    ['v5', 'not json', ['']],
    ['v5', { config: 'x' }, ['config']],
    ['v5', { config: { documentType: 'visa' } }, ['config.documentType']],
    ['v5', { config: { redirect: { method: 'PUT', url: 'http://localhost/x' } } }, ['config.redirect']],
    ['v5', { config: { redirect: { method: 'GET' } } }, ['config.redirect']],
    ['v5', { config: { sendMessage: 'yes' } }, ['config.sendMessage']],
    ['v5', { mobileNumber: '555-0100' }, ['mobileNumber']],
    ['v5', { dob: '1990-02-30', country: 'USA' }, ['dob', 'country']],
    ['v5', { config: { sendMessage: true } }, ['mobileNumber']],
    ['v3', {}, ['verificationLevel']],
    ['v3', { verificationLevel: 4 }, ['verificationLevel']],
    ['v3', { verificationLevel: 3 }, ['mobileNumber']],
    ['v3', { verificationLevel: 2, sendMessage: true }, ['mobileNumber']],
  ] as const)('%s %j → 400 naming %j', async (version, body, parameters) => {
    const res =
      body === 'not json'
        ? await http(`${rig.sandbox.url}/api/5.0/documents/request`, {
            body: '{nope',
            headers: { 'content-type': 'application/json', authorization: `SocureApiKey ${rig.key}` },
          })
        : await docvRequest(rig, body, version);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ status: 'Error', referenceId: expect.stringMatching(UUID) });
    expect(res.json.msg).toEqual(expect.any(String));
    if (parameters[0] !== '') expect(res.json.data.parameters).toEqual(parameters);
  });

  it('explains sendMessage without mobileNumber and level 3 without a phone', async () => {
    expect((await docvRequest(rig, { config: { sendMessage: true } })).json.msg).toMatch(
      /mobileNumber is required when config\.sendMessage is true/,
    );
    expect((await docvRequest(rig, { verificationLevel: 3 }, 'v3')).json.msg).toMatch(
      /mobileNumber is required with verificationLevel 3/,
    );
  });

  it('needs the ID+ key', async () => {
    const res = await postJson(`${rig.sandbox.url}/api/5.0/documents/request`, {});
    expect(res.status).toBe(401);
    const sdk = await docvRequest(rig, {}, 'v5', rig.sandbox.keys.sandbox.sdkKey);
    expect(sdk.status).toBe(401);
  });

  it('403 for a redirect host off the IPs & Domains allowlist; allowed after adding it', async () => {
    const body = { config: { redirect: { method: 'GET', url: 'https://shop.example.com/done' } } };
    const refused = await docvRequest(rig, body);
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({
      status: 'Error',
      msg: expect.stringMatching(/not on the IPs & Domains allowlist/),
    });
    expect(refused.json.msg).toContain('shop.example.com');

    const added = await postJson(`${rig.sandbox.url}/admin/api/allowlist`, { entry: 'example.com' });
    expect(added.status).toBe(201);
    expect((await docvRequest(rig, body)).status).toBe(200); // a subdomain of an allowed domain

    expect(
      (await http(`${rig.sandbox.url}/admin/api/allowlist/example.com`, { method: 'DELETE' })).status,
    ).toBe(204);
    expect((await docvRequest(rig, body)).status).toBe(403);
    for (const url of ['http://localhost:9/x', 'http://127.0.0.1/x', 'http://[::1]:8080/x']) {
      expect((await docvRequest(rig, { config: { redirect: { url } } })).status, url).toBe(200);
    }
  });

  it('sendMessage records an SMS in the outbox and logs a masked number', async () => {
    const res = await docvRequest(rig, { config: { sendMessage: true }, mobileNumber: '+1 347 555 0177' });
    expect(res.status, res.text).toBe(200);
    const url = res.json.data.url;
    const mine = await http(`${rig.sandbox.url}/sandbox/sms?to=%2B13475550177`);
    expect(mine.json.messages).toEqual([
      {
        to: '+13475550177',
        body: `Verify your identity: ${url}`,
        at: expect.any(String),
        token: res.json.data.docvTransactionToken,
      },
    ]);
    await docvRequest(rig, { config: { sendMessage: true }, mobileNumber: '+13475550188' });
    const all = (await http(`${rig.sandbox.url}/sandbox/sms`)).json.messages;
    expect(all[0].to).toBe('+13475550188'); // newest first
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(lines).toContain(`SMS to +1347*****77: ${url}`);
    expect(lines.join('\n')).not.toContain('+13475550177');
    const page = await http(`${rig.sandbox.url}/sandbox/outbox`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(url);
    expect(page.headers['content-type']).toMatch(/text\/html/);
  });

  it('links use publicUrl when set, so a phone on the LAN can open them', async () => {
    const sandbox = await startSandbox({ port: 0, publicUrl: 'http://192.168.1.20:4010/' });
    try {
      const res = await docvRequest({ sandbox }, {});
      expect(res.json.data.url).toBe(
        `http://192.168.1.20:4010/capture/${res.json.data.docvTransactionToken}`,
      );
      expect(decodeQr(res.json.data.qrCode)).toBe(res.json.data.url);
    } finally {
      await sandbox.close();
    }
  });

  it('refuses bad new options with a message naming them', async () => {
    await expect(startSandbox({ port: 0, publicUrl: 'ftp://x' })).rejects.toThrow(/publicUrl/);
    await expect(startSandbox({ port: 0, webhooks: [{ url: 'nope' }] })).rejects.toThrow(
      /webhooks\[0\]\.url/,
    );
    await expect(startSandbox({ port: 0, transactionTtlMs: 0 })).rejects.toThrow(/transactionTtlMs/);
    await expect(startSandbox({ port: 0, authScheme: 'basic' as unknown as 'bare' })).rejects.toThrow(
      /authScheme/,
    );
  });
});
