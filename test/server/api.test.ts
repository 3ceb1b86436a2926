import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSession,
  SANDBOX_ID_PLUS_KEY,
  startTestService,
  type TestService,
  triggerSandbox,
  waitForCompletion,
  waitToken,
} from './helpers.js';

let t: TestService;
beforeAll(async () => {
  t = await startTestService();
});
afterAll(async () => {
  await t?.close();
});

describe('POST /api/sessions', () => {
  it('creates a session: 201 with id, signed url, status and expiry', async () => {
    const res = await t.api('/api/sessions', {
      json: { flow: 'idplus-score', customerUserId: 'api-1', returnUrl: 'https://app.example.com/done' },
    });
    expect(res.status).toBe(201);
    const body = res.json<{ id: string; url: string; status: string; expiresAt: string }>();
    expect(Object.keys(body).sort()).toEqual(['expiresAt', 'id', 'status', 'url']);
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.url).toMatch(new RegExp(`^${t.service.publicUrl}/s/${body.id}/[A-Za-z0-9_-]{32}$`));
    expect(body.status).toBe('input');
    expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now());
    // The URL works as given.
    const page = await t.http(body.url);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Get an ID+ score');
  });

  it('the public URL of a port-0 service is the bound address', () => {
    expect(t.service.publicUrl).toMatch(/^http:\/\/localhost:\d+$/);
    expect(t.service.publicUrl).not.toMatch(/:0$/);
    expect(new URL(t.service.publicUrl).port).toBe(new URL(t.service.url).port);
    expect(t.service.webhookUrl.startsWith(`${t.service.publicUrl}/webhooks/socure/`)).toBe(true);
  });

  it('401 without a key, with a wrong key, or with another scheme', async () => {
    for (const authorization of [
      undefined,
      'Bearer wrong-key-wrong-key',
      `Basic ${t.service.apiKey}`,
      t.service.apiKey,
      'Bearer ',
    ]) {
      const res = await t.http('/api/sessions', {
        json: { flow: 'docv-qr' },
        headers: authorization ? { authorization } : {},
      });
      expect(res.status, String(authorization)).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.json()).toMatchObject({ error: 'unauthorized' });
    }
    const read = await t.http('/api/sessions/whatever', { headers: { authorization: 'Bearer nope' } });
    expect(read.status).toBe(401);
  });

  it.each([
    [{}, /^flow: /],
    [{ flow: '' }, /^flow: /],
    [{ flow: 42 }, /^flow: /],
    [{ flow: 'docv-qr', customerUserId: '' }, /^customerUserId: /],
    [{ flow: 'docv-qr', input: { name: { nested: true } } }, /^input\.name: /],
    [{ flow: 'docv-qr', returnUrl: 'javascript:alert(1)' }, /^returnUrl: must be an http\(s\) URL/],
    [{ flow: 'docv-qr', returnUrl: 'not a url' }, /^returnUrl: /],
    [{ flow: 'docv-qr', surprise: 1 }, /surprise/],
  ])('400 naming the field for %j', async (body, message) => {
    const res = await t.api('/api/sessions', { json: body });
    expect(res.status).toBe(400);
    const json = res.json<{ error: string; message: string }>();
    expect(json.error).toBe('invalid_request');
    expect(json.message).toMatch(message);
  });

  it('400 for a body that is not JSON', async () => {
    const res = await t.api('/api/sessions', {
      body: '{"flow":',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ error: 'bad_request' });
    expect(res.text).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });

  it('404 for an unknown flow', async () => {
    const res = await t.api('/api/sessions', { json: { flow: 'no-such-flow' } });
    expect(res.status).toBe(404);
    expect(res.json()).toMatchObject({ error: 'unknown_flow' });
    expect(res.json<{ message: string }>().message).toContain('no-such-flow');
  });
});

describe('GET /api/sessions/:id', () => {
  it('404 for an unknown session', async () => {
    const res = await t.api('/api/sessions/00000000-0000-0000-0000-000000000000');
    expect(res.status).toBe(404);
    expect(res.json()).toMatchObject({ error: 'not_found' });
  });

  it('reports status, outcome, result and timeline of a docv-qr session driven to the end by the sandbox', async () => {
    const { id } = await createSession(t, { flow: 'docv-qr', customerUserId: 'api-docv-1' });
    const waiting = await t.api(`/api/sessions/${id}`);
    expect(waiting.status).toBe(200);
    expect(waiting.headers['cache-control']).toBe('no-store');
    expect(waiting.json()).toMatchObject({
      id,
      flow: 'docv-qr',
      status: 'waiting',
      outcome: null,
      result: null,
      customerUserId: 'api-docv-1',
    });

    const token = await waitToken(t, id);
    await triggerSandbox(t, token, 'complete-accept');
    await waitForCompletion(t, id);

    const res = await t.api(`/api/sessions/${id}`);
    expect(res.status).toBe(200);
    const body = res.json<{
      status: string;
      outcome: string;
      result: Record<string, unknown>;
      timeline: Array<{ at: string; type: string; detail: Record<string, unknown> }>;
      createdAt: string;
      updatedAt: string;
      expiresAt: string;
    }>();
    expect(body.status).toBe('completed');
    expect(body.outcome).toBe('verified');
    expect(body.result).toMatchObject({ decision: 'accept', docvTransactionToken: token });
    const types = body.timeline.map((e) => e.type);
    expect(types[0]).toBe('created');
    expect(types).toContain('waiting');
    expect(types.filter((x) => x === 'resumed')).toHaveLength(1);
    expect(types.at(-1)).toBe('completed');
    for (const e of body.timeline) expect(Number.isNaN(Date.parse(e.at))).toBe(false);
    expect(Date.parse(body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(body.createdAt));
    expect(JSON.stringify(body)).not.toContain(SANDBOX_ID_PLUS_KEY);
  });

  // Regression: {{session.customerUserId}} used to resolve to null, which getVerificationUrl refused.
  it('a docv-qr session created without customerUserId reaches the QR page', async () => {
    const { id, status } = await createSession(t, { flow: 'docv-qr' });
    expect(status).toBe('waiting');
    const res = await t.api(`/api/sessions/${id}`);
    expect(res.json()).toMatchObject({ status: 'waiting', outcome: null });
  });
});

describe('GET /api/openapi.json', () => {
  it('names every response by an HTTP status code or a range as OpenAPI 3.1 spells them (2XX, not 2xx)', async () => {
    type Operations = Record<string, Record<string, { responses: Record<string, unknown> }>>;
    const doc = (await t.http('/api/openapi.json')).json<{ paths: Operations; webhooks: Operations }>();
    const codes = [doc.paths, doc.webhooks].flatMap((group) =>
      Object.values(group).flatMap((ops) => Object.values(ops).flatMap((op) => Object.keys(op.responses))),
    );
    expect(codes.length).toBeGreaterThan(10);
    expect(codes.filter((code) => !/^([1-5](\d\d|XX)|default)$/.test(code))).toEqual([]);
    expect(codes).toContain('2XX');
  });

  it('is an OpenAPI 3.1 document of both routes with schemas generated from zod', async () => {
    const res = await t.http('/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.json<{
      openapi: string;
      info: { title: string; version: string };
      servers: Array<{ url: string }>;
      paths: Record<
        string,
        Record<
          string,
          {
            responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
            requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
          }
        >
      >;
      components: { securitySchemes: Record<string, unknown> };
    }>();
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.info.title).toBeTruthy();
    expect(doc.servers[0]!.url).toBe(t.service.publicUrl);
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/audit',
      '/api/customers/{customerUserId}',
      '/api/sessions',
      '/api/sessions/{id}',
      '/api/sessions/{id}/cancel',
    ]);
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });

    const create = doc.paths['/api/sessions']!.post!;
    const requestSchema = create.requestBody!.content['application/json']!.schema;
    expect(requestSchema).toMatchObject({
      type: 'object',
      required: ['flow'],
      additionalProperties: false,
      properties: { flow: { type: 'string' }, returnUrl: { type: 'string', format: 'uri' } },
    });
    expect(Object.keys(create.responses).sort()).toEqual(['201', '400', '401', '404']);
    const read = doc.paths['/api/sessions/{id}']!.get!;
    const sessionSchema = read.responses['200']!.content!['application/json']!.schema;
    expect(sessionSchema).toMatchObject({
      type: 'object',
      properties: { outcome: { anyOf: expect.any(Array) }, timeline: { type: 'array' } },
    });

    // Each generated schema compiles as JSON Schema 2020-12 (the dialect of OpenAPI 3.1).
    const ajv = new Ajv2020.default({ strict: false, logger: false });
    for (const schema of [
      requestSchema,
      sessionSchema,
      create.responses['201']!.content!['application/json']!.schema,
    ]) {
      const { $schema: _, ...rest } = schema;
      expect(() => ajv.compile(rest)).not.toThrow();
    }
    const validRequest = ajv.compile((({ $schema: _, ...rest }) => rest)(requestSchema));
    expect(validRequest({ flow: 'docv-qr' })).toBe(true);
    expect(validRequest({ flow: 'docv-qr', extra: 1 })).toBe(false);
  });

  it('a real answer matches the documented schema', async () => {
    const doc = (await t.http('/api/openapi.json')).json<{
      paths: Record<
        string,
        Record<
          string,
          { responses: Record<string, { content: Record<string, { schema: Record<string, unknown> }> }> }
        >
      >;
    }>();
    const ajv = new Ajv2020.default({ strict: false, logger: false });
    ajv.addFormat('uri', true).addFormat('date-time', true);
    const { id } = await createSession(t, { flow: 'idplus-score', customerUserId: 'schema-1' });
    const { $schema: _, ...schema } =
      doc.paths['/api/sessions/{id}']!.get!.responses['200']!.content['application/json']!.schema;
    const validate = ajv.compile(schema);
    const body = (await t.api(`/api/sessions/${id}`)).json();
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
  });
});
