import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSandboxApp } from '../../src/sandbox/index.js';
import { ID_PLUS_PATH, STOCK } from './helpers.js';

/**
 * Answers the sandbox gave before its engine was optimised (digests only for the areas a request reads,
 * read from latin1 digests, requirements checked without copying the body): magic personas, every module,
 * unforced people (whose bands come from digests too), content faults and refusals. Each must come back
 * byte for byte, key order included, apart from the fresh referenceId.
 */
interface GoldenCase {
  request: Record<string, unknown>;
  status: number;
  body: Record<string, unknown>;
}
const CASES: GoldenCase[] = JSON.parse(
  readFileSync(new URL('./fixtures/idplus-golden.json', import.meta.url), 'utf8'),
);

describe('ID+ answers match the recorded ones', () => {
  let app: FastifyInstance;
  beforeAll(() => {
    app = buildSandboxApp();
  });
  afterAll(() => app.close());

  it('covers the stock persona, every module, refusals and content faults', () => {
    expect(CASES.length).toBeGreaterThan(40);
    expect(CASES[0]!.request).toMatchObject(STOCK);
    expect(new Set(CASES.map((c) => c.status))).toEqual(new Set([200, 400]));
  });

  it.each(CASES.map((c, i) => [i, c] as const))('case %i', async (_i, { request, status, body }) => {
    const res = await app.inject({
      method: 'POST',
      url: ID_PLUS_PATH,
      headers: {
        authorization: 'SocureApiKey a1b234cd-75e1-9e01-f234-56abcdef6789',
        'content-type': 'application/json',
      },
      payload: JSON.stringify(request),
    });
    expect(res.statusCode).toBe(status);
    const answer = res.json();
    if (status === 200 && request.customerUserId !== 'fault-noreference') {
      expect(answer.referenceId).toMatch(/^[0-9a-f-]{36}$/);
    }
    delete answer.referenceId;
    expect(JSON.stringify(answer)).toBe(JSON.stringify(body));
  });
});
