import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { buildManifest, type CapabilityProperty } from '../../src/connector/index.js';
import {
  SEED_CUSTOM_CALL_INPUT_EXAMPLE,
  SEED_GET_SCORE_LABELS,
  SEED_WEBHOOK_OUTPUT_EXAMPLE,
} from './support.js';

const manifest = buildManifest('9.9.9');
const SEED_IDS = ['documentVerification', 'webhook', 'getScore', 'makeCustomApiCall', 'getVerificationUrl'];
/** RiskOS (issue 13): run an evaluation, and fetch one again after its step-up. */
const RISKOS_IDS = ['evaluate', 'getEvaluation'];

/** Ajv in strict mode (unknown keywords are errors); union types are valid JSON Schema, so allowed. */
function ajv() {
  return new Ajv2020.default({
    strict: true,
    allowUnionTypes: true,
    allErrors: true,
    formats: { uri: /^[a-z][a-z0-9+.-]*:\/\/\S+$/i, email: /^[^\s@]+@[^\s@]+$/ },
  });
}

function capability(id: string) {
  const c = manifest.capabilities.find((x) => x.id === id);
  if (!c) throw new Error(`no capability ${id}`);
  return c;
}

function property(id: string, label: string): CapabilityProperty {
  const p = capability(id).properties.find((x) => x.label === label);
  if (!p) throw new Error(`${id} has no property labelled ${JSON.stringify(label)}`);
  return p;
}

describe('buildManifest', () => {
  it('carries the name, the version asked for, the five seed capabilities and the two RiskOS ones', () => {
    expect(manifest.name).toBe('socure-connector');
    expect(manifest.version).toBe('9.9.9');
    const ids = [...SEED_IDS, ...RISKOS_IDS];
    expect(manifest.capabilities.map((c) => c.id).sort()).toEqual(ids.sort());
    expect(new Set(manifest.capabilities.map((c) => c.id)).size).toBe(ids.length);
    expect(capability('evaluate').title).toBe('Run a RiskOS evaluation');
  });

  it('gives every capability a title, a description and its properties', () => {
    const titles = Object.fromEntries(manifest.capabilities.map((c) => [c.id, c.title]));
    expect(titles).toMatchObject({
      documentVerification: 'Verify a Document',
      getScore: 'Get an ID+ Score',
      makeCustomApiCall: 'Make Custom API Call',
      getVerificationUrl: 'Get a Document Verification URL and QR Code',
    });
    expect(titles.webhook).toMatch(/Wait for the Document(ation)? Verification Result/);
    for (const c of manifest.capabilities) {
      expect(c.description.length, c.id).toBeGreaterThan(10);
      expect(Array.isArray(c.properties), c.id).toBe(true);
      for (const p of c.properties) {
        expect(p.name, `${c.id} property name`).toMatch(/\S/);
        expect(p.label, `${c.id}.${p.name} label`).toMatch(/\S/);
        expect(['textField', 'dropDown', 'dropDownMultiSelect', 'keyValueList', 'codeEditor']).toContain(
          p.controlType,
        );
        if (p.controlType === 'dropDown' || p.controlType === 'dropDownMultiSelect') {
          expect(p.options?.length, `${c.id}.${p.name} options`).toBeGreaterThan(0);
        }
      }
      const names = c.properties.map((p) => p.name);
      expect(new Set(names).size, `${c.id} has duplicate property names`).toBe(names.length);
    }
  });

  it('getScore: a dropDownMultiSelect "modules" and a textField for each seed label', () => {
    const modules = capability('getScore').properties.find((p) => p.name === 'modules');
    expect(modules?.controlType).toBe('dropDownMultiSelect');
    expect(modules?.options?.map((o) => o.value)).toEqual(
      expect.arrayContaining(['kyc', 'fraud', 'decision']),
    );
    const labels = capability('getScore').properties.map((p) => p.label);
    const missing = SEED_GET_SCORE_LABELS.filter((l) => !labels.includes(l));
    expect(missing, 'seed labels missing from getScore').toEqual([]);
    for (const label of SEED_GET_SCORE_LABELS)
      expect(property('getScore', label).controlType).toBe('textField');
  });

  it('makeCustomApiCall: Endpoint, HTTP Method, Query Parameters, Additional Headers, Body', () => {
    expect(property('makeCustomApiCall', 'Endpoint')).toMatchObject({
      name: 'endpoint',
      controlType: 'textField',
      required: true,
    });
    const method = property('makeCustomApiCall', 'HTTP Method');
    expect(method).toMatchObject({ controlType: 'dropDown', required: true });
    expect(method.options?.map((o) => o.value)).toEqual(['GET', 'POST', 'PUT', 'DELETE']);
    expect(property('makeCustomApiCall', 'Query Parameters').controlType).toBe('keyValueList');
    expect(property('makeCustomApiCall', 'Additional Headers').controlType).toBe('keyValueList');
    expect(property('makeCustomApiCall', 'Body').controlType).toBe('codeEditor');
  });

  it('documentVerification: title and bodyHeaderText with the seed defaults, Verification Level, Country', () => {
    expect(property('documentVerification', 'title')).toMatchObject({
      controlType: 'textField',
      default: 'Socure Document Verification',
    });
    expect(property('documentVerification', 'bodyHeaderText')).toMatchObject({
      controlType: 'textField',
      default: 'Receive you Document verification URL through SMS',
    });
    const level = property('documentVerification', 'Verification Level');
    expect(level).toMatchObject({ controlType: 'dropDown', required: true });
    expect(level.options?.map((o) => o.label)).toEqual([
      'Document upload only (Default)',
      'Document upload and document verification',
      'Document upload, document verification, and Phone RiskScore',
    ]);
    expect(property('documentVerification', 'Country')).toMatchObject({
      controlType: 'textField',
      help: 'Two letter ISO Country',
    });
  });

  it('getVerificationUrl: Verification Level, Customer User ID, Phone Number, Country', () => {
    expect(property('getVerificationUrl', 'Verification Level')).toMatchObject({
      controlType: 'dropDown',
      required: true,
    });
    expect(property('getVerificationUrl', 'Customer User ID').controlType).toBe('textField');
    expect(property('getVerificationUrl', 'Phone Number')).toMatchObject({
      controlType: 'textField',
      help: 'Used with Verification Level 3',
    });
    expect(property('getVerificationUrl', 'Country').controlType).toBe('textField');
  });

  it('configuration: ID+ Key (secret; it or the RiskOS API Key required), SDK Key, API URL, Webhook URL', () => {
    const props = manifest.configuration.properties;
    const byLabel = (label: string) => props.find((p) => p.label === label);
    // A RiskOS-only configuration has no ID+ key: neither key is required alone, the schema requires one of them.
    expect(byLabel('ID+ Key')).toMatchObject({ name: 'idPlusKey', required: false, secret: true });
    expect(byLabel('RiskOS API Key')).toMatchObject({ name: 'riskOsKey', required: false, secret: true });
    const validate = ajv().compile(manifest.configuration.schema as object);
    expect(validate({})).toBe(false);
    expect(validate({ idPlusKey: 'k' })).toBe(true);
    expect(validate({ riskOsKey: 'r' })).toBe(true);
    expect(validate({ idPlusKey: 'k', riskOsKey: 'r' })).toBe(true);
    expect(byLabel('SDK Key')).toMatchObject({ name: 'sdkKey' });
    expect(byLabel('API URL')).toBeDefined();
    expect(byLabel('Webhook URL')).toMatchObject({ name: 'webhookUrl', controlType: 'textField' });
    const envs = byLabel('API URL') as { options?: Array<{ value: string }> };
    expect(envs.options?.map((o) => o.value).sort()).toEqual(['certification', 'production', 'sandbox']);
  });

  it('every input and output schema, and the configuration schema, compiles with ajv 2020 (strict)', () => {
    for (const c of manifest.capabilities) {
      for (const which of ['inputSchema', 'outputSchema'] as const) {
        const schema = c[which] as Record<string, unknown>;
        expect(schema.$schema, `${c.id}.${which}`).toBe('https://json-schema.org/draft/2020-12/schema');
        expect(() => ajv().compile(schema), `${c.id}.${which}`).not.toThrow();
      }
    }
    expect(() => ajv().compile(manifest.configuration.schema as object)).not.toThrow();
  });

  it('the schemas accept the seed examples and refuse broken values', () => {
    const a = ajv();
    const customIn = a.compile(capability('makeCustomApiCall').inputSchema as object);
    expect(customIn(SEED_CUSTOM_CALL_INPUT_EXAMPLE.properties), JSON.stringify(customIn.errors)).toBe(true);
    expect(customIn({ method: 'PATCH', endpoint: '/x' })).toBe(false);
    expect(customIn({ method: 'GET' })).toBe(false);

    const webhookOut = a.compile(capability('webhook').outputSchema as object);
    expect(webhookOut(SEED_WEBHOOK_OUTPUT_EXAMPLE), JSON.stringify(webhookOut.errors)).toBe(true);
    expect(webhookOut({ rawResponse: {} })).toBe(false);

    const scoreIn = a.compile(capability('getScore').inputSchema as object);
    expect(scoreIn({ modules: ['kyc'], firstName: 'Dwayne', previousOrderCount: '3' })).toBe(true);
    expect(scoreIn({ modules: [] })).toBe(false);
    expect(scoreIn({ modules: ['not-a-module'] })).toBe(false);

    const dvIn = a.compile(capability('documentVerification').inputSchema as object);
    expect(dvIn({ action: 'screen' })).toBe(true);
    expect(
      dvIn({ action: 'registerInitiate', registerInitiate: { parameters: { phoneNumber: '+13475550100' } } }),
    ).toBe(true);
    expect(
      dvIn({ action: 'registerInitiate', registerInitiate: { parameters: { phoneNumber: '123' } } }),
    ).toBe(false);

    const urlOut = a.compile(capability('getVerificationUrl').outputSchema as object);
    expect(
      urlOut({
        url: 'https://x/capture/1',
        qrcode: 'data:image/png;base64,AA',
        referenceId: 'r',
      }),
    ).toBe(true);
    expect(urlOut({ url: 'https://x' })).toBe(false);
  });

  it('is plain JSON: serialising and parsing gives the same manifest', () => {
    expect(JSON.parse(JSON.stringify(manifest))).toEqual(manifest);
  });
});
