/** `socure-connector start`'s banner names the Socure products configured: RiskOS alone, or both on the sandbox. */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import { cli, show, spawnCli } from './run-cli.js';

const TEST_TIMEOUT = 90_000;

let sb: RunningSandbox;
let workDir: string;
let n = 0;

beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
  workDir = await mkdtemp(join(tmpdir(), 'socure-start-riskos-'));
});
afterAll(async () => {
  await sb?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** Runs `start` until its banner is out (bounded), then stops it with SIGTERM; returns what it printed. */
async function banner(env: NodeJS.ProcessEnv): Promise<string> {
  const { child, done } = spawnCli(['start'], {
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
  let exited = false;
  void done.then(() => {
    exited = true;
  });
  const deadline = Date.now() + 60_000;
  // The banner is one write, ending with the Encryption line (or the sandbox's lines after it).
  while (!/^Encryption: .*\n(?![\s\S]*^No SOCURE_ID_PLUS_KEY(?![\s\S]*use real Socure))/m.test(out)) {
    if (exited) throw new Error(`start exited early\n${show(await done)}`);
    if (Date.now() > deadline) throw new Error(`start printed no banner in time\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGTERM');
  await done;
  return out;
}

/** Runs a command with only a RiskOS key; it must stop with exit 2, naming SOCURE_ID_PLUS_KEY, never the key. */
async function refusedWithoutIdPlusKey(args: string[]) {
  const r = await cli(args, {
    SOCURE_RISKOS_KEY: sb.keys.sandbox.riskOsKey,
    SOCURE_RISKOS_URL: sb.url,
    SOCURE_API_URL: sb.url,
  });
  expect(r.code, show(r)).toBe(2);
  expect(r.stderr).toContain('no ID+ key configured: set SOCURE_ID_PLUS_KEY');
  expect(r.stderr).not.toContain(sb.keys.sandbox.riskOsKey);
  return r;
}

describe('socure-connector start: the Socure products in the banner', () => {
  it(
    'only SOCURE_RISKOS_KEY: real RiskOS, no ID+ host, no embedded sandbox, no public flows',
    async () => {
      const out = await banner({ SOCURE_RISKOS_KEY: sb.keys.sandbox.riskOsKey, SOCURE_RISKOS_URL: sb.url });
      expect(out).toContain(
        'Socure products: RiskOS (no SOCURE_ID_PLUS_KEY: ID+ and DocV steps are refused)\n',
      );
      expect(out).toContain(`RiskOS API: ${sb.url}\n`);
      expect(out).not.toMatch(/^Socure API:/m);
      expect(out).not.toContain('embedded offline');
      expect(out).toContain('Public flows: none — start sessions through the sessions API');
      expect(out).not.toContain(sb.keys.sandbox.riskOsKey);
    },
    TEST_TIMEOUT,
  );

  it(
    'neither key: the embedded sandbox serves both products',
    async () => {
      const out = await banner({});
      expect(out).toContain('Socure products: ID+ and DocV, RiskOS\n');
      expect(out).toMatch(/^Socure API: http:\/\/127\.0\.0\.1:\d+ \(the embedded offline sandbox\)$/m);
      expect(out).not.toMatch(/^RiskOS API:/m);
      expect(out).toContain(
        'No SOCURE_ID_PLUS_KEY or SOCURE_RISKOS_KEY set: using the embedded offline Socure sandbox',
      );
    },
    TEST_TIMEOUT,
  );

  it(
    'score with only a RiskOS key: refused before any call, exit 2, naming SOCURE_ID_PLUS_KEY',
    async () => {
      await refusedWithoutIdPlusKey(['score', '--stock-persona']);
    },
    TEST_TIMEOUT,
  );

  it(
    'score-batch with only a RiskOS key: refused before reading a row, exit 2, no output file',
    async () => {
      const input = join(workDir, 'riskos-only.csv');
      const out = join(workDir, 'riskos-only-results.csv');
      await writeFile(input, 'firstName,surName,email\nAnn,Lee,ann@example.com\n');
      const r = await refusedWithoutIdPlusKey(['score-batch', input, '--out', out]);
      expect(r.stderr).toContain('--id-plus-key: no ID+ key configured');
      expect(existsSync(out)).toBe(false);
    },
    TEST_TIMEOUT,
  );
});
