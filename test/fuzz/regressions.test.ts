import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capabilities } from '../../src/connector/manifest.js';
import { FlowDefinitionError, parseFlow } from '../../src/flows/loader.js';
import { SocureInputError } from '../../src/socure/errors.js';
import { buildIdPlusRequest, type IdPlusRequest } from '../../src/socure/idplus/request.js';
import { PERSONA_FORM } from '../server/helpers.js';
import { send } from './http.js';
import { type PoolSession, ServiceRig } from './service-rig.js';

/**
 * Counterexamples the fuzz suite found, shrunk and kept as named tests so they stay fixed.
 * Finding 8: a form submitted as JSON with a non-string value answered 500 (String() on untrusted values).
 * Findings A–F: see each describe; the report in RELIABILITY.md lists what each did and how it was fixed.
 */
let rig: ServiceRig;
beforeAll(async () => {
  rig = await ServiceRig.start({ rateLimitApiPerMinute: 1e9, rateLimitPagesPerMinute: 1e9 });
});
afterAll(() => rig?.close());

const DEEP = '['.repeat(20_000) + ']'.repeat(20_000);
const CAPABILITY_IDS = new Set(Object.keys(capabilities));
const SHIPPED_FLOW = JSON.parse(
  readFileSync(new URL('../../flows/idplus-score.json', import.meta.url), 'utf8'),
);

async function submitJson(s: PoolSession, fields: Record<string, string>) {
  const entries = { csrf: JSON.stringify(s.csrf), node: '"form"', ...fields };
  const body = `{${Object.entries(entries)
    .map(([k, v]) => `${JSON.stringify(k)}:${v}`)
    .join(',')}}`;
  return send(rig.origin, {
    method: 'POST',
    path: `/s/${s.id}/${s.sig}/submit`,
    headers: { 'content-type': 'application/json', cookie: rig.cookie },
    body,
  });
}

const persona = Object.fromEntries(Object.entries(PERSONA_FORM).map(([k, v]) => [k, JSON.stringify(v)]));

describe('finding 8: form submit with non-string values', () => {
  it('a form field {"toString":1} is refused with 422 and a clear message, not 500', async () => {
    const s = await rig.newSession('idplus-score');
    const res = await submitJson(s, { ...persona, firstName: '{"toString":1}' });
    expect(res.status).toBe(422);
    expect(res.type).toMatch(/^text\/html/);
    expect(res.text).toContain('First name must be text');
    expect((await rig.t.service.store.getSession(s.id))?.status).toBe('input');
  });

  it('a form field of 20,000 nested arrays is refused with 422, not 500', async () => {
    const s = await rig.newSession('idplus-score');
    const res = await submitJson(s, { ...persona, surName: DEEP });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Last name must be text');
  });

  it('a "node" of {"toString":1} is refused with 400, not 500', async () => {
    const s = await rig.newSession('idplus-score');
    const res = await submitJson(s, { ...persona, node: '{"toString":1}' });
    expect(res.status).toBe(400);
    expect(res.type).toMatch(/^text\/html/);
    expect(res.text).toContain('This form was not sent as text');
  });

  it('a "node" of 20,000 nested arrays is refused with 400, not 500', async () => {
    const s = await rig.newSession('idplus-score');
    const res = await submitJson(s, { ...persona, node: DEEP });
    expect(res.status).toBe(400);
  });
});

describe('finding A: a path the router refuses gets the route’s own error shape', () => {
  it('GET /flows/%ff/start (malformed escape) answers the HTML error page, not Fastify’s JSON', async () => {
    const res = await send(rig.origin, {
      method: 'POST',
      path: '/flows/%ff/start',
      headers: {},
      body: undefined,
    });
    expect(res.status).toBe(400);
    expect(res.type).toMatch(/^text\/html/);
    expect(res.text).not.toContain('FST_ERR_BAD_URL');
  });

  it('GET /api/sessions/%zz answers {error} JSON', async () => {
    const res = await send(rig.origin, {
      method: 'GET',
      path: '/api/sessions/%zz',
      headers: { authorization: `Bearer ${rig.t.service.apiKey}` },
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ error: 'bad_request' });
  });

  it('a path parameter over the router’s limit (1000 characters) answers the HTML page (414), not Fastify’s JSON', async () => {
    const res = await send(rig.origin, { method: 'GET', path: `/s/${'a'.repeat(1001)}/x`, headers: {} });
    expect(res.status).toBe(414);
    expect(res.type).toMatch(/^text\/html/);
  });

  it('the sandbox answers GET /api//%zz and /capture/%/consent with Socure’s error body', async () => {
    const sandbox = rig.t.service.sandbox!;
    for (const path of ['/api//%zz', '/capture/%/consent', '/admin/api/allowlist/%ff']) {
      const res = await send(sandbox.url, { method: 'GET', path, headers: {} });
      expect(res.status, path).toBe(400);
      expect(JSON.parse(res.text), path).toMatchObject({ status: 'Error', msg: expect.any(String) });
    }
  });
});

describe('finding B: unknown routes under /webhooks/ answer JSON', () => {
  it('POST /webhooks/socure/<path>/ (trailing slash) answers {error:"not_found"}, not an HTML page', async () => {
    const path = `/webhooks/socure/${rig.t.service.webhookUrl.split('/').pop()}/`;
    const res = await send(rig.origin, {
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json' },
      body: 'false',
    });
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text)).toEqual({ error: 'not_found' });
  });
});

describe('finding C: HEAD on the event stream', () => {
  it('HEAD /s/:id/:sig/events is answered at once (404), not left open holding a stream slot', async () => {
    const s = await rig.newSession('docv-qr');
    const res = await send(rig.origin, {
      method: 'HEAD',
      path: `/s/${s.id}/${s.sig}/events`,
      headers: { cookie: rig.cookie },
    });
    expect(res.status).toBe(404);
  });
});

describe('finding D: unknown assets', () => {
  it('GET /assets/+ answers the HTML "Page not found", not text/plain', async () => {
    const res = await send(rig.origin, { method: 'GET', path: '/assets/+', headers: {} });
    expect(res.status).toBe(404);
    expect(res.type).toMatch(/^text\/html/);
    expect(res.text).toContain('Page not found');
  });
});

describe('finding E: a non-string with a `length` in a length-checked field', () => {
  const api = (body: string) =>
    send(rig.origin, {
      method: 'POST',
      path: '/api/sessions',
      headers: { authorization: `Bearer ${rig.t.service.apiKey}`, 'content-type': 'application/json' },
      body,
    });

  it('POST /api/sessions {"flow":{"length":{"toString":1}}} answers 400 naming the field, not 500', async () => {
    const res = await api('{"flow":{"length":{"toString":1}}}');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({
      error: 'invalid_request',
      message: expect.stringMatching(/^flow: /),
    });
  });

  it('POST /api/sessions with an input value {"length":{"toString":1}} answers 400, not 500', async () => {
    const res = await api('{"flow":"docv-qr","input":{"a":{"length":{"toString":1}}}}');
    expect(res.status).toBe(400);
  });

  it('buildIdPlusRequest({city: {length: <20,000 nested arrays>}}) throws SocureInputError, not RangeError', () => {
    const city = JSON.parse(`{"length":${DEEP}}`);
    expect(() => buildIdPlusRequest({ modules: ['kyc'], city } as unknown as IdPlusRequest)).toThrow(
      SocureInputError,
    );
    expect(() =>
      buildIdPlusRequest({
        modules: ['kyc'],
        firstName: { length: { toString: 1 } },
      } as unknown as IdPlusRequest),
    ).toThrow(/^firstName: /);
  });

  it('buildIdPlusRequest({modules: {length: {toString: 1}}}) throws SocureInputError, not TypeError', () => {
    expect(() =>
      buildIdPlusRequest({ modules: { length: { toString: 1 } } } as unknown as IdPlusRequest),
    ).toThrow(SocureInputError);
  });

  it('parseFlow with a title {"length":{"toString":1}} throws FlowDefinitionError naming the field', () => {
    const flow = { ...SHIPPED_FLOW, title: { length: { toString: 1 } } };
    expect(() => parseFlow('odd.json', flow, CAPABILITY_IDS)).toThrow(FlowDefinitionError);
    expect(() => parseFlow('odd.json', flow, CAPABILITY_IDS)).toThrow(/odd\.json: title: /);
  });
});

describe('finding F: a flow nested 20,000 levels deep', () => {
  it('parseFlow throws FlowDefinitionError naming the node, not RangeError', () => {
    const flow = JSON.parse(JSON.stringify(SHIPPED_FLOW)) as {
      nodes: Record<string, Record<string, unknown>>;
    };
    const [id, node] = Object.entries(flow.nodes).find(([, n]) => n.type === 'capability')!;
    node.input = JSON.parse(`{"deep":${DEEP}}`);
    expect(() => parseFlow('deep.json', flow, CAPABILITY_IDS)).toThrow(FlowDefinitionError);
    expect(() => parseFlow('deep.json', flow, CAPABILITY_IDS)).toThrow(
      new RegExp(`deep\\.json: node "${id}": input\\.deep\\.0…: nested deeper than 64 levels`),
    );
  });
});
