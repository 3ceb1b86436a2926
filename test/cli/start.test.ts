import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import { cli, type Run, show, spawnCli } from './run-cli.js';

const TEST_TIMEOUT = 90_000;

let sb: RunningSandbox;
let workDir: string;
let n = 0;

beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
  workDir = await mkdtemp(join(tmpdir(), 'socure-start-test-'));
});

afterAll(async () => {
  await sb?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** Runs `start` until its banner is out, then stops it with SIGTERM; returns what it printed. */
async function banner(env: NodeJS.ProcessEnv, args: string[] = []): Promise<string> {
  const { child, done } = spawnCli(['start', ...args], {
    PORT: '0',
    SANDBOX_PORT: '0',
    DATABASE_URL: `sqlite:${join(workDir, `start-${n++}.db`)}`,
    LOG_LEVEL: 'warn',
    ...env,
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  let exited: Run | undefined;
  void done.then((r) => {
    exited = r;
  });
  const deadline = Date.now() + 60_000;
  // The banner is one write, ending with the Encryption line (or the sandbox's lines after it).
  while (!/^Encryption: .*\n(?![\s\S]*^No SOCURE_ID_PLUS_KEY(?![\s\S]*use real Socure))/m.test(out)) {
    if (exited) throw new Error(`start exited early\n${show(exited)}`);
    if (Date.now() > deadline) throw new Error(`start printed no banner in time\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGTERM');
  await done;
  return out;
}

describe('socure-connector start: the banner', () => {
  it(
    'with a real key: no public flows, the Socure base URL, the configured webhook URL, one warning line',
    async () => {
      const out = await banner({
        SOCURE_ID_PLUS_KEY: sb.keys.sandbox.idPlusKey,
        SOCURE_API_URL: sb.url,
        SOCURE_WEBHOOK_URL: 'https://verify.example.com/proxy/socure-hook',
      });
      expect(out).toContain('Public flows: none — start sessions through the sessions API');
      expect(out).not.toContain('/flows/');
      expect(out).toContain(`Socure API: ${sb.url}\n`);
      expect(out).toContain(
        'Socure webhook URL (Socure admin > Developer > Webhook): https://verify.example.com/proxy/socure-hook\n',
      );
      // One banner line (the JSON log has its own warn entry).
      const warnings = out
        .split('\n')
        .filter((l) => !l.startsWith('{') && l.includes('SOCURE_WEBHOOK_SECRET'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^Warning: No SOCURE_WEBHOOK_SECRET/);
      expect(out).not.toContain('embedded offline Socure sandbox');
    },
    TEST_TIMEOUT,
  );

  it(
    'a real key on production names the real host; PUBLIC_FLOWS lists the public ones',
    async () => {
      // Nothing is called at start, so the production host is only printed.
      const out = await banner(
        {
          SOCURE_ID_PLUS_KEY: 'not-a-real-key-1',
          SOCURE_ENVIRONMENT: 'production',
          SOCURE_WEBHOOK_SECRET: 'a-webhook-secret-1234',
          OPERATOR_API_KEY: 'an-operator-key-1234567890abcdef',
          CONSOLE_ALLOW_REMOTE: 'true',
          METRICS_TOKEN: 'a-metrics-token-1234567890abcdef',
        },
        ['--public-flows', 'idplus-score'],
      );
      expect(out).toContain('Socure API: https://service.socure.com\n');
      expect(out).toMatch(
        /^Operator console: http:\/\/localhost:\d+\/console {3}\(key: OPERATOR_API_KEY\)$/m,
      );
      expect(out).toMatch(
        /^Metrics \(Prometheus\): http:\/\/localhost:\d+\/metrics {3}\(Bearer METRICS_TOKEN\)$/m,
      );
      expect(out).toContain('Public flows (PUBLIC_FLOWS): idplus-score — open one in a browser:');
      expect(out.match(/\/flows\/[a-z-]+/g)).toEqual(['/flows/idplus-score']);
      expect(out).not.toContain('Warning: No SOCURE_WEBHOOK_SECRET');
    },
    TEST_TIMEOUT,
  );

  it(
    'the embedded sandbox with HOST=0.0.0.0: sandbox URLs on the public host, never 0.0.0.0',
    async () => {
      const out = await banner({ HOST: '0.0.0.0', PUBLIC_URL: 'http://192.0.2.10:3000' });
      expect(out).not.toContain('0.0.0.0');
      expect(out).toMatch(/^Socure API: http:\/\/192\.0\.2\.10:\d+ \(the embedded offline sandbox\)$/m);
      expect(out).toMatch(/using the embedded offline Socure sandbox at http:\/\/192\.0\.2\.10:\d+$/m);
      expect(out).toMatch(/^ {2}admin \(webhooks, allowlist, keys\): http:\/\/127\.0\.0\.1:\d+\/admin$/m);
      expect(out).toContain('Flows — open one in a browser:');
      expect(out).toContain('http://192.0.2.10:3000/flows/docv-qr');
      expect(out).toContain(
        'Operator console: http://192.0.2.10:3000/console   (key: the sessions API key; from this machine only (CONSOLE_ALLOW_REMOTE))\n',
      );
      expect(out).toContain(
        'Metrics (Prometheus): http://192.0.2.10:3000/metrics   (from this machine only (METRICS_TOKEN for a scraper elsewhere))\n',
      );
    },
    TEST_TIMEOUT,
  );
});

describe.concurrent('socure-connector start: settings errors name the variable', () => {
  it.each([
    [{ SOCURE_ENVIRONMENT: 'staging' }, [], /^error: SOCURE_ENVIRONMENT must be one of sandbox/],
    [{}, ['--environment', 'staging'], /^error: --environment must be one of sandbox/],
    [{ PUBLIC_FLOWS: 'idplus-score,nope' }, [], /^error: PUBLIC_FLOWS names an unknown flow: nope/],
    [{ PUBLIC_FLOWS: 'Not A List' }, [], /^error: PUBLIC_FLOWS must be all, none or a comma-separated/],
    [{ SOCURE_WEBHOOK_URL: 'verify.example.com' }, [], /^error: SOCURE_WEBHOOK_URL must be an http\(s\) URL/],
  ])(
    '%j %j',
    async (env, args, message) => {
      const r = await cli(['start', ...args], {
        PORT: '0',
        SANDBOX_PORT: '0',
        DATABASE_URL: `sqlite:${join(workDir, `err-${n++}.db`)}`,
        ...env,
      });
      expect(r.code, show(r)).toBe(2);
      expect(r.stderr).toMatch(message);
    },
    TEST_TIMEOUT,
  );

  it(
    'sandbox: a bad SANDBOX_ADMIN_TOKEN is named as the variable, a bad --admin-token as the flag',
    async () => {
      const fromEnv = await cli(['sandbox', '--port', '0'], { SANDBOX_ADMIN_TOKEN: 'short' });
      expect(fromEnv.code, show(fromEnv)).toBe(2);
      expect(fromEnv.stderr).toMatch(/^error: SANDBOX_ADMIN_TOKEN: must be at least 16 characters/);
      const fromFlag = await cli(['sandbox', '--port', '0', '--admin-token', 'short']);
      expect(fromFlag.code, show(fromFlag)).toBe(2);
      expect(fromFlag.stderr).toMatch(/^error: --admin-token: must be at least 16 characters/);
    },
    TEST_TIMEOUT,
  );

  it(
    'score ignores SOCURE_WEBHOOK_URL (a setting of start) and has no --webhook-url',
    async () => {
      const env = {
        SOCURE_API_URL: sb.url,
        SOCURE_ID_PLUS_KEY: sb.keys.sandbox.idPlusKey,
        SOCURE_WEBHOOK_URL: 'not a url',
      };
      const r = await cli(['score', '--stock-persona', '--json'], env);
      expect(r.code, show(r)).toBe(0);
      const flag = await cli(['score', '--stock-persona', '--webhook-url', 'https://x.example.com'], env);
      expect(flag.code, show(flag)).not.toBe(0);
      expect(flag.stderr).toMatch(/unknown option '--webhook-url'/);
    },
    TEST_TIMEOUT,
  );
});
