import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildManifest,
  type CapabilityContext,
  type ConnectorConfig,
  capabilities,
  clientOptionsFrom,
  resolveConnectorSettings,
  SettingsError,
} from '../../src/connector/index.js';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import { SocureClient, SocureInputError } from '../../src/socure/index.js';
import { decodeQrDataUrl, trigger } from './support.js';

const { evaluate, getEvaluation } = capabilities;
type EvaluateInput = Parameters<typeof evaluate.execute>[0];
const input = (v: Record<string, unknown>) => v as EvaluateInput;

const JAX = {
  workflow: 'consumer_onboarding',
  givenName: 'Jax',
  familyName: 'Myra',
  dateOfBirth: '1990-04-04',
  nationalId: '666-99-0266',
  email: 'jax@example.com',
  phoneNumber: '(347) 555-0100',
  country: 'us',
};

let sb: RunningSandbox;
let ctx: CapabilityContext;
const clients: SocureClient[] = [];

function contextFor(config: ConnectorConfig): CapabilityContext {
  const client = new SocureClient(clientOptionsFrom(config));
  clients.push(client);
  return { client, config };
}

beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
  ctx = contextFor(
    resolveConnectorSettings({
      SOCURE_ID_PLUS_KEY: sb.keys.sandbox.idPlusKey,
      SOCURE_API_URL: sb.url,
      SOCURE_RISKOS_KEY: sb.keys.sandbox.riskOsKey,
      SOCURE_RISKOS_URL: sb.url,
      SOCURE_MAX_RETRIES: '0',
    }),
  );
});
afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await sb?.close();
});

const manifest = buildManifest('0.0.0');
const ajv = new Ajv2020.default({ strict: false, allErrors: true });
const schemaOf = (id: string, which: 'inputSchema' | 'outputSchema') =>
  ajv.compile(manifest.capabilities.find((c) => c.id === id)![which] as object);

describe('capability evaluate ("Run a RiskOS evaluation")', () => {
  it('runs an evaluation that pauses for DocV; getEvaluation re-fetches the final decision after the capture', async () => {
    expect(schemaOf('evaluate', 'inputSchema')(JAX)).toBe(true);
    const out = await evaluate.execute(input(JAX), ctx);
    expect(schemaOf('evaluate', 'outputSchema')(out)).toBe(true);
    expect(out).toMatchObject({
      paused: true,
      completed: false,
      decision: 'REVIEW',
      evalStatus: 'evaluation_paused',
    });
    expect(decodeQrDataUrl(out.stepUp!.qrcode)).toBe(out.stepUp!.url);
    await trigger(sb.url, out.stepUp!.docvTransactionToken, 'complete-accept');
    const after = await getEvaluation.execute({ evalId: out.evalId }, ctx);
    expect(schemaOf('getEvaluation', 'outputSchema')(after)).toBe(true);
    expect(after).toMatchObject({ completed: true, decision: 'ACCEPT', evalId: out.evalId });
    expect(after.stepUp?.docvTransactionToken).toBe(out.stepUp!.docvTransactionToken);
  });

  it('reports failed enrichments and reason codes', async () => {
    const out = await evaluate.execute(input({ workflow: 'consumer_onboarding', givenName: 'Only' }), ctx);
    expect(out.decision).toBe('REJECT');
    expect(out.failedEnrichments[0]).toMatchObject({ provider: 'Socure', statusCode: 400 });
    const reject = await evaluate.execute(
      input({ ...JAX, familyName: 'Reject', nationalId: '123456789' }),
      ctx,
    );
    expect(reject.reasonCodes).toContain('R203');
  });

  it('names the property at fault, before any call', async () => {
    const err = await evaluate.execute(input({ ...JAX, phoneNumber: '12' }), ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SocureInputError);
    expect((err as SocureInputError).field).toBe('phoneNumber');
    const custom = await evaluate
      .execute(input({ ...JAX, custom: '{not json' }), ctx)
      .catch((e: unknown) => e);
    expect((custom as SocureInputError).field).toBe('custom');
  });

  it('without a RiskOS key the error names the setting', async () => {
    const noKey = contextFor(
      resolveConnectorSettings({ SOCURE_ID_PLUS_KEY: sb.keys.sandbox.idPlusKey, SOCURE_API_URL: sb.url }),
    );
    const err = await evaluate.execute(input(JAX), noKey).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SocureInputError);
    expect((err as Error).message).toContain('SOCURE_RISKOS_KEY');
  });
});

describe('RiskOS settings', () => {
  const base = { SOCURE_ID_PLUS_KEY: 'k' };
  it('reads the key, URL and API version from variables or flags; the key is never echoed', () => {
    const c = resolveConnectorSettings(
      { ...base, SOCURE_RISKOS_KEY: 'from-env', SOCURE_RISKOS_API_VERSION: '2025-01-01.orion' },
      { riskOsKey: 'from-flag', riskOsUrl: 'http://127.0.0.1:9' },
    );
    expect(c).toMatchObject({
      riskOsKey: 'from-flag',
      riskOsUrl: 'http://127.0.0.1:9',
      riskOsApiVersion: '2025-01-01.orion',
    });
    expect(clientOptionsFrom(c).riskOs).toMatchObject({ apiKey: 'from-flag', baseUrl: 'http://127.0.0.1:9' });
    const bad = () => resolveConnectorSettings({ ...base, SOCURE_RISKOS_KEY: 'has space' });
    expect(bad).toThrow(SettingsError);
    expect(bad).toThrow(/SOCURE_RISKOS_KEY/);
    try {
      bad();
    } catch (err) {
      expect((err as Error).message).not.toContain('has space');
    }
    expect(() => resolveConnectorSettings({ ...base, SOCURE_RISKOS_API_VERSION: 'x y' })).toThrow(
      /SOCURE_RISKOS_API_VERSION/,
    );
    expect(() =>
      resolveConnectorSettings({
        ...base,
        SOCURE_ENVIRONMENT: 'certification',
        SOCURE_API_URL: 'http://x',
        SOCURE_RISKOS_KEY: 'k',
      }),
    ).toThrow(/SOCURE_RISKOS_URL/);
    expect(clientOptionsFrom(resolveConnectorSettings(base)).riskOs).toBeUndefined();
  });
});
