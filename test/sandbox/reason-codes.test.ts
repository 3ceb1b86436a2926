import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import { REASON_CODE_GROUPS } from '../../src/socure/reason-codes-table.js';
import { call } from './helpers.js';

describe('GET /api/3.0/reasoncodes (real sockets)', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
  });
  afterAll(() => sandbox.close());

  it.each(['/api/3.0/reasoncodes?group=true', '/api/3.0/reasoncodes'])(
    '%s → the grouped catalogue',
    async (path) => {
      const res = await call(sandbox, path);
      expect(res.status).toBe(200);
      expect(res.json).toEqual({
        referenceId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        reasonCodes: REASON_CODE_GROUPS,
      });
    },
  );

  it('works with every environment key', async () => {
    for (const env of ['sandbox', 'certification', 'production'] as const) {
      expect((await call(sandbox, '/api/3.0/reasoncodes', { key: sandbox.keys[env].idPlusKey })).status).toBe(
        200,
      );
    }
  });

  it('every code the engine emits is in the catalogue', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const dir = new URL('../../src/sandbox/idplus/', import.meta.url);
    const files = ['', 'blocks/'].flatMap((sub) =>
      readdirSync(new URL(sub, dir))
        .filter((f) => f.endsWith('.ts'))
        .map((f) => readFileSync(new URL(sub + f, dir), 'utf8')),
    );
    const known = new Set(Object.values(REASON_CODE_GROUPS).flatMap((g) => Object.keys(g)));
    const used = new Set(files.flatMap((src) => src.match(/'[IR]\d{3}'/g) ?? []).map((c) => c.slice(1, -1)));
    expect(used.size).toBeGreaterThan(40);
    expect([...used].filter((c) => !known.has(c))).toEqual([]);
  });
});
