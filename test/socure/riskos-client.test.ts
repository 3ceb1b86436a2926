import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import {
  RiskOsClient,
  SocureAuthenticationError,
  SocureBadRequestError,
  SocureClient,
  SocureInputError,
  SocureNotFoundError,
} from '../../src/socure/index.js';
import {
  decodeQrDataUrl,
  httpJson,
  type LocalServer,
  startRecordingProxy,
  trigger,
} from '../connector/support.js';

const STANLEY = {
  given_name: 'Stanley',
  family_name: 'Brown',
  national_id: '666-47-8381',
  date_of_birth: '1944-03-30',
  email: 'stanley.brown@example.com',
  phone_number: '(347) 555-0100',
  address: {
    line_1: '1301 Main Street',
    locality: 'Brownsville',
    major_admin_division: 'tn',
    country: 'us',
    postal_code: '38012',
  },
};
const JAX = {
  ...STANLEY,
  given_name: 'Jax',
  family_name: 'Myra',
  national_id: '666990266',
  date_of_birth: '1990-04-04',
};

let sb: RunningSandbox;
let riskos: RiskOsClient;
const log: string[] = [];
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  sb = await startSandbox({ port: 0, log: (l) => log.push(l) });
  riskos = new RiskOsClient({ apiKey: sb.keys.sandbox.riskOsKey, baseUrl: sb.url, maxRetries: 0 });
});

afterAll(async () => {
  await riskos?.close();
  for (const close of closers.splice(0)) await close();
  await sb?.close();
});

async function proxied(): Promise<{ proxy: LocalServer; client: RiskOsClient }> {
  const proxy = await startRecordingProxy(sb.url);
  const client = new RiskOsClient({ apiKey: sb.keys.sandbox.riskOsKey, baseUrl: proxy.url, maxRetries: 0 });
  closers.push(
    () => client.close(),
    () => proxy.close(),
  );
  return { proxy, client };
}

async function refused(p: Promise<unknown>): Promise<SocureInputError> {
  const before = log.length;
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SocureInputError);
  expect(log.length, 'a request was sent').toBe(before);
  return err as SocureInputError;
}

describe('RiskOS client: evaluations.create against the sandbox', () => {
  it('sends Bearer auth, a normalised body with a generated id and timestamp, and reads a completed ACCEPT', async () => {
    const { proxy, client } = await proxied();
    const result = await client.evaluations.create({
      workflow: 'consumer_onboarding',
      data: { individual: STANLEY },
    });
    expect(result.httpStatus).toBe(200);
    expect(result.completed).toBe(true);
    expect(result.paused).toBe(false);
    expect(result.decision).toBe('ACCEPT');
    expect(result.evaluation.status).toBe('CLOSED');
    expect(result.stepUp).toBeUndefined();
    const sent = JSON.parse(proxy.received[0]!.body);
    expect(proxy.received[0]!.path).toBe('/api/evaluation');
    expect(sent.workflow).toBe('consumer_onboarding');
    expect(sent.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(sent.timestamp)).not.toBeNaN();
    expect(sent.data.individual).toMatchObject({
      national_id: '666478381',
      phone_number: '+13475550100',
      address: { major_admin_division: 'TN', country: 'US', postal_code: '38012' },
    });
  });

  it('sends X-API-Version only when configured', async () => {
    const seen: string[] = [];
    // A bare receiver: the recording proxy forwards only some headers.
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      seen.push(`${req.headers.authorization}|${req.headers['x-api-version']}`);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ eval_id: 'e1', eval_status: 'evaluation_completed', decision: 'ACCEPT' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const versioned = new RiskOsClient({
      apiKey: 'k-1',
      baseUrl: `http://127.0.0.1:${port}`,
      apiVersion: '2025-01-01.orion',
      maxRetries: 0,
    });
    const plain = new RiskOsClient({ apiKey: 'k-2', baseUrl: `http://127.0.0.1:${port}`, maxRetries: 0 });
    try {
      await versioned.evaluations.get('e1');
      await plain.evaluations.get('e1');
    } finally {
      await versioned.close();
      await plain.close();
      await new Promise((r) => server.close(r));
    }
    expect(seen).toEqual(['Bearer k-1|2025-01-01.orion', 'Bearer k-2|undefined']);
  });

  it('answers a paused DocV step-up (201) with its token, link and a readable QR code', async () => {
    const result = await riskos.evaluations.create({
      workflow: 'consumer_onboarding',
      id: 'app-1',
      data: { individual: JAX },
    });
    expect(result.httpStatus).toBe(201);
    expect(result.paused).toBe(true);
    expect(result.decision).toBe('REVIEW');
    expect(result.evaluation.status).toBe('ON_HOLD');
    expect(result.evaluation.id).toBe('app-1');
    expect(result.stepUp?.url).toContain('/capture/');
    expect(decodeQrDataUrl(result.stepUp!.qrCode)).toBe(result.stepUp!.url);
    // The capture completes (trigger by eval_id), then GET shows the final decision.
    await trigger(sb.url, result.evalId, 'complete-accept');
    const after = await riskos.evaluations.get(result.evalId);
    expect(after.completed).toBe(true);
    expect(after.decision).toBe('ACCEPT');
    expect(after.reasonCodes).toEqual(expect.arrayContaining(['I831']));
  });

  it('a DocV reject completes the evaluation with REJECT', async () => {
    const result = await riskos.evaluations.create({
      workflow: 'consumer_onboarding',
      data: { individual: JAX },
    });
    await trigger(sb.url, result.stepUp!.docvTransactionToken, 'complete-reject');
    const after = await riskos.evaluations.get(result.evalId);
    expect(after.decision).toBe('REJECT');
    expect(after.reasonCodes).toContain('R827');
  });

  it('the sandbox ID+ magic decides: Reject → REJECT with reason codes, Review → REVIEW', async () => {
    const reject = await riskos.evaluations.create({
      workflow: 'consumer_onboarding',
      data: { individual: { ...STANLEY, family_name: 'Reject', national_id: '123-45-6789' } },
    });
    expect(reject.decision).toBe('REJECT');
    expect(reject.reasonCodes).toEqual(expect.arrayContaining(['R203']));
    const review = await riskos.evaluations.create({
      workflow: 'consumer_onboarding',
      data: { individual: { ...STANLEY, family_name: 'Review', national_id: '123-45-6789' } },
    });
    expect(review.decision).toBe('REVIEW');
    expect(review.evaluation.review_queues).toEqual(['Manual Review']);
  });

  it('surfaces an enrichment that failed inside a 200', async () => {
    const result = await riskos.evaluations.create({
      workflow: 'consumer_onboarding',
      data: { individual: { given_name: 'Only' } },
    });
    expect(result.httpStatus).toBe(200);
    expect(result.decision).toBe('REJECT');
    expect(result.evaluation.tags).toContain('Verify Error');
    expect(result.failedEnrichments).toHaveLength(1);
    expect(result.failedEnrichments[0]).toMatchObject({ provider: 'Socure', statusCode: 400 });
    expect(result.failedEnrichments[0]!.message).toBeTruthy();
  });
});

describe('RiskOS client: input errors name the field before any network call', () => {
  it.each([
    [{ workflow: '', data: {} }, 'workflow'],
    [{ workflow: 'w', data: { individual: { phone_number: '12' } } }, 'data.individual.phone_number'],
    [
      { workflow: 'w', data: { individual: { date_of_birth: '2099-01-01' } } },
      'data.individual.date_of_birth',
    ],
    [{ workflow: 'w', data: { individual: { national_id: '12-345' } } }, 'data.individual.national_id'],
    [
      { workflow: 'w', data: { individual: { address: { country: 'USA' } } } },
      'data.individual.address.country',
    ],
    [
      { workflow: 'w', data: { individual: { address: { country: 'US', postal_code: '1234' } } } },
      'data.individual.address.postal_code',
    ],
    [{ workflow: 'w', data: { individual: { givenName: 'x' } } }, 'data.individual.givenName'],
    [{ workflow: 'w', timestamp: 'yesterday', data: {} }, 'timestamp'],
  ])('%j → %s', async (request, field) => {
    const err = await refused(riskos.evaluations.create(request as never));
    expect(err.field).toBe(field);
  });

  it('an eval id with a slash is refused before the call', async () => {
    expect((await refused(riskos.evaluations.get('../x'))).field).toBe('evalId');
  });

  it('setState checks its decision', async () => {
    const err = await refused(
      riskos.evaluations.setState('abc', { workflow: 'w', decision: 'MAYBE' as never, status: 'CLOSED' }),
    );
    expect(err.field).toBe('decision');
  });

  it('refuses a missing key and a certification environment without a base URL', () => {
    expect(() => new RiskOsClient({ apiKey: '' })).toThrow(SocureInputError);
    expect(() => new RiskOsClient({ apiKey: 'k', environment: 'certification' })).toThrow(/certification/);
    expect(new RiskOsClient({ apiKey: 'k' }).baseUrl).toBe('https://riskos.sandbox.socure.com');
    expect(new RiskOsClient({ apiKey: 'k', environment: 'production' }).baseUrl).toBe(
      'https://riskos.socure.com',
    );
  });
});

describe('RiskOS client: errors, update and state', () => {
  it('a wrong key is SocureAuthenticationError naming the RiskOS key; the ID+ key is refused too', async () => {
    for (const apiKey of ['nope', sb.keys.sandbox.idPlusKey]) {
      const c = new RiskOsClient({ apiKey, baseUrl: sb.url, maxRetries: 0 });
      const err = await c.evaluations.get('x').catch((e: unknown) => e);
      await c.close();
      expect(err).toBeInstanceOf(SocureAuthenticationError);
      expect((err as Error).message).toContain('RiskOS key');
    }
  });

  it('an unknown evaluation is SocureNotFoundError; an unknown workflow is a 400 naming it', async () => {
    await expect(riskos.evaluations.get('no-such-eval')).rejects.toBeInstanceOf(SocureNotFoundError);
    const err = await riskos.evaluations
      .create({ workflow: 'nope', data: { individual: STANLEY } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SocureBadRequestError);
    expect((err as SocureBadRequestError).parameters).toEqual(['workflow']);
  });

  it('update works only while paused; setState records a reviewer decision', async () => {
    const paused = await riskos.evaluations.create({
      workflow: 'consumer_onboarding',
      data: { individual: JAX },
    });
    const updated = await riskos.evaluations.update(paused.evalId, {
      data: { individual: { email: 'jax@example.com' } },
    });
    expect(updated.paused).toBe(true);
    const done = await riskos.evaluations.create({
      workflow: 'consumer_onboarding',
      data: { individual: STANLEY },
    });
    await expect(
      riskos.evaluations.update(done.evalId, { data: { individual: { email: 'x@example.com' } } }),
    ).rejects.toBeInstanceOf(SocureBadRequestError);
    const state = await riskos.evaluations.setState(done.evalId, {
      workflow: 'consumer_onboarding',
      decision: 'REJECT',
      status: 'CLOSED',
      notes: 'fraud confirmed',
    });
    expect(state.decision).toBe('REJECT');
    expect((await riskos.evaluations.get(done.evalId)).evaluation.notes).toContain('fraud confirmed');
  });

  it('answers carry X-Request-Id = eval_id', async () => {
    const res = await httpJson(`${sb.url}/api/evaluation/none`);
    expect(res.status).toBe(401);
    const created = await riskos.evaluations.create({
      workflow: 'consumer_onboarding',
      data: { individual: STANLEY },
    });
    const { request } = await import('undici');
    const answer = await request(`${sb.url}/api/evaluation/${created.evalId}`, {
      headers: { authorization: `Bearer ${sb.keys.sandbox.riskOsKey}` },
    });
    await answer.body.dump();
    expect(answer.headers['x-request-id']).toBe(created.evalId);
    expect(answer.headers['x-ratelimit-limit-day']).toBe('1000');
  });
});

describe('client.riskos on the Socure client', () => {
  it('is there with a RiskOS key, and names the setting without one', async () => {
    const without = new SocureClient({ idPlusKey: sb.keys.sandbox.idPlusKey, baseUrl: sb.url });
    expect(() => without.riskos).toThrow(/SOCURE_RISKOS_KEY/);
    await without.close();
    const calls: Parameters<SocureClient['withCallLog']>[0] = [];
    const client = new SocureClient({
      idPlusKey: sb.keys.sandbox.idPlusKey,
      baseUrl: sb.url,
      riskOs: { apiKey: sb.keys.sandbox.riskOsKey, baseUrl: sb.url, maxRetries: 0 },
    });
    try {
      const result = await client
        .withCallLog(calls)
        .riskos.evaluations.create({ workflow: 'consumer_onboarding', data: { individual: STANLEY } });
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({
        method: 'POST',
        endpoint: '/api/evaluation',
        status: 200,
        referenceId: result.evalId,
      });
    } finally {
      await client.close();
    }
  });

  it('tells the client’s onCall listener (the service’s metrics) of RiskOS requests too', async () => {
    const heard: Array<{ endpoint: string; status: number | null }> = [];
    const client = new SocureClient({
      idPlusKey: sb.keys.sandbox.idPlusKey,
      baseUrl: sb.url,
      riskOs: { apiKey: sb.keys.sandbox.riskOsKey, baseUrl: sb.url, maxRetries: 0 },
      onCall: (call) => heard.push({ endpoint: call.endpoint, status: call.status }),
    });
    try {
      const result = await client.riskos.evaluations.create({
        workflow: 'consumer_onboarding',
        data: { individual: STANLEY },
      });
      await client.riskos.evaluations.get(result.evalId);
      expect(heard).toEqual([
        { endpoint: '/api/evaluation', status: 200 },
        { endpoint: `/api/evaluation/${result.evalId}`, status: 200 },
      ]);
    } finally {
      await client.close();
    }
  });
});
