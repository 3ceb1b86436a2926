import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import { STOCK_PERSONA } from '../../src/socure/stock-persona.js';
import { eventually } from '../support/eventually.js';
import { cli, show, spawnCli } from './run-cli.js';
import { type CountingProxy, peopleCsv, readJournal, startCountingProxy } from './score-batch-support.js';

const TEST_TIMEOUT = 120_000;

let fast: RunningSandbox;
/** 150 ms per ID+ answer: rows are in flight long enough to kill or interrupt the command midway. */
let slow: RunningSandbox;
let workDir: string;
const proxies: CountingProxy[] = [];

beforeAll(async () => {
  [fast, slow] = await Promise.all([startSandbox({ port: 0 }), startSandbox({ port: 0, latencyMs: 150 })]);
  workDir = await mkdtemp(join(tmpdir(), 'score-batch-test-'));
});

afterAll(async () => {
  await Promise.all([fast?.close(), slow?.close(), ...proxies.map((p) => p.close())]);
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** A proxy of its own per test (its call log is the test's), and the env pointing the CLI at it. */
async function target(sb: RunningSandbox) {
  const proxy = await startCountingProxy(sb.url);
  proxies.push(proxy);
  const env = {
    SOCURE_API_URL: proxy.url,
    SOCURE_ID_PLUS_KEY: sb.keys.sandbox.idPlusKey,
    SOCURE_MAX_RETRIES: '0',
  };
  return { proxy, env };
}

const csvRows = async (path: string) =>
  parse(await readFile(path, 'utf8'), { columns: true }) as Array<Record<string, string>>;
const jsonlRows = async (path: string) =>
  (await readFile(path, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe.concurrent('socure-connector score-batch', () => {
  it(
    'CSV: maps obvious headers, rejects bad rows with their line numbers (never sent), scores the rest, prints a summary',
    async () => {
      const { proxy, env } = await target(fast);
      const input = join(workDir, 'mapped.csv');
      const P = STOCK_PERSONA;
      const lines = peopleCsv(3, 'csv').trimEnd().split('\n');
      lines.push(`csv-bad-dob,Ann,Lee,31/31/1999,${P.nationalId},a@example.com,,x,y,NY,10001,US`); // line 5
      lines.push('csv-short,Ann,Lee'); // line 6
      lines.push(
        `csv-reject,Jane,Reject,${P.dob},${P.nationalId},${P.email},${P.mobileNumber},"1 Main",Austin,TX,73301,US`,
      ); // 7
      await writeFile(input, `${lines.join('\n')}\n`);
      const out = join(workDir, 'mapped-out.csv');
      const r = await cli(['score-batch', input, '--out', out, '--rate', '0'], env);
      expect(r.code, show(r)).toBe(0);
      expect(r.stdout).toMatch(/Rows: +4 scored, 0 failed, 0 unknown, 2 rejected/);
      expect(r.stdout).toMatch(/Decisions: +accept 3, reject 1/);
      expect(r.stdout).toContain('Top reason codes:');

      const rejects = await csvRows(`${out}.rejects.csv`);
      expect(rejects).toEqual([
        { line: '5', field: 'dob', reason: 'expected a past date as YYYY-MM-DD' },
        { line: '6', field: '(row)', reason: 'has a different number of fields than the header (12)' },
      ]);
      const sentIds = proxy.calls.map((c) => c.customerUserId).sort();
      expect(sentIds).toEqual(['csv-1', 'csv-2', 'csv-3', 'csv-reject']);

      const rows = await csvRows(out);
      expect(rows.map((row) => row.line).sort()).toEqual(['2', '3', '4', '7']);
      const rejected = rows.find((row) => row.line === '7')!;
      expect(rejected.decision).toBe('reject');
      expect(rejected.referenceId).toMatch(/^[0-9a-f-]{36}$/);
      expect(rejected['kyc.reasonCodes']).toMatch(/R\d{3}/);
      expect(rejected['kyc.reasonCodeExplanations']).toMatch(/R\d{3}: \w/);
      // The output holds Socure's answers and line numbers, no input value.
      const written = await readFile(out, 'utf8');
      for (const pii of [P.surName, P.nationalId, P.email, P.dob]) expect(written).not.toContain(pii);
      const journal = await readFile(`${out}.journal`, 'utf8');
      for (const pii of [P.surName, P.nationalId, P.email, P.dob, 'csv-1'])
        expect(journal).not.toContain(pii);
    },
    TEST_TIMEOUT,
  );

  it(
    'JSONL with --map: explicit columns, ignored ones, and JSONL output with explanations',
    async () => {
      const { proxy, env } = await target(fast);
      const P = STOCK_PERSONA;
      const input = join(workDir, 'people.jsonl');
      const person = (id: string) => ({
        ref: id,
        'Given Name': P.firstName,
        Family: P.surName,
        'Birth Day': P.dob,
        ssn: P.nationalId,
        email: P.email,
        country: P.country,
        notes: 'not sent',
      });
      await writeFile(
        input,
        [JSON.stringify(person('j-1')), 'not json', '', JSON.stringify(person('j-2'))].join('\n'),
      );
      const out = join(workDir, 'people-out.jsonl');
      const r = await cli(
        [
          'score-batch',
          input,
          '--out',
          out,
          '--modules',
          'kyc,decision',
          '--rate',
          '0',
          '--map',
          'ref=customerUserId',
          '--map',
          'Family=surName',
          '--map',
          'Birth Day=dob',
          '--json',
        ],
        env,
      );
      expect(r.code, show(r)).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report).toMatchObject({
        scored: 2,
        rejected: 1,
        unknown: 0,
        sent: 2,
        ignoredColumns: ['notes'],
      });
      expect((await csvRows(`${out}.rejects.csv`)).map((x) => x.line)).toEqual(['2']);
      const sent = proxy.calls.map((c) => c.customerUserId).sort();
      expect(sent).toEqual(['j-1', 'j-2']);
      const rows = await jsonlRows(out);
      expect(rows.map((x) => x.line).sort()).toEqual([1, 4]);
      const kyc = (
        rows[0]!.modules as Record<string, { reasonCodes: string[]; explanations: Record<string, string> }>
      ).kyc!;
      expect(kyc.reasonCodes.length).toBeGreaterThan(0);
      expect(Object.keys(kyc.explanations)).toEqual(kyc.reasonCodes);

      const unknownField = await cli(['score-batch', input, '--out', out, '--map', 'ref=lastName'], env);
      expect(unknownField.code, show(unknownField)).toBe(2);
      expect(unknownField.stderr).toContain('"lastName" is not an ID+ input');
    },
    TEST_TIMEOUT,
  );

  it(
    '--rate 10/s: call starts are spaced (12 rows take over a second even with 4 in flight)',
    async () => {
      const { proxy, env } = await target(fast);
      const input = join(workDir, 'rate.csv');
      await writeFile(input, peopleCsv(12, 'rate'));
      const out = join(workDir, 'rate-out.csv');
      const r = await cli(['score-batch', input, '--out', out, '--rate', '10/s', '--concurrency', '4'], env);
      expect(r.code, show(r)).toBe(0);
      const at = proxy.calls.map((c) => c.at).sort((a, b) => a - b);
      expect(at).toHaveLength(12);
      // Starts are handed out 100 ms apart and a timer never fires early: 11 gaps take at least ~1.1 s
      // (a margin for the proxy's own timestamping). Unlimited, 12 calls at 4 in flight take a few ms.
      expect(at[11]! - at[0]!).toBeGreaterThanOrEqual(1_000);
      // No burst: no one-second window holds much more than 10 calls (slack for a loaded machine firing late timers
      // together; the exact spacing is checked with a fake clock in score-batch-units.test.ts).
      for (let i = 0; i < at.length; i++)
        expect(at.filter((t) => t >= at[i]! && t < at[i]! + 1_000).length).toBeLessThanOrEqual(14);
    },
    TEST_TIMEOUT,
  );

  it(
    'a 429 holds every call back for Retry-After, then the refused rows are scored',
    async () => {
      const { proxy, env } = await target(fast);
      const input = join(workDir, 'limited.csv');
      await writeFile(input, peopleCsv(4, 'limited'));
      const out = join(workDir, 'limited-out.csv');
      proxy.refuseNext(1, 1);
      const r = await cli(['score-batch', input, '--out', out, '--rate', '0', '--concurrency', '1'], env);
      expect(r.code, show(r)).toBe(0);
      expect(r.stdout).toMatch(/Rows: +4 scored, 0 failed/);
      const [refused, ...rest] = proxy.calls;
      expect(refused!.status).toBe(429);
      expect(rest).toHaveLength(4);
      expect(rest[0]!.customerUserId).toBe(refused!.customerUserId);
      expect(rest[0]!.at - refused!.at).toBeGreaterThanOrEqual(900);
    },
    TEST_TIMEOUT,
  );

  it(
    'killed mid-run (SIGKILL): the resume sends no row twice, reports the unanswered ones as unknown; --rescore sends those',
    async () => {
      const { proxy, env } = await target(slow);
      const N = 40;
      const input = join(workDir, 'killed.csv');
      await writeFile(input, peopleCsv(N, 'killed'));
      const out = join(workDir, 'killed-out.csv');
      const args = ['score-batch', input, '--out', out, '--rate', '0', '--concurrency', '4'];
      const run = spawnCli(args, env);
      await eventually(() => readJournal(`${out}.journal`).done >= 8, '8 rows journaled', {
        timeoutMs: 60_000,
      });
      run.child.kill('SIGKILL');
      await run.done;
      const atKill = readJournal(`${out}.journal`);
      expect(atKill.finished.size).toBeLessThan(N);
      const unanswered = [...atKill.sent].filter((l) => !atKill.finished.has(l));
      // 4 in flight at 150 ms each when the kill lands a few ms after the 8th answer: some are always unanswered.
      expect(unanswered.length).toBeGreaterThan(0);

      const resumed = await cli(args, env);
      expect(resumed.code, show(resumed)).toBe(0);
      // Every row reached ID+ exactly once, except the unanswered ones, which were not sent again.
      const counts = proxy.perRow();
      for (let i = 1; i <= N; i++) expect(counts.get(`killed-${i}`) ?? 0, `killed-${i}`).toBe(1);
      expect(proxy.calls).toHaveLength(N);
      const rows = await csvRows(out);
      expect(rows).toHaveLength(N);
      expect(new Set(rows.map((r) => r.line)).size).toBe(N);
      const unknown = rows.filter((r) => r.status === 'unknown').map((r) => Number(r.line));
      expect(unknown.sort((a, b) => a - b)).toEqual(unanswered.sort((a, b) => a - b));
      expect(resumed.stdout).toContain(`${unanswered.length} unknown`);

      // Once more: nothing left to send.
      const again = await cli(args, env);
      expect(again.code, show(again)).toBe(0);
      expect(proxy.calls).toHaveLength(N);

      const rescored = await cli([...args, '--rescore'], env);
      expect(rescored.code, show(rescored)).toBe(0);
      expect(proxy.calls).toHaveLength(N + unanswered.length);
      for (const line of unanswered) expect(proxy.perRow().get(`killed-${line - 1}`)).toBe(2);
      const final = await csvRows(out);
      expect(final).toHaveLength(N);
      expect(final.every((r) => r.status === 'scored')).toBe(true);
    },
    TEST_TIMEOUT,
  );

  it(
    'Ctrl-C (SIGINT) finishes the rows in flight and journals them; the resume scores the rest once each',
    async () => {
      const { proxy, env } = await target(slow);
      const N = 30;
      const input = join(workDir, 'interrupted.csv');
      await writeFile(input, peopleCsv(N, 'int'));
      const out = join(workDir, 'interrupted-out.csv');
      const args = ['score-batch', input, '--out', out, '--rate', '0', '--concurrency', '4'];
      const run = spawnCli(args, env);
      await eventually(() => readJournal(`${out}.journal`).done >= 4, '4 rows journaled', {
        timeoutMs: 60_000,
      });
      run.child.kill('SIGINT');
      const stopped = await run.done;
      expect(stopped.code, show(stopped)).toBe(130);
      expect(stopped.stdout).toContain('Interrupted');
      const atStop = readJournal(`${out}.journal`);
      // Nothing left unanswered: every row sent has its answer journaled.
      expect([...atStop.sent].filter((l) => !atStop.finished.has(l))).toEqual([]);
      expect(atStop.finished.size).toBeLessThan(N);
      expect(proxy.calls).toHaveLength(atStop.sent.size);

      const resumed = await cli(args, env);
      expect(resumed.code, show(resumed)).toBe(0);
      expect(resumed.stdout).toMatch(new RegExp(`Rows: +${N} scored, 0 failed, 0 unknown`));
      for (let i = 1; i <= N; i++) expect(proxy.perRow().get(`int-${i}`), `int-${i}`).toBe(1);
    },
    TEST_TIMEOUT,
  );

  it(
    'refuses a journal written for another input, and unknown modules',
    async () => {
      const { env } = await target(fast);
      const input = join(workDir, 'changed.csv');
      await writeFile(input, peopleCsv(1, 'changed'));
      const out = join(workDir, 'changed-out.csv');
      expect((await cli(['score-batch', input, '--out', out, '--rate', '0'], env)).code).toBe(0);
      await writeFile(input, peopleCsv(2, 'changed'));
      const r = await cli(['score-batch', input, '--out', out, '--rate', '0'], env);
      expect(r.code, show(r)).toBe(2);
      expect(r.stderr).toContain('was written for another input file');

      const badModule = await cli(['score-batch', input, '--out', out, '--modules', 'kyc,nope'], env);
      expect(badModule.code, show(badModule)).toBe(2);
      expect(badModule.stderr).toContain('--modules: unknown module(s) nope');
    },
    TEST_TIMEOUT,
  );
});
