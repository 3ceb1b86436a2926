import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultRates, type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import { type Answer, CLEAN_PERSON, call, idPlus } from './helpers.js';

const valid = (customerUserId: string) => ({
  modules: ['fraud', 'emailrisk', 'decision'],
  ...CLEAN_PERSON,
  customerUserId,
});
const isJson = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('magic customerUserId faults (real sockets)', () => {
  let sandbox: RunningSandbox;
  const lines: string[] = [];
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, log: (l) => lines.push(l) });
  });
  afterAll(() => sandbox.close());

  it.each([
    ['fault-429', 429],
    ['fault-500', 500],
    ['fault-503', 503],
  ])('%s → %d with an error body in Socure shape', async (id, status) => {
    const res = await idPlus(sandbox, valid(id));
    expect(res.status).toBe(status);
    expect(res.json).toEqual({ status: 'Error', referenceId: expect.any(String), msg: expect.any(String) });
    if (status === 429) expect(res.headers['retry-after']).toBe('1');
  });

  it('fault-slow answers normally after 3000 ms', async () => {
    const res = await idPlus(sandbox, valid('fault-slow'));
    expect(res.status).toBe(200);
    expect(res.json.fraud).toBeDefined();
    expect(res.ms).toBeGreaterThanOrEqual(2990);
  });

  it('fault-malformed → 200 whose body is not JSON', async () => {
    const res = await idPlus(sandbox, valid('fault-malformed'));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(isJson(res.text)).toBe(false);
  });

  it('fault-reset destroys the socket without answering, and is logged', async () => {
    await expect(idPlus(sandbox, valid('fault-reset'))).rejects.toThrow();
    expect(lines.some((l) => /^POST \/api\/3\.0\/EmailAuthScore reset \d+ms$/.test(l))).toBe(true);
    // The server keeps serving.
    expect((await idPlus(sandbox, valid('after-reset'))).status).toBe(200);
  });

  it('fault-badscore → 200 with a score of 1.7', async () => {
    const res = await idPlus(sandbox, valid('fault-badscore'));
    expect(res.status).toBe(200);
    expect(res.json.fraud.scores[0].score).toBe(1.7);
    const onlyKyc = await idPlus(sandbox, {
      modules: ['kyc'],
      ...CLEAN_PERSON,
      customerUserId: 'fault-badscore-kyc',
    });
    expect(onlyKyc.text).toContain('1.7');
  });

  it('fault-baddecision → 200 with decision.value "maybe" (even without the decision module)', async () => {
    expect((await idPlus(sandbox, valid('fault-baddecision'))).json.decision.value).toBe('maybe');
    const noDecision = await idPlus(sandbox, {
      modules: ['emailrisk'],
      email: 'a@b.co',
      customerUserId: 'fault-baddecision',
    });
    expect(noDecision.json.decision.value).toBe('maybe');
  });

  it('fault-noreference → 200 without referenceId', async () => {
    const res = await idPlus(sandbox, valid('fault-noreference'));
    expect(res.status).toBe(200);
    expect(res.json).not.toHaveProperty('referenceId');
    expect(res.json.fraud).toBeDefined();
  });

  it('-x<N>: fault-503-x2-run7 fails twice then succeeds; other ids count separately', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await idPlus(sandbox, valid('fault-503-x2-run7'))).status);
    expect(statuses).toEqual([503, 503, 200, 200]);
    expect((await idPlus(sandbox, valid('fault-503-x2-run8'))).status).toBe(503);
    expect((await idPlus(sandbox, valid('fault-503-x0-never'))).status).toBe(200);
  });

  it.each([
    ['fault-429-x1-a', (r: Answer) => r.status === 429],
    ['fault-500-x1-a', (r: Answer) => r.status === 500],
    ['fault-malformed-x1-a', (r: Answer) => r.status === 200 && !isJson(r.text)],
    ['fault-badscore-x1-a', (r: Answer) => r.json?.fraud?.scores[0].score === 1.7],
    ['fault-baddecision-x1-a', (r: Answer) => r.json?.decision?.value === 'maybe'],
    ['fault-noreference-x1-a', (r: Answer) => r.status === 200 && r.json.referenceId === undefined],
  ])('%s fires once, then answers normally', async (id, fired) => {
    expect(fired(await idPlus(sandbox, valid(id)))).toBe(true);
    const normal = await idPlus(sandbox, valid(id));
    expect(normal.status).toBe(200);
    expect(normal.json.referenceId).toBeDefined();
    expect(normal.json.decision.value).not.toBe('maybe');
  });

  it('fault-reset-x1 resets once, then answers', async () => {
    await expect(idPlus(sandbox, valid('fault-reset-x1-b'))).rejects.toThrow();
    expect((await idPlus(sandbox, valid('fault-reset-x1-b'))).status).toBe(200);
  });

  it('transport faults fire before validation; body faults wait for a valid body and are not counted', async () => {
    expect((await idPlus(sandbox, { customerUserId: 'fault-429-early' })).status).toBe(429);
    const id = 'fault-noreference-x1-invalid-first';
    expect((await idPlus(sandbox, { customerUserId: id })).status).toBe(400);
    expect((await idPlus(sandbox, valid(id))).json.referenceId).toBeUndefined();
    expect((await idPlus(sandbox, valid(id))).json.referenceId).toBeDefined();
  });

  it('needs a valid key first', async () => {
    expect((await idPlus(sandbox, valid('fault-500'), 'wrong')).status).toBe(401);
  });
});

describe('run-wide faults (real sockets)', () => {
  const RATES: FaultRates = { 429: 0.1, 500: 0.05, 503: 0.05, reset: 0.03, slow: 0.03, malformed: 0.03 };
  const SLOW_MS = 400;
  const TOTAL = 400;

  /** TOTAL requests through 8 workers; returns how many of each outcome were seen. */
  async function run(seed: number): Promise<Record<string, number>> {
    const sandbox = await startSandbox({ port: 0, faults: RATES, seed, slowMs: SLOW_MS });
    const counts: Record<string, number> = {};
    let next = 0;
    const worker = async () => {
      while (next < TOTAL) {
        next++;
        let outcome: string;
        try {
          const res = await idPlus(sandbox, valid(`load-${next}`));
          if (res.status !== 200) outcome = String(res.status);
          else if (!isJson(res.text)) outcome = 'malformed';
          else outcome = res.ms >= SLOW_MS - 5 ? 'slow' : 'ok';
          if (res.status === 429) expect(res.headers['retry-after']).toBe('1');
        } catch {
          outcome = 'reset';
        }
        counts[outcome] = (counts[outcome] ?? 0) + 1;
      }
    };
    try {
      await Promise.all(Array.from({ length: 8 }, worker));
    } finally {
      await sandbox.close();
    }
    return counts;
  }

  it('fires each fault at roughly its rate, reproducibly for a seed', async () => {
    const first = await run(1234);
    expect(Object.values(first).reduce((a, b) => a + b, 0)).toBe(TOTAL);
    for (const [kind, rate] of Object.entries(RATES)) {
      const expected = TOTAL * rate!;
      const seen = first[kind] ?? 0;
      // Binomial: ±4 standard deviations (plus 2 for the small rates).
      const slack = 4 * Math.sqrt(TOTAL * rate! * (1 - rate!)) + 2;
      expect(
        Math.abs(seen - expected),
        `${kind}: saw ${seen}, expected about ${expected}`,
      ).toBeLessThanOrEqual(slack);
    }
    expect(first.ok).toBeGreaterThan(TOTAL * 0.6);
    // The same seed draws the same multiset of faults, whatever the interleaving of requests.
    expect(await run(1234)).toEqual(first);
  }, 60_000);

  it('no faults configured → every answer is normal', async () => {
    const sandbox = await startSandbox({ port: 0 });
    try {
      for (let i = 0; i < 30; i++) expect((await idPlus(sandbox, valid(`plain-${i}`))).status).toBe(200);
    } finally {
      await sandbox.close();
    }
  });
});

describe('latency and options', () => {
  it('latencyMs delays every answer, errors included', async () => {
    const sandbox = await startSandbox({ port: 0, latencyMs: 150 });
    try {
      const answers = [
        await idPlus(sandbox, valid('latency')),
        await idPlus(sandbox, valid('latency'), null),
        await call(sandbox, '/nowhere'),
        await call(sandbox, '/api/3.0/reasoncodes'),
      ];
      expect(answers.map((a) => a.status)).toEqual([200, 401, 404, 200]);
      for (const a of answers) expect(a.ms).toBeGreaterThanOrEqual(145);
    } finally {
      await sandbox.close();
    }
  });

  it.each([
    [{ latencyMs: -1 }, /latencyMs/],
    [{ port: 70000 }, /port/],
    [{ seed: 1.5 }, /seed/],
    [{ faults: { 429: 0.8, 503: 0.5 } }, /add up to/],
    [{ faults: { 429: 2 } }, /429/],
    [{ keys: { sandbox: { idPlusKey: '' } } }, /sandbox\.idPlusKey/],
  ])('refuses bad options %j', async (options, message) => {
    await expect(startSandbox({ port: 0, ...options })).rejects.toThrow(message);
  });
});
