import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import { SocureClient, SocureResponseValidationError } from '../../src/socure/index.js';
import { type Answer, CLEAN_PERSON, call, idPlus } from './helpers.js';

const V5 = '/api/5.0/documents/request';
const V3 = '/api/3.0/documents/request';
const v5 = (customerUserId: string) => ({ config: { documentType: 'license' }, customerUserId });
const v3 = (customerUserId: string) => ({ verificationLevel: 2, customerUserId });
const isJson = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('DocV document requests honour the customerUserId fault magic (real sockets)', () => {
  let sandbox: RunningSandbox;
  const lines: string[] = [];
  const docv = (body: unknown, path = V5): Promise<Answer> => call(sandbox, path, { body });
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, log: (l) => lines.push(l) });
  });
  afterAll(() => sandbox.close());

  it.each([
    ['fault-429', 429],
    ['fault-500', 500],
    ['fault-503', 503],
  ])('%s → %d with an error body in Socure shape, on v5 and v3', async (id, status) => {
    for (const res of [await docv(v5(id)), await docv(v3(id), V3)]) {
      expect(res.status).toBe(status);
      expect(res.json).toEqual({ status: 'Error', referenceId: expect.any(String), msg: expect.any(String) });
      if (status === 429) expect(res.headers['retry-after']).toBe('1');
    }
  });

  it('fault-malformed → 200 whose body is not JSON', async () => {
    const res = await docv(v5('fault-malformed'));
    expect(res.status).toBe(200);
    expect(isJson(res.text)).toBe(false);
  });

  it('fault-reset destroys the socket without answering, and is logged; the server keeps serving', async () => {
    await expect(docv(v5('fault-reset'))).rejects.toThrow();
    // "… reset" (this route's own log line) or "… reset 12ms" (when the app shares the ID+ route's fault context).
    expect(lines.some((l) => /^POST \/api\/5\.0\/documents\/request reset(?: \d+ms)?$/.test(l))).toBe(true);
    expect((await docv(v5('after-reset'))).status).toBe(200);
  });

  it('fault-slow-x1 answers normally after 3 s, once', async () => {
    const slow = await docv(v5('fault-slow-x1-docv'));
    expect(slow.status).toBe(200);
    expect(slow.json.data.docvTransactionToken).toBeDefined();
    expect(slow.ms).toBeGreaterThanOrEqual(2990);
    expect((await docv(v5('fault-slow-x1-docv'))).ms).toBeLessThan(2000);
  });

  it('fault-noreference → 200 without referenceId (the transaction exists); the client refuses it', async () => {
    const res = await docv(v5('fault-noreference'));
    expect(res.status).toBe(200);
    expect(res.json).not.toHaveProperty('referenceId');
    expect(res.json.data.docvTransactionToken).toBeDefined();
    const client = new SocureClient({ idPlusKey: sandbox.keys.sandbox.idPlusKey, baseUrl: sandbox.url });
    try {
      await expect(client.docv.createTransaction({ customerUserId: 'fault-noreference' })).rejects.toThrow(
        SocureResponseValidationError,
      );
    } finally {
      await client.close();
    }
  });

  it('-x<N>: fault-503-x2-run1 fails twice then succeeds; the Socure client recovers by itself', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await docv(v5('fault-503-x2-run1'))).status);
    expect(statuses).toEqual([503, 503, 200]);
    const client = new SocureClient({ idPlusKey: sandbox.keys.sandbox.idPlusKey, baseUrl: sandbox.url });
    try {
      const tx = await client.docv.createTransaction({ customerUserId: 'fault-500-x2-run2' });
      expect(tx.docvTransactionToken).toBeDefined();
    } finally {
      await client.close();
    }
  });

  it('transport faults fire before validation; noreference waits for a valid request and is not counted', async () => {
    expect((await docv({ customerUserId: 'fault-429-early', config: { documentType: 'nope' } })).status).toBe(
      429,
    );
    const id = 'fault-noreference-x1-invalid-first';
    expect((await docv({ customerUserId: id, config: { documentType: 'nope' } })).status).toBe(400);
    expect((await docv(v5(id))).json.referenceId).toBeUndefined();
    expect((await docv(v5(id))).json.referenceId).toBeDefined();
  });

  it('badscore and baddecision have nothing to corrupt in a DocV answer: ignored and not counted', async () => {
    for (const id of ['fault-badscore-x1-d', 'fault-baddecision-x1-d']) {
      const res = await docv(v5(id));
      expect(res.status).toBe(200);
      expect(res.json.referenceId).toBeDefined();
    }
    // Their budget is still whole for the ID+ call that follows (e.g. the result fetch of a DocV flow).
    const scored = await idPlus(sandbox, {
      modules: ['fraud', 'decision'],
      ...CLEAN_PERSON,
      customerUserId: 'fault-badscore-x1-d',
    });
    expect(scored.json.fraud.scores[0].score).toBe(1.7);
  });

  it('needs a valid key first', async () => {
    expect((await call(sandbox, V5, { body: v5('fault-500'), key: 'wrong' })).status).toBe(401);
  });
});
