/**
 * `forget`, `audit verify` and `audit export`, run as a person runs them (the real binary, a child process)
 * against a SQLite database the store populated. The audit trail is then tampered with directly in SQLite (an
 * edited entry, a deleted entry): verify must say where the chain breaks.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditHash } from '../../src/store/audit-chain.js';
import Database from '../../src/store/sqlite-driver.js';
import { allAudit, jsonlSeqs, newKey, open, PII, seedDelivery, seedSession } from './admin-support.js';
import { cli, show } from './run-cli.js';

const TEST_TIMEOUT = 120_000;
let workDir: string;
let dbCount = 0;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'socure-cli-forget-audit-'));
});

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** A fresh database with `entries` audit entries (some chained, the last ones still pending), and its key. */
async function auditDatabase(entries = 6): Promise<{ db: string; env: NodeJS.ProcessEnv }> {
  const db = join(workDir, `audit-${++dbCount}.db`);
  const key = newKey();
  const store = await open(db, key);
  // Times a second apart from 2025-01-01T00:00:00Z; an actor and a detail that need quoting in CSV.
  const base = Date.parse('2025-01-01T00:00:00Z');
  for (let i = 1; i <= entries; i++) {
    await store.appendAudit(
      [
        {
          type: i % 2 ? 'socure.call' : 'session.decided',
          actor: i === 3 ? 'api-key:k1, "ops"' : 'engine',
          detail: { n: i, note: i === 3 ? 'a "quoted", multi\nline value' : 'plain' },
        },
      ],
      base + i * 1000,
    );
    // The first half chained as the service would; the rest left for verify/export to chain.
    if (i === Math.floor(entries / 2)) while ((await store.chainAudit(100)) > 0);
  }
  await store.close();
  return { db, env: { DATA_ENCRYPTION_KEYS: key, DATABASE_URL: `sqlite:${db}` } };
}

function sqlite(db: string, statement: string): void {
  const conn = new Database(db);
  try {
    conn.prepare(statement).run();
  } finally {
    conn.close();
  }
}

/** RFC 4180, written apart from the exporter: quoted fields, doubled quotes, line breaks inside quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length > 0) throw new Error(`CSV does not end with CRLF: ${JSON.stringify(field)}`);
  return rows;
}

describe('socure-connector forget', () => {
  it(
    'erases one person’s sessions, deliveries and callbacks, prints the counts, and audits it by keyed hash',
    async () => {
      const db = join(workDir, 'forget.db');
      const key = newKey();
      const store = await open(db, key);
      await seedSession(store, 'a1', 'cu-forget');
      await seedSession(store, 'a2', 'cu-forget');
      await seedSession(store, 'b1', 'cu-keep');
      await seedDelivery(store, 'da', 'cu-forget');
      await seedDelivery(store, 'db', 'cu-keep');
      const lookup = store.lookupHash('cu-forget');
      await store.close();
      const env = { DATA_ENCRYPTION_KEYS: key };

      // Not from a terminal and no --yes: refused, nothing erased.
      const refused = await cli(['forget', '--customer-user-id', 'cu-forget', '--database-url', db], env);
      expect(refused.code, show(refused)).toBe(2);
      expect(refused.stderr).toContain('--yes');
      const untouched = await open(db, key);
      expect((await untouched.getSessionData('a1'))?.input).toMatchObject(PII);
      await untouched.close();

      const r = await cli(['forget', '--customer-user-id', 'cu-forget', '--yes', '--database-url', db], env);
      expect(r.code, show(r)).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ sessions: 2, deliveries: 1, callbacks: 2 });

      const after = await open(db, key);
      try {
        for (const id of ['a1', 'a2']) {
          const data = await after.getSessionData(id);
          expect(data?.input).toEqual({});
          expect(JSON.stringify(data)).not.toContain(PII.firstName);
          expect(JSON.stringify(data)).not.toContain(PII.ssn);
          expect((await after.getSession(id))?.customerUserId).toBeNull();
          for (const cb of await after.listOutbound(id)) expect(cb.body).toBe('');
        }
        // Another person's data is untouched.
        expect((await after.getSessionData('b1'))?.input).toMatchObject(PII);
        expect((await after.getSession('b1'))?.customerUserId).toBe('cu-keep');
        const events = ['VERIFICATION_COMPLETED'];
        expect(await after.findDeliveries({ docvTransactionToken: 'tok-da' }, events)).toEqual([]);
        expect(await after.findDeliveries({ docvTransactionToken: 'tok-db' }, events)).toHaveLength(1);
        // The trail keeps that an erasure happened, under the keyed hash: never the id.
        const audit = await allAudit(after);
        const erased = audit.filter((e) => e.type === 'customer.erased');
        expect(erased).toEqual([
          expect.objectContaining({
            actor: 'cli',
            detail: { customer: lookup, sessions: 2, deliveries: 1, callbacks: 2 },
          }),
        ]);
        expect(erased[0]!.hash).toMatch(/^[0-9a-f]{64}$/); // chained by the command
        expect(JSON.stringify(audit)).not.toContain('cu-forget');
      } finally {
        await after.close();
      }

      // Asked again: nothing left to remove.
      const again = await cli(
        ['forget', '--customer-user-id', 'cu-forget', '--yes', '--database-url', db],
        env,
      );
      expect(again.code, show(again)).toBe(0);
      expect(JSON.parse(again.stdout)).toEqual({ sessions: 0, deliveries: 0, callbacks: 0 });
    },
    TEST_TIMEOUT,
  );

  it(
    'needs --customer-user-id',
    async () => {
      const r = await cli(['forget', '--yes']);
      expect(r.code, show(r)).toBe(2);
      expect(r.stderr).toContain('--customer-user-id');
    },
    TEST_TIMEOUT,
  );
});

describe.concurrent('socure-connector audit verify', () => {
  it(
    'exits 0 on an intact chain, chaining pending entries first',
    async () => {
      const { db, env } = await auditDatabase(6);
      const r = await cli(['audit', 'verify'], env);
      expect(r.code, show(r)).toBe(0);
      const store = await open(db, env.DATA_ENCRYPTION_KEYS!);
      const audit = await allAudit(store);
      await store.close();
      expect(audit).toHaveLength(6);
      expect(r.stdout).toBe(`audit trail intact: 6 entries, last hash ${audit.at(-1)!.hash}\n`);
    },
    TEST_TIMEOUT,
  );

  it(
    'exits 1 naming entry 2 after its detail was edited',
    async () => {
      const { db, env } = await auditDatabase(6);
      expect((await cli(['audit', 'verify'], env)).code).toBe(0);
      sqlite(db, `UPDATE audit_log SET detail = '{"n":2,"note":"rewritten"}' WHERE seq = 2`);
      const r = await cli(['audit', 'verify'], env);
      expect(r.code, show(r)).toBe(1);
      expect(r.stdout).toContain('audit trail broken at entry 2: entry 2 was edited');
      expect(r.stdout).toContain('entries 1–1 verify');
    },
    TEST_TIMEOUT,
  );

  it(
    'exits 1 naming entry 2 after it was deleted',
    async () => {
      const { db, env } = await auditDatabase(6);
      expect((await cli(['audit', 'verify'], env)).code).toBe(0);
      sqlite(db, 'DELETE FROM audit_log WHERE seq = 2');
      const r = await cli(['audit', 'verify'], env);
      expect(r.code, show(r)).toBe(1);
      expect(r.stdout).toContain('audit trail broken at entry 3: entry 2 is missing');
    },
    TEST_TIMEOUT,
  );

  it(
    'exits 1 at the next entry when an entry was edited and its own hash recomputed',
    async () => {
      const { db, env } = await auditDatabase(4);
      expect((await cli(['audit', 'verify'], env)).code).toBe(0);
      const conn = new Database(db);
      try {
        const row = conn.prepare('SELECT at, type, actor, prev_hash FROM audit_log WHERE seq = 2').get() as {
          at: number;
          type: string;
          actor: string;
          prev_hash: string;
        };
        const detailText = '{"n":2,"note":"rewritten"}';
        const hash = auditHash(row.prev_hash, {
          seq: 2,
          at: Number(row.at),
          type: row.type,
          actor: row.actor,
          detailText,
        });
        conn.prepare('UPDATE audit_log SET detail = ?, hash = ? WHERE seq = 2').run(detailText, hash);
      } finally {
        conn.close();
      }
      const r = await cli(['audit', 'verify'], env);
      expect(r.code, show(r)).toBe(1);
      expect(r.stdout).toContain('audit trail broken at entry 3: entry 3 does not follow entry 2');
      expect(r.stdout).toContain('entries 1–2 verify');
    },
    TEST_TIMEOUT,
  );
});

describe.concurrent('socure-connector audit export', () => {
  it(
    '--format jsonl: one object per chained entry, in seq order',
    async () => {
      const { env } = await auditDatabase(6);
      const r = await cli(['audit', 'export', '--format', 'jsonl'], env);
      expect(r.code, show(r)).toBe(0);
      expect(r.stdout.endsWith('\n')).toBe(true);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(6);
      const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(Object.keys(entries[0]!)).toEqual(['seq', 'at', 'type', 'actor', 'detail', 'prevHash', 'hash']);
      expect(entries[0]!.at).toBe('2025-01-01T00:00:01.000Z');
      expect(entries[2]).toMatchObject({
        actor: 'api-key:k1, "ops"',
        detail: { n: 3, note: 'a "quoted", multi\nline value' },
      });
      expect(entries[0]!.prevHash).toBe('0'.repeat(64));
      for (let i = 1; i < entries.length; i++) expect(entries[i]!.prevHash).toBe(entries[i - 1]!.hash);
    },
    TEST_TIMEOUT,
  );

  it(
    '--format csv: a header and one quoted row per entry, the detail as stored',
    async () => {
      const { env } = await auditDatabase(6);
      const [csv, jsonl] = await Promise.all([
        cli(['audit', 'export', '--format', 'csv'], env),
        cli(['audit', 'export'], env),
      ]);
      expect(csv.code, show(csv)).toBe(0);
      const rows = parseCsv(csv.stdout);
      expect(rows).toHaveLength(7);
      expect(rows[0]).toEqual(['seq', 'at', 'type', 'actor', 'detail', 'prevHash', 'hash']);
      const fromJsonl = jsonl.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      for (const [i, row] of rows.slice(1).entries()) {
        expect(row).toHaveLength(7);
        const e = fromJsonl[i]!;
        expect(row).toEqual([
          String(e.seq),
          e.at,
          e.type,
          e.actor,
          JSON.stringify(e.detail),
          e.prevHash,
          e.hash,
        ]);
      }
      expect(rows[3]![3]).toBe('api-key:k1, "ops"');
      expect(JSON.parse(rows[3]![4]!)).toEqual({ n: 3, note: 'a "quoted", multi\nline value' });
    },
    TEST_TIMEOUT,
  );

  it(
    '--since a seq or a time, --out a file',
    async () => {
      const { env } = await auditDatabase(6);
      const out = join(workDir, 'export.csv');
      const [bySeq, byTime, toFile] = await Promise.all([
        cli(['audit', 'export', '--since', '4'], env),
        cli(['audit', 'export', '--since', '2025-01-01T00:00:05Z'], env),
        cli(['audit', 'export', '--format', 'csv', '--out', out], env),
      ]);
      expect(bySeq.code, show(bySeq)).toBe(0);
      expect(jsonlSeqs(bySeq.stdout)).toEqual([5, 6]);
      expect(byTime.code, show(byTime)).toBe(0);
      expect(jsonlSeqs(byTime.stdout)).toEqual([5, 6]);
      expect(toFile.code, show(toFile)).toBe(0);
      expect(toFile.stdout).toBe('');
      expect(toFile.stderr).toContain(`exported 6 audit entries to ${out}`);
      expect(parseCsv(await readFile(out, 'utf8'))).toHaveLength(7);
    },
    TEST_TIMEOUT,
  );

  it(
    'a bad --format or --since is a clear error',
    async () => {
      const { env } = await auditDatabase(2);
      const [format, since] = await Promise.all([
        cli(['audit', 'export', '--format', 'xml'], env),
        cli(['audit', 'export', '--since', 'yesterday'], env),
      ]);
      expect(format.code, show(format)).toBe(2);
      expect(format.stderr).toBe('error: --format must be jsonl or csv (got "xml")\n');
      expect(format.stdout).toBe('');
      expect(since.code, show(since)).toBe(2);
      expect(since.stderr).toContain('--since must be an ISO 8601 time');
    },
    TEST_TIMEOUT,
  );
});
