import { validate } from '@readme/openapi-parser';
import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './helpers.js';

/**
 * The document a running service serves at /api/openapi.json, checked by a real OpenAPI 3.1 validator
 * (@readme/openapi-parser: the official 3.1 schema, webhooks included, plus path-parameter and operationId
 * rules) and every schema in it against the JSON Schema 2020-12 meta-schema. No route list here: whatever the
 * document holds must pass.
 */
type Doc = Record<string, unknown> & {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown>; parameters?: unknown[] }>>;
  webhooks: Record<string, Record<string, { responses: Record<string, unknown> }>>;
};

let t: TestService;
let served: Doc;
beforeAll(async () => {
  t = await startTestService();
  const res = await t.http('/api/openapi.json');
  expect(res.status).toBe(200);
  served = res.json<Doc>();
});
afterAll(async () => {
  await t?.close();
});

/** The validator's verdict on a copy of the document (it may rewrite $refs in what it is given). */
const validated = (doc: unknown) => validate(structuredClone(doc) as Parameters<typeof validate>[0]);

/** The validator's complaints, as readable messages ([] when it passes). */
async function problemsOf(doc: unknown): Promise<string[]> {
  const result = await validated(doc);
  return result.valid ? [] : result.errors.map((e) => e.message);
}

/** Every Schema Object in the document: parameter schemas and media-type schemas, at any depth. */
function schemasIn(node: unknown, found: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(node)) for (const item of node) schemasIn(item, found);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'schema' && value && typeof value === 'object')
        found.push(value as Record<string, unknown>);
      else schemasIn(value, found);
    }
  }
  return found;
}

const ajv = new Ajv2020.default({ strict: false, logger: false });
const metaProblemsOf = (schema: Record<string, unknown>) =>
  ajv.validateSchema(schema) ? [] : [JSON.stringify(ajv.errors)];

describe('GET /api/openapi.json passes an OpenAPI 3.1 validator', () => {
  it('is a valid OpenAPI 3.1 document, paths and webhooks alike', async () => {
    expect(served.openapi).toMatch(/^3\.1\./);
    expect(Object.keys(served.paths).length).toBeGreaterThan(0);
    expect(Object.keys(served.webhooks).length).toBeGreaterThan(0);
    expect(await problemsOf(served)).toEqual([]);
    const result = await validated(served);
    expect(result.specification).toBe('OpenAPI');
    expect(result.warnings).toEqual([]);
  });

  it('every schema in it is a JSON Schema 2020-12 schema (the dialect of OpenAPI 3.1)', () => {
    const schemas = schemasIn(served);
    expect(schemas.length).toBeGreaterThan(5);
    expect(schemas.flatMap(metaProblemsOf)).toEqual([]);
  });
});

describe('the checks above can fail', () => {
  it('the validator rejects a response keyed "2xx" (OpenAPI spells ranges 2XX)', async () => {
    const doc = structuredClone(served);
    const [path, ops] = Object.entries(doc.paths)[0]!;
    const op = Object.values(ops)[0]!;
    const [code, response] = Object.entries(op.responses)[0]!;
    delete op.responses[code];
    op.responses['2xx'] = response;
    const problems = await problemsOf(doc);
    expect(problems.join('\n'), `${path} with 2xx`).toMatch(/2xx/);
  });

  it('the validator rejects a webhook whose response has no description', async () => {
    const doc = structuredClone(served);
    const op = Object.values(Object.values(doc.webhooks)[0]!)[0]!;
    op.responses = { '2XX': {} };
    expect((await problemsOf(doc)).join('\n')).toMatch(/description/);
  });

  it('the validator rejects a path parameter the operation does not declare', async () => {
    const doc = structuredClone(served);
    const templated = Object.entries(doc.paths).find(([path]) => path.includes('{'));
    expect(templated).toBeDefined();
    const [path, ops] = templated!;
    for (const op of Object.values(ops)) op.parameters = [];
    expect((await problemsOf(doc)).join('\n')).toContain(path);
  });

  it('the meta-schema check rejects a schema with an unknown type', () => {
    expect(metaProblemsOf({ type: 'strin' })).not.toEqual([]);
    expect(metaProblemsOf({ type: 'string' })).toEqual([]);
  });
});
