import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildManifest,
  type CapabilityContext,
  type ConnectorConfig,
  capabilities,
  toIdPlusRequest,
  webhookOutput,
} from '../../src/connector/index.js';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import { SocureClient, SocureInputError, STOCK_PERSONA } from '../../src/socure/index.js';
import { eventually } from '../support/eventually.js';
import {
  decodeQrDataUrl,
  httpJson,
  type LocalServer,
  SEED_CUSTOM_CALL_INPUT_EXAMPLE,
  SEED_WEBHOOK_OUTPUT_EXAMPLE,
  shapeOf,
  startReceiver,
  startRecordingProxy,
  trigger,
} from './support.js';

const { documentVerification, getScore, getVerificationUrl, makeCustomApiCall, webhook } = capabilities;

/**
 * getScoreInput is built with Object.fromEntries, so its TypeScript input type only knows `modules`;
 * the text properties are cast in (they are validated at run time).
 */
type ScoreInput = Parameters<typeof getScore.execute>[0];
const scoreInput = (input: Record<string, unknown>) => input as ScoreInput;

let sb: RunningSandbox;
const sandboxLog: string[] = [];
const clients: SocureClient[] = [];
const servers: LocalServer[] = [];

function contextFor(baseUrl: string, extra: Partial<ConnectorConfig> = {}): CapabilityContext {
  const config: ConnectorConfig = {
    idPlusKey: sb.keys.sandbox.idPlusKey,
    sdkKey: sb.keys.sandbox.sdkKey,
    environment: 'sandbox',
    apiUrl: baseUrl,
    maxRetries: 0,
    ...extra,
  };
  const client = new SocureClient({ idPlusKey: config.idPlusKey, baseUrl, maxRetries: 0, timeoutMs: 5000 });
  clients.push(client);
  return { client, config };
}

let ctx: CapabilityContext;

beforeAll(async () => {
  sb = await startSandbox({ port: 0, log: (l) => sandboxLog.push(l) });
  ctx = contextFor(sb.url);
});

afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await sb?.close();
});

async function inputError(p: Promise<unknown>): Promise<SocureInputError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SocureInputError);
  return err as SocureInputError;
}

const manifest = buildManifest('0.0.0');
const ajv = new Ajv2020.default({ strict: false, allErrors: true });
function schemaOf(id: string, which: 'inputSchema' | 'outputSchema') {
  const c = manifest.capabilities.find((x) => x.id === id)!;
  return ajv.compile(c[which] as object);
}

describe('getScore.execute (sandbox)', () => {
  it('scores the stock persona: decision accept, output matches the output schema', async () => {
    const out = await getScore.execute({ modules: ['kyc', 'fraud', 'decision'], ...STOCK_PERSONA }, ctx);
    expect(out.rawResponse.decision?.value).toBe('accept');
    expect(out.rawResponse.referenceId).toMatch(/\S/);
    expect(out.rawResponse.kyc).toBeDefined();
    const validate = schemaOf('getScore', 'outputSchema');
    expect(validate(JSON.parse(JSON.stringify(out))), JSON.stringify(validate.errors)).toBe(true);
  });

  it('maps text properties to ID+ wire names (previousOrderCount → prevOrderCount, ip → ipAddress)', async () => {
    const proxy = await startRecordingProxy(sb.url);
    servers.push(proxy);
    const out = await getScore.execute(
      scoreInput({
        modules: ['kyc', 'fraud'],
        ...STOCK_PERSONA,
        previousOrderCount: '3',
        ip: '203.0.113.7',
        userAgent: 'Mozilla/5.0 test',
        orderChannel: 'web',
        customerUserId: 121212,
      }),
      contextFor(proxy.url),
    );
    expect(out.rawResponse.referenceId).toMatch(/\S/);
    expect(proxy.received).toHaveLength(1);
    const wire = JSON.parse(proxy.received[0]!.body) as Record<string, unknown>;
    expect(proxy.received[0]!.path).toBe('/api/3.0/EmailAuthScore');
    expect(wire).toMatchObject({
      modules: ['kyc', 'fraud'],
      prevOrderCount: 3,
      ipAddress: '203.0.113.7',
      userAgent: 'Mozilla/5.0 test',
      orderChannel: 'web',
      customerUserId: '121212',
      firstName: STOCK_PERSONA.firstName,
    });
    expect(wire).not.toHaveProperty('previousOrderCount');
    expect(wire).not.toHaveProperty('ip');
  });

  it('drops blank properties instead of sending them (a blank would be a 400)', async () => {
    const request = toIdPlusRequest(
      scoreInput({ modules: ['kyc'], ...STOCK_PERSONA, email: '', companyName: '   ', orderChannel: '' }),
    );
    expect(request).not.toHaveProperty('email');
    expect(request).not.toHaveProperty('companyName');
    expect(request).not.toHaveProperty('orderChannel');
    const out = await getScore.execute(
      scoreInput({
        modules: ['kyc', 'fraud', 'decision'],
        ...STOCK_PERSONA,
        email: '',
        companyName: '   ',
        ip: '',
      }),
      ctx,
    );
    expect(out.rawResponse.decision?.value).toBe('accept');
  });

  it('parses Watchlist Filters from JSON text, and names it when it is not JSON', async () => {
    expect(
      toIdPlusRequest(
        scoreInput({ modules: ['watchliststandard'], watchlistFilters: '{"categories":["PEP"]}' }),
      ),
    ).toMatchObject({ watchlistFilters: { categories: ['PEP'] } });
    const err = await inputError(
      getScore.execute(scoreInput({ modules: ['watchliststandard'], watchlistFilters: '{nope' }), ctx),
    );
    expect(err.field).toBe('watchlistFilters');
  });

  it.each([
    ['an unknown module', { modules: ['kyc', 'bogus'] }, /^modules/],
    ['no module', { modules: [] }, /^modules/],
    ['a bad date of birth', { modules: ['kyc'], ...STOCK_PERSONA, dob: '31/01/1990' }, /^dob$/],
    ['a bad e-mail', { modules: ['emailrisk'], ...STOCK_PERSONA, email: 'not-an-email' }, /^email$/],
  ])(
    'refuses %s with a SocureInputError naming the property, before any request',
    async (_w, input, field) => {
      const before = sandboxLog.length;
      const err = await inputError(getScore.execute(input as never, ctx));
      expect(err.field).toMatch(field);
      expect(sandboxLog.length).toBe(before);
    },
  );

  it.each([
    ['ip', '999.1.1.1'],
    ['previousOrderCount', 'many'],
  ])('a bad %s is reported under the property name the flow designer sees', async (name, value) => {
    const err = await inputError(
      getScore.execute(scoreInput({ modules: ['kyc'], ...STOCK_PERSONA, [name]: value }), ctx),
    );
    expect(err.field).toBe(name);
  });
});

describe('makeCustomApiCall.execute (sandbox)', () => {
  it("sends the seed's input example: statusCode 200 with addressRisk", async () => {
    const out = await makeCustomApiCall.execute(SEED_CUSTOM_CALL_INPUT_EXAMPLE.properties, ctx);
    expect(out.statusCode).toBe(200);
    const raw = out.rawResponse as {
      referenceId: string;
      addressRisk: { score: number; reasonCodes: string[] };
    };
    expect(raw.referenceId).toMatch(/\S/);
    expect(raw.addressRisk.score).toBeGreaterThanOrEqual(0);
    expect(raw.addressRisk.score).toBeLessThanOrEqual(1);
    expect(Array.isArray(raw.addressRisk.reasonCodes)).toBe(true);
    expect(String(out.headers['content-type'])).toContain('application/json');
    const validate = schemaOf('makeCustomApiCall', 'outputSchema');
    expect(validate(JSON.parse(JSON.stringify(out))), JSON.stringify(validate.errors)).toBe(true);
  });

  it('returns a 400 as output instead of throwing', async () => {
    const out = await makeCustomApiCall.execute(
      { endpoint: '/api/3.0/EmailAuthScore', method: 'POST', bodyData: { modules: ['nope'] } },
      ctx,
    );
    expect(out.statusCode).toBe(400);
    expect(out.rawResponse).toMatchObject({ status: 'Error', data: { parameters: ['modules'] } });
  });

  it('passes query parameters and extra headers, and a JSON string body', async () => {
    const proxy = await startRecordingProxy(sb.url);
    servers.push(proxy);
    const out = await makeCustomApiCall.execute(
      {
        endpoint: '/api/3.0/EmailAuthScore',
        method: 'POST',
        queryParams: [{ key: 'trace', value: 'a b' }],
        headers: [{ key: 'X-Trace', value: '1' }],
        bodyData: JSON.stringify(SEED_CUSTOM_CALL_INPUT_EXAMPLE.properties.bodyData),
      },
      contextFor(proxy.url),
    );
    expect(out.statusCode).toBe(200);
    expect(proxy.received[0]!.path).toBe('/api/3.0/EmailAuthScore?trace=a+b');
    expect(JSON.parse(proxy.received[0]!.body)).toEqual(SEED_CUSTOM_CALL_INPUT_EXAMPLE.properties.bodyData);
  });

  it.each([
    ['//evil.com/x', 'endpoint'],
    ['https://evil.com/x', 'endpoint'],
    ['/api/../../x', 'endpoint'],
  ])('refuses the endpoint %s before any request', async (endpoint, field) => {
    const before = sandboxLog.length;
    const err = await inputError(makeCustomApiCall.execute({ endpoint, method: 'GET' }, ctx));
    expect(err.field).toBe(field);
    expect(sandboxLog.length).toBe(before);
  });

  it('refuses an override of the Authorization header and a method outside the list', async () => {
    const e1 = await inputError(
      makeCustomApiCall.execute(
        {
          endpoint: '/api/3.0/EmailAuthScore',
          method: 'POST',
          headers: [{ key: 'Authorization', value: 'x' }],
        },
        ctx,
      ),
    );
    expect(e1.field).toBe('headers');
    const e2 = await inputError(makeCustomApiCall.execute({ endpoint: '/x', method: 'PATCH' as 'GET' }, ctx));
    expect(e2.field).toBe('method');
  });
});

describe('getVerificationUrl.execute (sandbox)', () => {
  it.each([
    ['v5', { apiVersion: 'v5' as const, customerUserId: 123 }],
    ['v3 level 2', { apiVersion: 'v3' as const, verificationLevel: '2', customerUserId: '123' }],
    ['v3 level 3', { apiVersion: 'v3' as const, verificationLevel: 3, phoneNumber: '+13475550100' }],
  ])('%s: url, a PNG QR code that decodes to the url', async (_w, input) => {
    const out = await getVerificationUrl.execute(input as never, ctx);
    expect(out.url.startsWith(`${sb.url}/capture/`)).toBe(true);
    expect(out.qrcode.startsWith('data:image/png;base64,')).toBe(true);
    expect(decodeQrDataUrl(out.qrcode)).toBe(out.url);
    expect(out.referenceId).toMatch(/\S/);
    if ('customerUserId' in input) expect(out.customerUserId).toBe('123');
    const tx = await httpJson(`${sb.url}/sandbox/transactions/${out.docvTransactionToken}`);
    expect(tx.status).toBe(200);
    expect(tx.json.apiVersion).toBe(input.apiVersion);
    const validate = schemaOf('getVerificationUrl', 'outputSchema');
    expect(validate(JSON.parse(JSON.stringify(out))), JSON.stringify(validate.errors)).toBe(true);
  });

  it('refuses a bad verification level naming it, before any request', async () => {
    const before = sandboxLog.length;
    const err = await inputError(getVerificationUrl.execute({ verificationLevel: 4 }, ctx));
    expect(err.field).toBe('verificationLevel');
    expect(sandboxLog.length).toBe(before);
  });

  it.each([
    ['level 3 without a phone number', { apiVersion: 'v3', verificationLevel: 3 }, 'phoneNumber'],
    ['a phone number that is not one', { phoneNumber: 'call me' }, 'phoneNumber'],
    ['a redirect URL that is not a URL', { redirectUrl: 'nope' }, 'redirectUrl'],
    ['a language that is too long', { language: 'english-please' }, 'language'],
  ])('refuses %s, naming the property the flow designer sees', async (_w, input, field) => {
    const before = sandboxLog.length;
    const err = await inputError(getVerificationUrl.execute(input as never, ctx));
    expect(sandboxLog.length).toBe(before);
    expect(err.field).toBe(field);
  });
});

describe('documentVerification.execute (sandbox)', () => {
  it("screen: the seed's default texts and the configured SDK key", async () => {
    const out = await documentVerification.execute({ action: 'screen' }, ctx);
    expect(out).toEqual({
      action: 'screen',
      screen: {
        title: 'Socure Document Verification',
        bodyHeaderText: 'Receive you Document verification URL through SMS',
        sdkKey: sb.keys.sandbox.sdkKey,
      },
    });
  });

  it('screen: overrides replace the defaults one by one', async () => {
    const a = await documentVerification.execute(
      { action: 'screen', screen0Config: { title: 'Verify' } },
      ctx,
    );
    expect(a.screen).toMatchObject({
      title: 'Verify',
      bodyHeaderText: 'Receive you Document verification URL through SMS',
    });
    const b = await documentVerification.execute(
      { action: 'screen', screen0Config: { title: 'T', bodyHeaderText: 'B' } },
      ctx,
    );
    expect(b.screen).toMatchObject({ title: 'T', bodyHeaderText: 'B' });
  });

  it('registerInitiate: normalises (347) 555-0100 to +13475550100 and Socure texts it the link', async () => {
    const out = await documentVerification.execute(
      {
        action: 'registerInitiate',
        customerUserId: '121212',
        registerInitiate: { parameters: { phoneNumber: '(347) 555-0100' } },
      },
      ctx,
    );
    expect(out.action).toBe('registerInitiate');
    expect(out.phoneNumber).toBe('+13475550100');
    expect(out.credId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.url).toBe(`${sb.url}/capture/${out.credId}`);
    expect(out.screen?.title).toBe('Socure Document Verification');
    const sms = await httpJson(`${sb.url}/sandbox/sms?to=%2B13475550100`);
    const mine = (sms.json.messages as Array<{ to: string; body: string; token: string }>).filter(
      (m) => m.token === out.credId,
    );
    expect(mine).toHaveLength(1);
    expect(mine[0]!.to).toBe('+13475550100');
    expect(mine[0]!.body).toContain(out.url!);
  });

  it.each([
    ['shorter than 6 characters', '12345'],
    ['not a phone number', 'call me maybe'],
  ])(
    'registerInitiate: a phoneNumber %s names registerInitiate.parameters.phoneNumber',
    async (_w, phone) => {
      const before = sandboxLog.length;
      const err = await inputError(
        documentVerification.execute(
          { action: 'registerInitiate', registerInitiate: { parameters: { phoneNumber: phone } } },
          ctx,
        ),
      );
      expect(err.field).toBe('registerInitiate.parameters.phoneNumber');
      expect(sandboxLog.length).toBe(before);
    },
  );

  it('registerComplete: pending before, accept after the complete-accept trigger', async () => {
    const started = await documentVerification.execute(
      { action: 'registerInitiate', registerInitiate: { parameters: { phoneNumber: '+13475550100' } } },
      ctx,
    );
    const credId = started.credId!;
    const pending = await documentVerification.execute(
      { action: 'registerComplete', registerComplete: { parameters: { credId } } },
      ctx,
    );
    expect(pending.decision).toBeUndefined();
    await trigger(sb.url, credId, 'complete-accept');
    const done = await documentVerification.execute(
      { action: 'registerComplete', registerComplete: { parameters: { credId, referenceId: 'ref-1' } } },
      ctx,
    );
    expect(done).toMatchObject({
      action: 'registerComplete',
      credId,
      referenceId: 'ref-1',
      decision: 'accept',
    });
    expect(done.reasonCodes?.length).toBeGreaterThan(0);
  });

  it('registerComplete: a missing credId is refused naming it', async () => {
    const err = await inputError(
      documentVerification.execute(
        { action: 'registerComplete', registerComplete: { parameters: { credId: '' } } },
        ctx,
      ),
    );
    expect(err.field).toBe('registerComplete.parameters.credId');
  });
});

describe('webhook.execute', () => {
  it("maps the seed's example rawResponse to the seed's output shape", async () => {
    const out = await webhook.execute(
      {
        payload: SEED_WEBHOOK_OUTPUT_EXAMPLE.rawResponse,
        challenge: SEED_WEBHOOK_OUTPUT_EXAMPLE.challenge,
        userId: SEED_WEBHOOK_OUTPUT_EXAMPLE.credentialStatusObject.userId,
      },
      ctx,
    );
    expect(out.rawResponse).toEqual(SEED_WEBHOOK_OUTPUT_EXAMPLE.rawResponse);
    expect(out.rawResponse.event.customerUserId).toBe(121212);
    expect(out.challenge).toBe(SEED_WEBHOOK_OUTPUT_EXAMPLE.challenge);
    expect(out.credentialStatusObject.challenge).toBe(SEED_WEBHOOK_OUTPUT_EXAMPLE.challenge);
    expect(out.credentialStatusObject.userId).toBe(SEED_WEBHOOK_OUTPUT_EXAMPLE.credentialStatusObject.userId);
    // Same keys and value types as the seed example (rawStatus is an object either way).
    const normalised = { ...out, credentialStatusObject: { ...out.credentialStatusObject, rawStatus: {} } };
    expect(shapeOf(normalised)).toEqual(shapeOf(SEED_WEBHOOK_OUTPUT_EXAMPLE));
    expect(webhookOutput.safeParse(out).success).toBe(true);
    const validate = schemaOf('webhook', 'outputSchema');
    expect(validate(JSON.parse(JSON.stringify(out))), JSON.stringify(validate.errors)).toBe(true);
  });

  it('accepts the payload as JSON text too; uuid is undefined for other events', async () => {
    const payload = {
      ...SEED_WEBHOOK_OUTPUT_EXAMPLE.rawResponse,
      reason: 'APP_OPENED',
      event: {
        ...SEED_WEBHOOK_OUTPUT_EXAMPLE.rawResponse.event,
        eventType: 'APP_OPENED',
        data: { uuid: 'u-1' },
      },
    };
    const out = await webhook.execute({ payload: JSON.stringify(payload) }, ctx);
    expect(out.rawResponse.event.eventType).toBe('APP_OPENED');
    expect(out.uuid).toBeUndefined();
    const uploaded = await webhook.execute(
      {
        payload: {
          ...SEED_WEBHOOK_OUTPUT_EXAMPLE.rawResponse,
          event: { ...SEED_WEBHOOK_OUTPUT_EXAMPLE.rawResponse.event, data: { uuid: 'u-2' } },
        },
      },
      ctx,
    );
    expect(uploaded.uuid).toBe('u-2');
  });

  it('every delivery the sandbox sends for a complete-accept transaction maps to the output schema', async () => {
    const receiver = await startReceiver();
    servers.push(receiver);
    await sb.addWebhook({ url: receiver.url, name: 'capabilities-test' });
    const started = await getVerificationUrl.execute({ customerUserId: '121212' }, ctx);
    const token = started.docvTransactionToken!;
    await trigger(sb.url, token, 'complete-accept');
    const mine = () =>
      receiver.received
        .map((r) => JSON.parse(r.body) as { event: { eventType: string; docvTransactionToken?: string } })
        .filter((b) => b.event.docvTransactionToken === token);
    await eventually(() => {
      const seen = new Set(mine().map((b) => b.event.eventType));
      return ['DOCUMENTS_UPLOADED', 'VERIFICATION_COMPLETED', 'SESSION_COMPLETE'].every((t) => seen.has(t));
    }, 'the deliveries through SESSION_COMPLETE');
    const deliveries = receiver.received.filter(
      (r) =>
        (JSON.parse(r.body) as { event: { docvTransactionToken?: string } }).event.docvTransactionToken ===
        token,
    );
    const validate = schemaOf('webhook', 'outputSchema');
    const types: string[] = [];
    for (const d of deliveries) {
      const out = await webhook.execute({ payload: d.body, challenge: 'ch-1' }, ctx);
      types.push(out.rawResponse.event.eventType);
      expect(webhookOutput.safeParse(out).success, d.body).toBe(true);
      expect(validate(JSON.parse(JSON.stringify(out))), `${d.body}\n${JSON.stringify(validate.errors)}`).toBe(
        true,
      );
      expect(out.credentialStatusObject.credId).toBe(token);
      expect(out.credentialStatusObject.detailStatus).toBe(out.rawResponse.event.eventType);
      expect(out.rawResponse.event.customerUserId).toBe('121212');
      if (out.rawResponse.event.eventType === 'DOCUMENTS_UPLOADED') expect(out.uuid).toMatch(/\S/);
      else expect(out.uuid).toBeUndefined();
      if (out.rawResponse.event.eventType === 'VERIFICATION_COMPLETED') {
        expect(out.rawResponse.event.data).toMatchObject({
          firstName: expect.any(String),
          documentNumber: expect.any(String),
          expirationDate: expect.any(String),
        });
      }
    }
    expect(types).toEqual(
      expect.arrayContaining(['DOCUMENTS_UPLOADED', 'VERIFICATION_COMPLETED', 'SESSION_COMPLETE']),
    );
  });

  it('refuses a payload without an event', async () => {
    await expect(webhook.execute({ payload: { id: 'x' } }, ctx)).rejects.toThrow(/event/);
  });
});
