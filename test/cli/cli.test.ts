import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAGIC_INPUTS, type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import { closedPortUrl, httpJson, SEED_CUSTOM_CALL_INPUT_EXAMPLE } from '../connector/support.js';
import { cli, show } from './run-cli.js';

const TEST_TIMEOUT = 90_000;
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** Every command and subcommand; those without a space are the top-level ones. */
const COMMANDS = [
  'start',
  'sandbox',
  'sandbox trigger',
  'sandbox clock',
  'score',
  'score-batch',
  'evaluate',
  'docv-url',
  'docv-result',
  'call',
  'manifest',
  'keys',
  'keys generate',
  'keys rotate',
  'forget',
  'audit',
  'audit verify',
  'audit export',
];

let sb: RunningSandbox;
let workDir: string;
/** The sandbox's URL and key, as a person would export them. */
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
  workDir = await mkdtemp(join(tmpdir(), 'socure-cli-test-'));
  env = { SOCURE_API_URL: sb.url, SOCURE_ID_PLUS_KEY: sb.keys.sandbox.idPlusKey, SOCURE_MAX_RETRIES: '0' };
});

afterAll(async () => {
  await sb?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe.concurrent('socure-connector score', () => {
  it(
    '--stock-persona: exit 0 and "Decision:     accept"',
    async () => {
      const r = await cli(['score', '--stock-persona'], env);
      expect(r.code, show(r)).toBe(0);
      expect(r.stdout).toContain('Decision:     accept');
      expect(r.stdout).toMatch(new RegExp(`Reference ID: ${UUID}`));
    },
    TEST_TIMEOUT,
  );

  it(
    '--json prints Socure’s answer as JSON',
    async () => {
      const r = await cli(['score', '--stock-persona', '--json', '--modules', 'kyc,fraud,decision'], env);
      expect(r.code, show(r)).toBe(0);
      const json = JSON.parse(r.stdout) as { referenceId: string; decision: { value: string }; kyc: unknown };
      expect(json.decision.value).toBe('accept');
      expect(json.referenceId).toMatch(new RegExp(UUID));
      expect(json.kyc).toBeDefined();
    },
    TEST_TIMEOUT,
  );

  const DECISIONS = ['Accept', 'Refer', 'Review', 'Resubmit', 'Reject'];
  const forced = MAGIC_INPUTS.filter((m) => m.field === 'surName' && DECISIONS.includes(m.value));

  it('MAGIC_INPUTS lists a surName for each decision', () => {
    expect(forced.map((m) => m.value).sort()).toEqual([...DECISIONS].sort());
  });

  it.each(forced.map((m) => m.value))(
    '--sur-name %s prints that decision',
    async (surName) => {
      const r = await cli(
        ['score', '--stock-persona', '--sur-name', surName, '--modules', 'kyc,fraud,decision'],
        env,
      );
      expect(r.code, show(r)).toBe(0);
      expect(r.stdout).toContain(`Decision:     ${surName.toLowerCase()}`);
    },
    TEST_TIMEOUT,
  );

  it(
    'a bad --dob exits 2 naming --dob',
    async () => {
      const r = await cli(['score', '--stock-persona', '--dob', '31/01/1990'], env);
      expect(r.code, show(r)).toBe(2);
      expect(r.stderr).toContain('--dob');
      expect(r.stdout).toBe('');
    },
    TEST_TIMEOUT,
  );

  it(
    'an unknown module exits 2 naming --modules',
    async () => {
      const r = await cli(['score', '--stock-persona', '--modules', 'kyc,telepathy'], env);
      expect(r.code, show(r)).toBe(2);
      expect(r.stderr).toContain('--modules');
      expect(r.stderr).toContain('telepathy');
    },
    TEST_TIMEOUT,
  );

  it(
    'a wrong key exits 1 and the key appears nowhere in the output',
    async () => {
      const wrong = 'ffffffff-0000-4000-8000-00000000dead';
      const r = await cli(['score', '--stock-persona', '--id-plus-key', wrong], env);
      expect(r.code, show(r)).toBe(1);
      expect(r.stderr).toMatch(/401|key/i);
      expect(r.stderr).not.toContain(wrong);
      expect(r.stdout).not.toContain(wrong);
      expect(r.stderr).not.toContain('dead');
    },
    TEST_TIMEOUT,
  );

  it(
    'an unreachable API URL exits 1',
    async () => {
      const url = await closedPortUrl();
      const r = await cli(['score', '--stock-persona', '--api-url', url, '--timeout-ms', '2000'], env);
      expect(r.code, show(r)).toBe(1);
      expect(r.stderr).toMatch(/^error: /);
      expect(r.stderr).not.toContain(sb.keys.sandbox.idPlusKey);
    },
    TEST_TIMEOUT,
  );

  it(
    'SOCURE_TIMEOUT_MS=abc exits 2 naming SOCURE_TIMEOUT_MS',
    async () => {
      const r = await cli(['score', '--stock-persona'], { ...env, SOCURE_TIMEOUT_MS: 'abc' });
      expect(r.code, show(r)).toBe(2);
      expect(r.stderr).toContain('SOCURE_TIMEOUT_MS');
    },
    TEST_TIMEOUT,
  );

  it(
    'a bad --max-retries exits 2 naming the flag; a missing key names SOCURE_ID_PLUS_KEY',
    async () => {
      const [bad, missing] = await Promise.all([
        cli(['score', '--stock-persona', '--max-retries', '99'], env),
        cli(['score', '--stock-persona', '--api-url', sb.url]),
      ]);
      expect(bad.code, show(bad)).toBe(2);
      expect(bad.stderr).toContain('--max-retries');
      expect(missing.code, show(missing)).toBe(2);
      expect(missing.stderr).toContain('SOCURE_ID_PLUS_KEY');
    },
    TEST_TIMEOUT,
  );
});

describe.concurrent('socure-connector call', () => {
  it(
    '--method POST --endpoint /api/3.0/EmailAuthScore --body @file.json → statusCode 200',
    async () => {
      const file = join(workDir, 'request.json');
      await writeFile(file, JSON.stringify(SEED_CUSTOM_CALL_INPUT_EXAMPLE.properties.bodyData));
      const r = await cli(
        ['call', '--method', 'POST', '--endpoint', '/api/3.0/EmailAuthScore', '--body', `@${file}`],
        env,
      );
      expect(r.code, show(r)).toBe(0);
      const json = JSON.parse(r.stdout) as { statusCode: number; rawResponse: { addressRisk?: unknown } };
      expect(json.statusCode).toBe(200);
      expect(json.rawResponse.addressRisk).toBeDefined();
    },
    TEST_TIMEOUT,
  );

  it(
    'a 400 from Socure still exits 0 with the statusCode printed',
    async () => {
      const r = await cli(
        [
          'call',
          '--method',
          'post',
          '--endpoint',
          '/api/3.0/EmailAuthScore',
          '--body',
          '{"modules":["nope"]}',
        ],
        env,
      );
      expect(r.code, show(r)).toBe(0);
      expect(JSON.parse(r.stdout).statusCode).toBe(400);
    },
    TEST_TIMEOUT,
  );

  it(
    '--endpoint //evil.example/x exits 2 naming --endpoint',
    async () => {
      const r = await cli(['call', '--endpoint', '//evil.example/x'], env);
      expect(r.code, show(r)).toBe(2);
      expect(r.stderr).toContain('--endpoint');
      expect(r.stdout).toBe('');
    },
    TEST_TIMEOUT,
  );

  it(
    'a missing body file and a bad --method exit 2',
    async () => {
      const [missing, method] = await Promise.all([
        cli(
          ['call', '--method', 'POST', '--endpoint', '/x', '--body', `@${join(workDir, 'nope.json')}`],
          env,
        ),
        cli(['call', '--method', 'PATCH', '--endpoint', '/x'], env),
      ]);
      expect(missing.code, show(missing)).toBe(2);
      expect(missing.stderr).toContain('--body');
      expect(method.code, show(method)).toBe(2);
      expect(method.stderr).toContain('--method');
    },
    TEST_TIMEOUT,
  );
});

describe.concurrent('socure-connector manifest, help, sandbox --magic', () => {
  it(
    'manifest prints JSON with the five seed capabilities and the two RiskOS ones',
    async () => {
      const r = await cli(['manifest']);
      expect(r.code, show(r)).toBe(0);
      const manifest = JSON.parse(r.stdout) as { capabilities: Array<{ id: string }> };
      expect(manifest.capabilities.map((c) => c.id).sort()).toEqual(
        [
          'documentVerification',
          'getScore',
          'getVerificationUrl',
          'makeCustomApiCall',
          'webhook',
          'evaluate',
          'getEvaluation',
        ].sort(),
      );
    },
    TEST_TIMEOUT,
  );

  it.each(COMMANDS)(
    '%s --help exits 0 and shows an Example',
    async (command) => {
      const r = await cli([...command.split(' '), '--help']);
      expect(r.code, show(r)).toBe(0);
      expect(r.stdout).toContain(`Usage: socure-connector ${command}`);
      expect(r.stdout).toContain('Example');
    },
    TEST_TIMEOUT,
  );

  it(
    'the top-level --help lists every command; --version prints the version',
    async () => {
      const [help, version] = await Promise.all([cli(['--help']), cli(['--version'])]);
      expect(help.code, show(help)).toBe(0);
      for (const c of COMMANDS.filter((command) => !command.includes(' '))) {
        expect(help.stdout).toContain(c);
      }
      expect(version.code, show(version)).toBe(0);
      expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    },
    TEST_TIMEOUT,
  );

  it(
    'sandbox --magic prints the magic-input table and exits',
    async () => {
      const r = await cli(['sandbox', '--magic']);
      expect(r.code, show(r)).toBe(0);
      for (const m of MAGIC_INPUTS) {
        expect(r.stdout).toContain(m.field);
        if (m.value) expect(r.stdout).toContain(m.value);
      }
      expect(r.stdout).toContain('→');
    },
    TEST_TIMEOUT,
  );

  it(
    'an unknown command or option exits 2',
    async () => {
      const [cmd, opt] = await Promise.all([cli(['frobnicate']), cli(['score', '--no-such-flag'], env)]);
      expect(cmd.code, show(cmd)).toBe(2);
      expect(opt.code, show(opt)).toBe(2);
    },
    TEST_TIMEOUT,
  );
});

describe('socure-connector docv-url, sandbox trigger, docv-result', () => {
  const tokenOf = (stdout: string) => new RegExp(`Token:\\s+(${UUID})`).exec(stdout)?.[1];

  it(
    'docv-url (v5) prints the URL, the token and a QR code',
    async () => {
      const r = await cli(['docv-url', '--customer-user-id', '123'], env);
      expect(r.code, show(r)).toBe(0);
      const token = tokenOf(r.stdout);
      expect(token, r.stdout).toBeDefined();
      expect(r.stdout).toContain(`URL:          ${sb.url}/capture/${token}`);
      expect(r.stdout).toMatch(new RegExp(`Reference ID: ${UUID}`));
      expect(r.stdout).toMatch(/[▀▄█]/);
      const view = await httpJson(`${sb.url}/sandbox/transactions/${token}`);
      expect(view.json).toMatchObject({ apiVersion: 'v5', customerUserId: '123' });
    },
    TEST_TIMEOUT,
  );

  it(
    'docv-url --verification-level 2 uses the legacy v3 request',
    async () => {
      const r = await cli(['docv-url', '--verification-level', '2'], env);
      expect(r.code, show(r)).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`URL:\\s+${sb.url}/capture/`));
      const token = tokenOf(r.stdout);
      expect(token, r.stdout).toBeDefined();
      const view = await httpJson(`${sb.url}/sandbox/transactions/${token}`);
      expect(view.json).toMatchObject({ apiVersion: 'v3', verificationLevel: 2 });
    },
    TEST_TIMEOUT,
  );

  it(
    'docv-url refuses level 4, level 3 without a mobile number, and --send-sms without one',
    async () => {
      const runs = await Promise.all([
        cli(['docv-url', '--verification-level', '4'], env),
        cli(['docv-url', '--verification-level', '3'], env),
        cli(['docv-url', '--send-sms'], env),
      ]);
      expect(runs.map((r) => r.code)).toEqual([2, 2, 2]);
      expect(runs[0]!.stderr).toContain('--verification-level');
      expect(runs[1]!.stderr).toContain('--mobile-number');
      expect(runs[2]!.stderr).toContain('--mobile-number');
    },
    TEST_TIMEOUT,
  );

  it(
    'an input error names the flag that was typed (--redirect-url, --language, --header)',
    async () => {
      const runs = await Promise.all([
        cli(['docv-url', '--redirect-url', 'nope'], env),
        cli(['docv-url', '--language', 'english-please'], env),
        cli(['call', '--endpoint', '/api/3.0/EmailAuthScore', '--header', 'Authorization=x'], env),
      ]);
      expect(runs.map((r) => r.code)).toEqual([2, 2, 2]);
      expect(runs[0]!.stderr).toMatch(/^error: --redirect-url/);
      expect(runs[1]!.stderr).toMatch(/^error: --language/);
      expect(runs[2]!.stderr).toMatch(/^error: --header\b(?!s)/);
    },
    TEST_TIMEOUT,
  );

  it(
    'sandbox trigger complete-accept, then docv-result prints accept',
    async () => {
      const started = await cli(['docv-url', '--json'], env);
      expect(started.code, show(started)).toBe(0);
      const tx = JSON.parse(started.stdout) as { docvTransactionToken: string; url: string; qrCode: string };
      expect(tx.docvTransactionToken).toMatch(new RegExp(UUID));
      expect(tx.qrCode.startsWith('data:image/png;base64,')).toBe(true);

      const pending = await cli(['docv-result', '--token', tx.docvTransactionToken], env);
      expect(pending.code, show(pending)).toBe(0);
      expect(pending.stdout).toMatch(/Decision:\s+\(not decided yet/);

      const trig = await cli([
        'sandbox',
        'trigger',
        'complete-accept',
        '--token',
        tx.docvTransactionToken,
        '--api-url',
        sb.url,
      ]);
      expect(trig.code, show(trig)).toBe(0);
      expect(trig.stdout).toContain('completed');
      expect(trig.stdout).toContain('SESSION_COMPLETE');

      const done = await cli(['docv-result', '--token', tx.docvTransactionToken], env);
      expect(done.code, show(done)).toBe(0);
      expect(done.stdout).toMatch(/Decision:\s+accept/);

      const again = await cli([
        'sandbox',
        'trigger',
        'complete-accept',
        '--token',
        tx.docvTransactionToken,
        '--api-url',
        sb.url,
      ]);
      expect(again.code, show(again)).toBe(1);
      expect(again.stderr).toContain('409');
    },
    TEST_TIMEOUT,
  );

  it(
    'sandbox trigger refuses an unknown scenario (2) and an unreachable sandbox (1)',
    async () => {
      const url = await closedPortUrl();
      const [scenario, unreachable] = await Promise.all([
        cli(['sandbox', 'trigger', 'explode', '--token', 't', '--api-url', sb.url]),
        cli(['sandbox', 'trigger', 'complete-accept', '--token', 't', '--api-url', url]),
      ]);
      expect(scenario.code, show(scenario)).toBe(2);
      expect(scenario.stderr).toContain('complete-accept');
      expect(unreachable.code, show(unreachable)).toBe(1);
      expect(unreachable.stderr).toContain('could not reach the sandbox');
    },
    TEST_TIMEOUT,
  );
});

describe('socure-connector sandbox clock', () => {
  it(
    '--advance 20m moves the clock and expires a pending transaction',
    async () => {
      // Its own sandbox: moving the clock would expire the other tests' transactions.
      const own = await startSandbox({ port: 0 });
      try {
        const made = await cli(['docv-url', '--json'], {
          SOCURE_API_URL: own.url,
          SOCURE_ID_PLUS_KEY: own.keys.sandbox.idPlusKey,
        });
        expect(made.code, show(made)).toBe(0);
        const token = (JSON.parse(made.stdout) as { docvTransactionToken: string }).docvTransactionToken;
        const before = own.clock.now();
        const r = await cli(['sandbox', 'clock', '--advance', '20m', '--api-url', own.url]);
        expect(r.code, show(r)).toBe(0);
        expect(own.clock.now() - before).toBeGreaterThanOrEqual(20 * 60_000);
        const view = await httpJson(`${own.url}/sandbox/transactions/${token}`);
        expect(view.json.status).toBe('expired');

        const bad = await cli(['sandbox', 'clock', '--advance', 'soon', '--api-url', own.url]);
        expect(bad.code, show(bad)).toBe(2);
        expect(bad.stderr).toContain('--advance');
      } finally {
        await own.close();
      }
    },
    TEST_TIMEOUT,
  );
});
