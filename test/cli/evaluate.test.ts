import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import { cli, show } from './run-cli.js';

const TEST_TIMEOUT = 90_000;
const JAX = [
  '--given-name',
  'Jax',
  '--family-name',
  'Myra',
  '--national-id',
  '666-99-0266',
  '--date-of-birth',
  '1990-04-04',
  '--email',
  'jax@example.com',
  '--phone-number',
  '+13475550100',
  '--country',
  'US',
];

let sb: RunningSandbox;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
  env = { SOCURE_RISKOS_URL: sb.url, SOCURE_RISKOS_KEY: sb.keys.sandbox.riskOsKey, SOCURE_MAX_RETRIES: '0' };
});
afterAll(async () => {
  await sb?.close();
});

describe.concurrent('socure-connector evaluate', () => {
  it(
    'prints a readable ACCEPT (no ID+ key needed) and exits 0',
    async () => {
      const r = await cli(
        [
          'evaluate',
          '--workflow',
          'consumer_onboarding',
          ...JAX,
          '--national-id',
          '666478381',
          '--date-of-birth',
          '1944-03-30',
          '--given-name',
          'Stanley',
          '--family-name',
          'Brown',
        ],
        env,
      );
      expect(r.code, show(r)).toBe(0);
      expect(r.stdout).toMatch(/^Decision: +ACCEPT$/m);
      expect(r.stdout).toMatch(/eval_id: +[0-9a-f-]{36}/);
    },
    TEST_TIMEOUT,
  );

  it(
    'a step-up prints its link and QR code; --json prints RiskOS’s answer',
    async () => {
      const [text, json] = await Promise.all([
        cli(['evaluate', '--workflow', 'consumer_onboarding', ...JAX], env),
        cli(['evaluate', '--workflow', 'consumer_onboarding', ...JAX, '--json', '--id', 'cli-1'], env),
      ]);
      expect(text.code, show(text)).toBe(0);
      expect(text.stdout).toContain('not final: the evaluation is paused');
      expect(text.stdout).toMatch(/DocV step-up[\s\S]*\/capture\/[0-9a-f-]{36}/);
      expect(json.code, show(json)).toBe(0);
      const body = JSON.parse(json.stdout);
      expect(body).toMatchObject({
        id: 'cli-1',
        eval_status: 'evaluation_paused',
        decision: 'REVIEW',
        status: 'ON_HOLD',
      });
    },
    TEST_TIMEOUT,
  );

  it(
    'shows a failed enrichment with its reason',
    async () => {
      const r = await cli(['evaluate', '--workflow', 'consumer_onboarding', '--given-name', 'Only'], env);
      expect(r.code, show(r)).toBe(0);
      expect(r.stdout).toMatch(/^Decision: +REJECT$/m);
      expect(r.stdout).toContain('Enrichment failed: Socure Verify (Socure) answered 400');
    },
    TEST_TIMEOUT,
  );

  it(
    'bad input exits 2 naming the flag, before any call; a missing key names the setting',
    async () => {
      const [phone, missing, workflow] = await Promise.all([
        cli(['evaluate', '--workflow', 'consumer_onboarding', '--phone-number', '12'], env),
        cli(['evaluate', '--workflow', 'consumer_onboarding'], { SOCURE_RISKOS_URL: sb.url }),
        cli(['evaluate', '--given-name', 'x'], env),
      ]);
      expect(phone.code, show(phone)).toBe(2);
      expect(phone.stderr).toContain('--phone-number');
      expect(missing.code, show(missing)).toBe(2);
      expect(missing.stderr).toContain('SOCURE_RISKOS_KEY');
      expect(workflow.code, show(workflow)).not.toBe(0);
      expect(workflow.stderr).toContain('--workflow');
    },
    TEST_TIMEOUT,
  );

  it(
    'a RiskOS error (unknown workflow, wrong key) exits 1',
    async () => {
      const [unknown, wrong] = await Promise.all([
        cli(['evaluate', '--workflow', 'nope', ...JAX], env),
        cli(['evaluate', '--workflow', 'consumer_onboarding', ...JAX], {
          ...env,
          SOCURE_RISKOS_KEY: 'wrong',
        }),
      ]);
      expect(unknown.code, show(unknown)).toBe(1);
      expect(unknown.stderr).toContain('Unknown workflow');
      expect(wrong.code, show(wrong)).toBe(1);
      expect(wrong.stderr).toContain('RiskOS key');
      expect(wrong.stderr).not.toContain('wrong');
    },
    TEST_TIMEOUT,
  );
});
