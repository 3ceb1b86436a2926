/**
 * Shared by the issue 9 proofs (personal-data-*.test.ts, audit-chain.test.ts): a person with distinctive data,
 * every form that data could be written in, a scanner for raw database bytes, the raw database itself (SQLite
 * files; a dump and the data files of a PostgreSQL database), raw SQL beside the service (to age records and to
 * tamper), a local app-webhook receiver, the service started with it, the sessions every proof runs, and the
 * sandbox's capture app driven over HTTP with real image bytes.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { request } from 'undici';
import { expect } from 'vitest';
import Database from '../../src/store/sqlite-driver.js';
import { FULL_SEQUENCE, http, multipartImage, postForm } from '../sandbox/docv-support.js';
import { databaseUrlFor } from '../support/database.js';
import { createSession, startTestService, type TestService, triggerSandbox, waitToken } from './helpers.js';

const run = promisify(execFile);

// --- the person ---------------------------------------------------------------------------------------------

/**
 * A made-up person whose every value is distinctive (found nowhere else in a database by chance) and triggers
 * no sandbox magic: the SSN's area is not 000/666/900-999 (987-65-4329 would be an invalid-SSN reject), the
 * surname is not a magic one, the e-mail domain is neither alertlist.example nor disposable, the phone is not
 * +15555550100.
 */
export const PERSON = {
  firstName: 'Quillon',
  surName: 'Vexmarrow',
  dob: '1983-04-17',
  nationalId: '573-81-4926',
  email: 'quillon.vexmarrow@example.org',
  mobileNumber: '+14155550199',
  physicalAddress: '8123 Obsidian Wren Lane',
  city: 'Quellbrook',
  state: 'MT',
  zip: '59371',
  country: 'US',
};

/** A second person (erasure: the one who stays). */
export const OTHER_PERSON = {
  firstName: 'Marisol',
  surName: 'Thistlewood',
  dob: '1991-09-23',
  nationalId: '412-73-5168',
  email: 'marisol.thistlewood@example.net',
  mobileNumber: '+16175550142',
  physicalAddress: '77 Larkspur Cistern Road',
  city: 'Fennimore',
  state: 'WI',
  zip: '53809',
  country: 'US',
};

export type Person = typeof PERSON;

/** A value with non-ASCII letters (only sent as API input): found as UTF-8 and as JSON's \u escapes. */
export const ACCENTED_NAME = 'Zéphyrine Østergaard';

export type ValueKind = 'ssn' | 'dob' | 'name' | 'phone' | 'email' | 'text' | 'id' | 'marker';

export interface SearchedValue {
  /** What it is, for the report ("ssn", "customerUserId docv-qr"). */
  label: string;
  kind: ValueKind;
  value: string;
}

/** The values of a person distinctive enough to look for (not the state "MT", the country "US", a bare ZIP). */
export function valuesOf(p: Person, prefix = ''): SearchedValue[] {
  return [
    { label: `${prefix}firstName`, kind: 'name', value: p.firstName },
    { label: `${prefix}surName`, kind: 'name', value: p.surName },
    { label: `${prefix}dob`, kind: 'dob', value: p.dob },
    { label: `${prefix}nationalId`, kind: 'ssn', value: p.nationalId },
    { label: `${prefix}email`, kind: 'email', value: p.email },
    { label: `${prefix}mobileNumber`, kind: 'phone', value: p.mobileNumber },
    { label: `${prefix}physicalAddress`, kind: 'text', value: p.physicalAddress },
    { label: `${prefix}city`, kind: 'name', value: p.city },
    // A 5-digit ZIP alone would match the digits of random base64 by chance: looked for with its city.
    { label: `${prefix}cityStateZip`, kind: 'id', value: `${p.city}, ${p.state} ${p.zip}` },
  ];
}

/** Every common way a value is written. */
export function formsOf(v: SearchedValue): string[] {
  const forms = new Set<string>([v.value]);
  switch (v.kind) {
    case 'ssn': {
      const d = v.value.replace(/\D/g, '');
      forms.add(d);
      forms.add(`${d.slice(0, 3)}-${d.slice(3, 5)}-${d.slice(5)}`);
      forms.add(`${d.slice(0, 3)} ${d.slice(3, 5)} ${d.slice(5)}`);
      break;
    }
    case 'dob': {
      const [y, m, d] = v.value.split('-') as [string, string, string];
      for (const f of [
        `${y}-${m}-${d}`,
        `${m}/${d}/${y}`,
        `${y}${m}${d}`,
        `${m}-${d}-${y}`,
        `${m}${d}${y}`,
        `${y}/${m}/${d}`,
        `${d}/${m}/${y}`,
        `${Number(m)}/${Number(d)}/${y}`,
      ]) {
        forms.add(f);
      }
      break;
    }
    case 'phone': {
      const d = v.value.replace(/\D/g, ''); // 1 + 10 digits
      const n = d.slice(1);
      for (const f of [
        `+${d}`,
        d,
        n,
        `(${n.slice(0, 3)}) ${n.slice(3, 6)}-${n.slice(6)}`,
        `${n.slice(0, 3)}-${n.slice(3, 6)}-${n.slice(6)}`,
        `${n.slice(0, 3)}.${n.slice(3, 6)}.${n.slice(6)}`,
        `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`,
        `+1 ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`,
        `+1 (${n.slice(0, 3)}) ${n.slice(3, 6)}-${n.slice(6)}`,
        `%2B${d}`,
      ]) {
        forms.add(f);
      }
      break;
    }
    case 'email': {
      forms.add(v.value.split('@')[0]!);
      forms.add(encodeURIComponent(v.value));
      break;
    }
    case 'text':
    case 'name': {
      if (v.value.includes(' ')) {
        forms.add(v.value.replaceAll(' ', '+'));
        forms.add(v.value.replaceAll(' ', '%20'));
      }
      if (/[^\x20-\x7e]/.test(v.value)) {
        // Case is folded for ASCII letters only: the other letters' cases are forms of their own.
        forms.add(v.value.toLowerCase());
        forms.add(v.value.toUpperCase());
        forms.add(encodeURIComponent(v.value));
      }
      break;
    }
    case 'id':
    case 'marker':
      break;
  }
  return [...forms];
}

// --- the scanner --------------------------------------------------------------------------------------------

export interface Needle {
  label: string;
  form: string;
  /** utf8, json-escape, copy-escape, utf16le, base64, base64url. */
  encoding: string;
  bytes: Buffer;
  /** Compared with ASCII letters folded to lower case (not for base64, which is case-sensitive). */
  caseless: boolean;
}

/** JSON's escapes: non-ASCII as \uXXXX (lower and upper hex), and '/' as '\/'. */
function jsonEscapes(form: string): string[] {
  const out = new Set<string>();
  const body = JSON.stringify(form).slice(1, -1);
  const ascii = body.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  out.add(ascii);
  out.add(ascii.replace(/\\u([0-9a-f]{4})/g, (_, h: string) => `\\u${h.toUpperCase()}`));
  out.add(ascii.replaceAll('/', '\\/'));
  out.delete(form);
  return [...out];
}

/** The base64 text of `bytes` at each of the three alignments, the characters that depend only on `bytes`. */
function base64Forms(bytes: Buffer): string[] {
  const out: string[] = [];
  for (let k = 0; k < 3; k++) {
    const text = Buffer.concat([Buffer.alloc(k), bytes]).toString('base64');
    const whole = Math.floor((k + bytes.length) / 3) * 4;
    const stable = text.slice(k === 0 ? 0 : 4, whole);
    // Short runs of base64 would match random ciphertext by chance.
    if (stable.length >= 12) out.push(stable);
  }
  return out;
}

export function needlesOf(values: readonly SearchedValue[]): Needle[] {
  const needles: Needle[] = [];
  const seen = new Set<string>();
  const add = (label: string, form: string, encoding: string, bytes: Buffer, caseless: boolean) => {
    const key = `${caseless}:${(caseless ? lower(bytes) : bytes).toString('hex')}`;
    if (seen.has(key) || bytes.length < 4) return;
    seen.add(key);
    needles.push({ label, form, encoding, bytes: caseless ? lower(bytes) : bytes, caseless });
  };
  for (const v of values) {
    for (const form of formsOf(v)) {
      add(v.label, form, 'utf8', Buffer.from(form, 'utf8'), true);
      for (const escaped of jsonEscapes(form)) {
        add(v.label, form, 'json-escape', Buffer.from(escaped), true);
        // COPY's text format (and a pg_dump) doubles every backslash.
        add(v.label, form, 'copy-escape', Buffer.from(escaped.replaceAll('\\', '\\\\')), true);
      }
      add(v.label, form, 'utf16le', Buffer.from(form, 'utf16le'), true);
      for (const b64 of base64Forms(Buffer.from(form, 'utf8'))) {
        add(v.label, form, 'base64', Buffer.from(b64), false);
        add(v.label, form, 'base64url', Buffer.from(b64.replaceAll('+', '-').replaceAll('/', '_')), false);
      }
    }
  }
  return needles;
}

/** ASCII letters folded to lower case (a copy). */
export function lower(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 0; i < out.length; i++) {
    const c = out[i]!;
    if (c >= 0x41 && c <= 0x5a) out[i] = c + 0x20;
  }
  return out;
}

export interface Hit {
  source: string;
  label: string;
  form: string;
  encoding: string;
  offset: number;
  /** The bytes around the hit, printable. */
  context: string;
}

export interface ScanReport {
  values: number;
  forms: number;
  needles: number;
  bytes: number;
  sources: Array<{ name: string; bytes: number; hits: number }>;
  hits: Hit[];
}

/**
 * Finds every needle in every source, in one pass per source and case mode: candidates by their first two
 * bytes (a 64 Ki table), then compared in full. Every occurrence counts.
 */
export function scan(values: readonly SearchedValue[], sources: readonly RawSource[]): ScanReport {
  const needles = needlesOf(values);
  const report: ScanReport = {
    values: values.length,
    forms: values.reduce((n, v) => n + formsOf(v).length, 0),
    needles: needles.length,
    bytes: 0,
    sources: [],
    hits: [],
  };
  for (const source of sources) {
    let hits = 0;
    for (const caseless of [true, false]) {
      const group = needles.filter((n) => n.caseless === caseless);
      if (group.length === 0) continue;
      const hay = caseless ? lower(source.bytes) : source.bytes;
      const byPrefix = new Map<number, Needle[]>();
      const table = new Uint8Array(65536);
      for (const n of group) {
        const k = n.bytes[0]! | (n.bytes[1]! << 8);
        table[k] = 1;
        byPrefix.set(k, [...(byPrefix.get(k) ?? []), n]);
      }
      const end = hay.length - 1;
      for (let i = 0; i < end; i++) {
        const k = hay[i]! | (hay[i + 1]! << 8);
        if (table[k] === 0) continue;
        for (const n of byPrefix.get(k)!) {
          if (i + n.bytes.length > hay.length) continue;
          if (hay.compare(n.bytes, 0, n.bytes.length, i, i + n.bytes.length) !== 0) continue;
          hits++;
          report.hits.push({
            source: source.name,
            label: n.label,
            form: n.form,
            encoding: n.encoding,
            offset: i,
            context: printable(source.bytes.subarray(Math.max(0, i - 60), i + n.bytes.length + 60)),
          });
        }
      }
    }
    report.bytes += source.bytes.length;
    report.sources.push({ name: source.name, bytes: source.bytes.length, hits });
  }
  return report;
}

function printable(bytes: Buffer): string {
  return bytes.toString('latin1').replace(/[^\x20-\x7e]/g, '.');
}

export function describeReport(what: string, r: ScanReport): string {
  const lines = [
    `${what}: ${r.values} values × their forms = ${r.forms} forms, ${r.needles} byte patterns (utf8 caseless, ` +
      `JSON/COPY escapes, UTF-16LE, base64) searched in ${r.bytes.toLocaleString('en-US')} bytes: ${r.hits.length} hit(s)`,
    ...r.sources.map((s) => `  ${s.name}: ${s.bytes.toLocaleString('en-US')} bytes, ${s.hits} hit(s)`),
    ...r.hits
      .slice(0, 20)
      .map((h) => `  HIT ${h.label} "${h.form}" (${h.encoding}) in ${h.source} @${h.offset}: …${h.context}…`),
  ];
  return lines.join('\n');
}

// --- the raw database -----------------------------------------------------------------------------------------

export interface RawSource {
  name: string;
  bytes: Buffer;
}

export interface RawDatabase {
  sources: RawSource[];
  /** How it was read: "sqlite files", "pg_dump 18.1", "COPY … TO STDOUT (psql 15.18)", … */
  method: string;
  notes: string[];
}

export const isPostgresUrl = (url: string) => /^postgres(ql)?:/i.test(url);

export function sqlitePathOf(url: string): string {
  return url.replace(/^sqlite:(\/\/)?/i, '');
}

/**
 * The bytes a person with the database's files (or a dump) would see. SQLite: the file, its -wal and -shm when
 * present. PostgreSQL: a dump of every table (pg_dump when its major version is at least the server's, else
 * `COPY <table> TO STDOUT` through psql, else each row's text through `pg`), and — when the data directory is on
 * this machine and readable — after a CHECKPOINT, every file of the database (base/<oid>/, tables, TOAST,
 * indexes) and the WAL segments written since `walSince` (ms) when given.
 */
export async function rawDatabase(url: string, options: { walSince?: number } = {}): Promise<RawDatabase> {
  if (!isPostgresUrl(url)) {
    const path = sqlitePathOf(url);
    const sources: RawSource[] = [];
    for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) {
      if (existsSync(file))
        sources.push({ name: file.slice(path.length) || 'db file', bytes: readFileSync(file) });
    }
    return { sources, method: 'sqlite files', notes: [] };
  }
  const notes: string[] = [];
  const sources: RawSource[] = [];
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const serverMajor = Math.floor(
      Number(
        (await client.query<{ v: string }>("select current_setting('server_version_num') as v")).rows[0]!.v,
      ) / 10_000,
    );
    const dumpMajor = await clientMajor('pg_dump');
    let method: string;
    if (dumpMajor !== undefined && dumpMajor >= serverMajor) {
      const { stdout } = await run('pg_dump', ['--no-owner', '--dbname', url], {
        encoding: 'buffer',
        maxBuffer: 512 * 1024 * 1024,
        timeout: 60_000,
      });
      sources.push({ name: 'pg_dump', bytes: stdout });
      method = `pg_dump ${dumpMajor} (server ${serverMajor})`;
    } else {
      const tables = (
        await client.query<{ schema: string; name: string }>(
          `select table_schema as schema, table_name as name from information_schema.tables
           where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')
           order by 1, 2`,
        )
      ).rows;
      const psqlMajor = await clientMajor('psql');
      const why =
        dumpMajor === undefined
          ? 'no pg_dump on this machine'
          : `pg_dump ${dumpMajor} cannot dump a PostgreSQL ${serverMajor} server`;
      const chunks: Buffer[] = [];
      for (const t of tables) {
        const name = `${client.escapeIdentifier(t.schema)}.${client.escapeIdentifier(t.name)}`;
        if (psqlMajor !== undefined) {
          const { stdout } = await run(
            'psql',
            ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', `COPY ${name} TO STDOUT`],
            { encoding: 'buffer', maxBuffer: 512 * 1024 * 1024, timeout: 60_000 },
          );
          chunks.push(Buffer.from(`-- ${name}\n`), stdout);
        } else {
          const rows = await client.query<{ row: string }>(`select t::text as row from ${name} t`);
          chunks.push(Buffer.from(`-- ${name}\n${rows.rows.map((r) => r.row).join('\n')}\n`));
        }
      }
      sources.push({ name: 'dump', bytes: Buffer.concat(chunks) });
      method =
        psqlMajor !== undefined
          ? `COPY <table> TO STDOUT for ${tables.length} tables through psql ${psqlMajor} (${why})`
          : `select <row>::text for ${tables.length} tables through pg (${why}, and no psql)`;
    }

    // The database's own files, as a thief of the disk (or a backup) would have them.
    let dataDir: string | undefined;
    try {
      await client.query('CHECKPOINT');
      dataDir = (await client.query<{ d: string }>("select current_setting('data_directory') as d")).rows[0]!
        .d;
    } catch (err) {
      notes.push(`data directory not scanned: ${(err as Error).message}`);
    }
    if (dataDir !== undefined) {
      const oid = (
        await client.query<{ oid: number }>('select oid from pg_database where datname = current_database()')
      ).rows[0]!.oid;
      const base = join(dataDir, 'base', String(oid));
      if (!existsSync(base)) {
        notes.push(`data directory not scanned: ${base} is not on this machine or not readable`);
      } else {
        const files = readdirSync(base).filter((f) => statSync(join(base, f)).isFile());
        sources.push({
          name: `data files base/${oid}/* (${files.length} files)`,
          bytes: Buffer.concat(files.map((f) => readFileSync(join(base, f)))),
        });
        if (options.walSince !== undefined) {
          const walDir = join(dataDir, 'pg_wal');
          const segments = readdirSync(walDir).filter((f) => {
            const s = statSync(join(walDir, f));
            return s.isFile() && s.mtimeMs >= options.walSince! - 1000;
          });
          sources.push({
            name: `pg_wal segments written since the test began (${segments.length})`,
            bytes: Buffer.concat(segments.map((f) => readFileSync(join(walDir, f)))),
          });
        }
      }
    }
    return { sources, method, notes };
  } finally {
    await client.end().catch(() => {});
  }
}

async function clientMajor(binary: 'pg_dump' | 'psql'): Promise<number | undefined> {
  try {
    const { stdout } = await run(binary, ['--version'], { timeout: 10_000 });
    const m = /\b(\d+)(?:\.\d+)*/.exec(stdout.replace(/^[^)]*\)/, ''));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

// --- raw SQL beside the service ------------------------------------------------------------------------------

export interface RawSql {
  /** Runs one statement; `?` placeholders on both databases. Returns the rows of a query (else []). */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** A connection of its own (not the service's): what an operator, or an attacker, with database access has. */
export async function rawSql(url: string): Promise<RawSql> {
  if (isPostgresUrl(url)) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
    client.on('error', () => {});
    await client.connect();
    return {
      async query<T>(text: string, params: unknown[] = []) {
        let n = 0;
        const res = await client.query(
          text.replace(/\?/g, () => `$${++n}`),
          params,
        );
        return (res.rows ?? []) as T[];
      },
      close: () => client.end().catch(() => {}),
    };
  }
  const db = new Database(sqlitePathOf(url));
  db.pragma('busy_timeout = 10000');
  return {
    async query<T>(text: string, params: unknown[] = []) {
      const statement = db.prepare(text);
      if (statement.reader) return statement.all(...params) as T[];
      statement.run(...params);
      return [];
    },
    async close() {
      db.close();
    },
  };
}

/** One statement on a connection of its own, closed after it (`?` placeholders on both databases). */
export async function rawQuery<T = Record<string, unknown>>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const db = await rawSql(url);
  try {
    return await db.query<T>(text, params);
  } finally {
    await db.close();
  }
}

// --- the embedding app's webhook endpoint --------------------------------------------------------------------

export interface AppReceiver {
  url: string;
  received: Array<{ headers: IncomingHttpHeaders; body: string }>;
  close(): Promise<void>;
}

export async function startAppReceiver(): Promise<AppReceiver> {
  const received: AppReceiver['received'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/socure-connector`,
    received,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The session ids the app was told about (`session.completed`). */
export function callbackSessionIds(r: AppReceiver): string[] {
  return r.received.map((x) => (JSON.parse(x.body) as { data: { id: string } }).data.id);
}

// --- the service -----------------------------------------------------------------------------------------------

/** The database URL of a test service (the test helpers pick it: its SQLite file, or its PostgreSQL database). */
export function serviceDatabaseUrl(t: TestService): Promise<string> {
  return databaseUrlFor(join(t.dir, 'service.db'));
}

export interface ServiceWithApp {
  t: TestService;
  app: AppReceiver;
  /** The service's database URL (for raw SQL beside it). */
  url: string;
}

/** The service with its app callbacks sent to a local receiver (retried after 20 ms), and its database URL. */
export async function startServiceWithApp(): Promise<ServiceWithApp> {
  const app = await startAppReceiver();
  try {
    const t = await startTestService({ appWebhookUrl: app.url }, { appWebhookRetryBaseMs: 20 });
    return { t, app, url: await serviceDatabaseUrl(t) };
  } catch (err) {
    await app.close();
    throw err;
  }
}

// --- sessions ----------------------------------------------------------------------------------------------------

/** Every DocV event of a capture that completes, in order: what Socure delivers for one transaction. */
export const DOCV_EVENTS = FULL_SEQUENCE;

/**
 * An idplus-score session the app starts with `person` as input: complete, so the form is skipped
 * (`skipIfComplete`) and its output holds the person's values.
 */
export async function scoreSession(
  t: TestService,
  customerUserId: string,
  person: Person = PERSON,
): Promise<{ id: string; path: string }> {
  const { id, path } = await createSession(t, { flow: 'idplus-score', customerUserId, input: { ...person } });
  expect((await t.service.store.listTimeline(id)).map((e) => e.type)).toContain('skipped');
  return { id, path };
}

/**
 * A docv-qr session the app starts with `person` as input, and the DocV token it waits on; with `scenario`, the
 * sandbox then drives that transaction (the session's end is not waited for).
 */
export async function docvSession(
  t: TestService,
  customerUserId: string,
  { person = PERSON, scenario }: { person?: Person; scenario?: string } = {},
): Promise<{ id: string; token: string }> {
  const { id } = await createSession(t, { flow: 'docv-qr', customerUserId, input: { ...person } });
  const token = await waitToken(t, id);
  if (scenario) await triggerSandbox(t, token, scenario);
  return { id, token };
}

/** Whether each session has exactly one app callback, delivered. */
export async function callbacksDelivered(t: TestService, sessionIds: readonly string[]): Promise<boolean> {
  for (const id of sessionIds) {
    const out = await t.service.store.listOutbound(id);
    if (out.length !== 1 || out[0]!.status !== 'delivered') return false;
  }
  return true;
}

// --- documents captured on the "phone" ------------------------------------------------------------------------

/** Image files with real signatures and a marker of their own (to look for where they must never be). */
export function documentImages(marker = `DOCIMG${randomBytes(6).toString('hex')}`) {
  const jpeg = Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
    Buffer.from('JFIF\0'),
    Buffer.from(`front of a driver's license ${marker}-front`),
    Buffer.from([0xff, 0xd9]),
  ]);
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    Buffer.from(`back of a driver's license ${marker}-back`),
  ]);
  const pdf = Buffer.from(`%PDF-1.7\n% a selfie ${marker}-selfie\n%%EOF\n`);
  return {
    marker,
    front: { bytes: jpeg, filename: 'front.jpg', type: 'image/jpeg' },
    back: { bytes: png, filename: 'back.png', type: 'image/png' },
    selfie: { bytes: pdf, filename: 'selfie.pdf', type: 'application/octet-stream' },
  };
}

/** The capture app of the sandbox, as the person's phone goes through it: consent, license, photos, submit. */
export async function captureDocuments(
  captureUrl: string,
  images: ReturnType<typeof documentImages>,
): Promise<void> {
  const u = new URL(captureUrl);
  const base = u.origin;
  const token = u.pathname.split('/capture/')[1]!;
  const step = (name: string) => `${base}/capture/${token}/${name}`;
  const expect303 = (res: { status: number; text: string }, what: string) => {
    if (res.status !== 303) throw new Error(`capture ${what}: ${res.status} ${res.text.slice(0, 300)}`);
  };
  const opened = await http(captureUrl);
  if (opened.status !== 200) throw new Error(`capture app: ${opened.status}`);
  expect303(await postForm(step('consent'), { consent: 'accept' }), 'consent');
  expect303(await postForm(step('document-type'), { documentType: 'license' }), 'document type');
  for (const side of ['front', 'back', 'selfie'] as const) {
    const image = images[side];
    const body = multipartImage(image.bytes, image.filename, image.type);
    expect303(await http(step(side), { body: body.body, headers: body.headers }), side);
  }
  expect303(await postForm(step('submit'), { outcome: 'auto' }), 'submit');
}

/** The capture link a waiting page shows (the QR code's link). */
export function captureLinkOf(page: string): string | undefined {
  const href = /<a class="link" href="([^"]+)"/.exec(page)?.[1];
  return href?.replaceAll('&amp;', '&');
}

/** The link the sandbox texted to `phone` (its SMS outbox). */
export async function textedLink(sandboxUrl: string, phone: string): Promise<string | undefined> {
  const res = await request(`${sandboxUrl}/sandbox/sms?to=${encodeURIComponent(phone)}`, {
    signal: AbortSignal.timeout(8_000),
  });
  const body = (await res.body.json()) as { messages: Array<{ body: string }> };
  const text = body.messages[0]?.body;
  return text ? /https?:\/\/\S+/.exec(text)?.[0] : undefined;
}

// --- document image signatures -------------------------------------------------------------------------------

/** Signatures of document image files, raw (as latin1 text) and as the start of their base64. */
export const IMAGE_SIGNATURES: Array<{ name: string; text: string }> = [
  { name: 'JPEG', text: Buffer.from([0xff, 0xd8, 0xff]).toString('latin1') },
  { name: 'JPEG base64', text: '/9j/' },
  { name: 'PNG', text: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).toString('latin1') },
  { name: 'PNG base64', text: 'iVBORw0KGgo' },
  { name: 'PDF', text: '%PDF-' },
  { name: 'PDF base64', text: 'JVBERi0' },
  { name: 'JPEG \\u escaped', text: '\\u00ff\\u00d8\\u00ff' },
  { name: 'PNG \\u escaped', text: '\\u0089PNG' },
];

export function countOccurrences(text: string, needle: string): number {
  let n = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) n++;
  return n;
}
