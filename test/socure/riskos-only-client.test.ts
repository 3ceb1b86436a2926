/**
 * A client with only a RiskOS key: ID+ / DocV calls are refused with a typed configuration error before any
 * request leaves (a counting server on a real socket proves it), RiskOS calls work; and the mirror case.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFailure } from '../../src/cli/describe-failure.js';
import { documentVerification } from '../../src/connector/capabilities/document-verification.js';
import { getScore } from '../../src/connector/capabilities/get-score.js';
import { getVerificationUrl } from '../../src/connector/capabilities/get-verification-url.js';
import { makeCustomApiCall } from '../../src/connector/capabilities/make-custom-api-call.js';
import type { CapabilityContext } from '../../src/connector/capability.js';
import { describeStepError } from '../../src/flows/step-errors.js';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import {
  SocureClient,
  SocureConfigurationError,
  SocureInputError,
  STOCK_PERSONA,
} from '../../src/socure/index.js';

let requests = 0;
let counter: Server;
let counterUrl: string;
let sb: RunningSandbox;

beforeAll(async () => {
  // Answers anything with 200 and counts it: any request the client sends shows here.
  counter = createServer((_req, res) => {
    requests++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => counter.listen(0, '127.0.0.1', resolve));
  counterUrl = `http://127.0.0.1:${(counter.address() as AddressInfo).port}`;
  sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await new Promise((resolve) => counter?.close(resolve));
  await sb?.close();
});

const NO_ID_PLUS_KEY = 'no ID+ key configured: set SOCURE_ID_PLUS_KEY';

function riskOsOnly(): SocureClient {
  return new SocureClient({
    baseUrl: counterUrl,
    riskOs: { apiKey: sb.keys.sandbox.riskOsKey, baseUrl: sb.url },
  });
}

async function refusal(promise: Promise<unknown>): Promise<SocureConfigurationError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SocureConfigurationError);
  return err as SocureConfigurationError;
}

describe('SocureClient with only a RiskOS key', () => {
  it('is built without an ID+ key, says which products it has, and needs one key at least', () => {
    const client = riskOsOnly();
    expect(client.hasIdPlus).toBe(false);
    expect(client.hasRiskOs).toBe(true);
    expect(() => new SocureClient({} as never)).toThrow(/idPlusKey: is required/);
    // A key given but blank is refused even beside RiskOS: it is a mistake, not "no key".
    expect(() => new SocureClient({ idPlusKey: ' ', riskOs: { apiKey: sb.keys.sandbox.riskOsKey } })).toThrow(
      SocureInputError,
    );
    // Certification has no public ID+ host, which a RiskOS-only client never calls.
    expect(
      new SocureClient({
        environment: 'certification',
        riskOs: { apiKey: sb.keys.sandbox.riskOsKey, baseUrl: sb.url },
      }).hasIdPlus,
    ).toBe(false);
  });

  it('refuses ID+, DocV, reason codes and the custom call before any request, with the typed error', async () => {
    const client = riskOsOnly();
    const before = requests;
    const errors = [
      await refusal(client.idplus.evaluate({ modules: ['kyc'], ...STOCK_PERSONA } as never)),
      await refusal(client.docv.createTransaction({ config: {} } as never)),
      await refusal(client.reasonCodes.list()),
      await refusal(client.request({ method: 'GET', path: '/api/3.0/reasoncodes' })),
    ];
    for (const err of errors) {
      expect(err.message).toBe(NO_ID_PLUS_KEY);
      expect(err).toMatchObject({ field: 'idPlusKey', setting: 'SOCURE_ID_PLUS_KEY' });
      expect(err).toBeInstanceOf(SocureInputError);
    }
    expect(requests).toBe(before);
  });

  it('the ID+ / DocV capabilities refuse first, even before checking their input; the DocV screen action still works', async () => {
    const context: CapabilityContext = {
      client: riskOsOnly(),
      config: { riskOsKey: 'r', environment: 'sandbox' },
    };
    const before = requests;
    for (const run of [
      () => getScore.execute({} as never, context),
      () => getVerificationUrl.execute({} as never, context),
      () => makeCustomApiCall.execute({} as never, context),
      () =>
        documentVerification.execute(
          {
            action: 'registerInitiate',
            registerInitiate: { parameters: { phoneNumber: '+13475550100' } },
          } as never,
          context,
        ),
    ]) {
      expect((await refusal(run())).message).toBe(NO_ID_PLUS_KEY);
    }
    expect(requests).toBe(before);
    await expect(
      documentVerification.execute({ action: 'screen', screen0Config: {} } as never, context),
    ).resolves.toMatchObject({ action: 'screen' });
  });

  it('still runs RiskOS evaluations', async () => {
    const r = await riskOsOnly().riskos.evaluations.create({
      workflow: 'consumer_onboarding',
      data: {
        individual: {
          given_name: 'Stanley',
          family_name: 'Brown',
          national_id: '666478381',
          date_of_birth: '1944-03-30',
          address: { country: 'US' },
        },
      },
    } as never);
    expect(r.decision).toBe('ACCEPT');
  });

  it('a flow step shows the person a plain failure (no field blamed); the CLI exits 2 naming the flag', () => {
    const step = describeStepError(
      new SocureConfigurationError('idPlusKey', 'SOCURE_ID_PLUS_KEY', NO_ID_PLUS_KEY),
    );
    expect(step.output).not.toHaveProperty('field');
    expect(step.output.message).toMatch(/^We could not complete this step/);
    expect(step.detail).toMatchObject({ kind: 'SocureConfigurationError', message: NO_ID_PLUS_KEY });
    expect(step.retryable).toBe(false);
    expect(
      describeFailure(new SocureConfigurationError('idPlusKey', 'SOCURE_ID_PLUS_KEY', NO_ID_PLUS_KEY)),
    ).toEqual({ code: 2, message: `--id-plus-key: ${NO_ID_PLUS_KEY}` });
  });
});

describe('SocureClient with only an ID+ key', () => {
  it('refuses RiskOS with the same kind of error, naming SOCURE_RISKOS_KEY', () => {
    const client = new SocureClient({ idPlusKey: sb.keys.sandbox.idPlusKey, baseUrl: sb.url });
    expect(client.hasIdPlus).toBe(true);
    expect(client.hasRiskOs).toBe(false);
    let caught: unknown;
    try {
      void client.riskos;
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SocureConfigurationError);
    expect((caught as Error).message).toBe('no RiskOS key configured: set SOCURE_RISKOS_KEY');
  });
});
