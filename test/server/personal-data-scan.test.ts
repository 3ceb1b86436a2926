/**
 * Issue 9, encryption at rest — the proof. Every shipped flow runs to its end through the HTTP service (real
 * sockets, the embedded sandbox, its capture app fed real image bytes) with a made-up person's data given every
 * way a person or an app gives it: the sessions API's `input` and `customerUserId`, the flows' forms, a flow
 * started from the public page. Then, the service closed, the raw database is searched for every value in every
 * common form: SQLite's file (and -wal/-shm when present); on PostgreSQL a dump of every table and the
 * database's own data files (plus the WAL written meanwhile). 0 hits. The search is shown to work on the same
 * pipeline: the same values written in plain text into a scratch table are found.
 */
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from '../../src/store/sqlite-driver.js';
import type { InboxDelivery } from '../../src/store/types.js';
import { TEST_DATABASE } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import {
  createSession,
  hiddenValue,
  sessionPathOf,
  submitScreen,
  type TestService,
  waitForCompletion,
} from './helpers.js';
import {
  ACCENTED_NAME,
  type AppReceiver,
  callbackSessionIds,
  captureDocuments,
  captureLinkOf,
  countOccurrences,
  DOCV_EVENTS,
  describeReport,
  documentImages,
  formsOf,
  IMAGE_SIGNATURES,
  isPostgresUrl,
  needlesOf,
  PERSON,
  type RawDatabase,
  type RawSource,
  rawDatabase,
  rawSql,
  type ScanReport,
  type SearchedValue,
  scan,
  sqlitePathOf,
  startServiceWithApp,
  textedLink,
  valuesOf,
} from './personal-data-support.js';

const suffix = Math.random().toString(36).slice(2, 8);
const CUSTOMER = {
  idplus: `qvx-idplus-${suffix}`,
  docvQr: `qvx-docvqr-${suffix}`,
  docvSms: `qvx-docvsms-${suffix}`,
  stepUp: `qvx-stepup-${suffix}`,
};

describe('the scanner', () => {
  const values: SearchedValue[] = [
    { label: 'ssn', kind: 'ssn', value: PERSON.nationalId },
    { label: 'dob', kind: 'dob', value: PERSON.dob },
    { label: 'name', kind: 'name', value: ACCENTED_NAME },
    { label: 'phone', kind: 'phone', value: PERSON.mobileNumber },
  ];
  const found = (text: Buffer) =>
    new Set(scan(values, [{ name: 'buffer', bytes: text }]).hits.map((h) => h.label));

  it('finds each value in every form and encoding it knows, and nothing in text without them', () => {
    expect(found(Buffer.from('x 573814926 y'))).toEqual(new Set(['ssn']));
    expect(found(Buffer.from('born 04/17/1983'))).toEqual(new Set(['dob']));
    expect(found(Buffer.from('{"dob":"04\\/17\\/1983"}'))).toEqual(new Set(['dob']));
    expect(found(Buffer.from('19830417'))).toEqual(new Set(['dob']));
    expect(found(Buffer.from('ZÉPHYRINE ØSTERGAARD'.toLowerCase()))).toEqual(new Set(['name']));
    expect(found(Buffer.from('{"n":"Z\\u00e9phyrine \\u00d8stergaard"}'))).toEqual(new Set(['name']));
    expect(found(Buffer.from('Z\\\\u00E9phyrine \\\\u00D8stergaard'))).toEqual(new Set(['name'])); // COPY text
    expect(found(Buffer.from('call (415) 555-0199'))).toEqual(new Set(['phone']));
    expect(found(Buffer.from('4155550199', 'utf16le'))).toEqual(new Set(['phone']));
    expect(found(Buffer.from(`data:;base64,${Buffer.from('ssn=573-81-4926;').toString('base64')}`))).toEqual(
      new Set(['ssn']),
    );
    expect(found(Buffer.from(`xx${Buffer.from('+14155550199 ok').toString('base64url')}`))).toEqual(
      new Set(['phone']),
    );
    expect(found(Buffer.from('573-81-492 04/17/198 415555019 Zéphyrin'))).toEqual(new Set());
    expect(found(Buffer.alloc(0))).toEqual(new Set());
  });

  it('counts every occurrence, at the ends of a buffer too', () => {
    const r = scan(values, [{ name: 'b', bytes: Buffer.from('573814926--573814926') }]);
    expect(r.hits.map((h) => h.offset)).toEqual([0, 11]);
  });
});

describe('personal data at rest: every shipped flow with distinctive PII, then the raw database', () => {
  let t: TestService;
  let app: AppReceiver;
  /** The service's database URL. */
  let url: string;
  let closed = false;
  const startedAt = Date.now();
  const images = documentImages();
  const sessions: Array<{ flow: string; id: string; customerUserId: string; token?: string }> = [];
  /** What the person typed or the app sent: looked for everywhere, the WAL too. */
  const typed: SearchedValue[] = [
    ...valuesOf(PERSON),
    { label: 'accented name (API input)', kind: 'name', value: ACCENTED_NAME },
    { label: 'document image marker', kind: 'marker', value: images.marker },
  ];
  /** What Socure answered about the person (the document's data): looked for in this database's data. */
  const returned: SearchedValue[] = [];

  beforeAll(async () => {
    ({ t, app, url } = await startServiceWithApp());
  });
  afterAll(async () => {
    if (!closed) await t?.service.close().catch(() => {});
    if (t) rmSync(t.dir, { recursive: true, force: true });
    await app?.close();
  });

  async function captureFromPage(path: string): Promise<string> {
    const page = await eventually(async () => {
      const res = await t.http(path);
      return captureLinkOf(res.text) ? res.text : undefined;
    }, `the QR code page of ${path}`);
    const link = captureLinkOf(page)!;
    await captureDocuments(link, images);
    return new URL(link).pathname.split('/capture/')[1]!;
  }

  it('runs idplus-score, docv-qr, docv-sms and step-up to their ends with the person’s data', async () => {
    // idplus-score, started by the app with the person's data as input: complete, so the form is skipped.
    {
      const { id } = await createSession(t, {
        flow: 'idplus-score',
        customerUserId: CUSTOMER.idplus,
        input: { ...PERSON, preferredName: ACCENTED_NAME },
      });
      expect((await t.service.store.getSessionData(id))!.outputs.form).toMatchObject(PERSON);
      sessions.push({ flow: 'idplus-score', id, customerUserId: CUSTOMER.idplus });
    }
    // idplus-score started from the public page (the service makes up the customer user id).
    {
      const index = await t.http('/flows/idplus-score');
      const csrf = hiddenValue(index.text, 'csrf');
      expect(csrf).toBeTruthy();
      const started = await t.http('/flows/idplus-score/start', { form: { csrf: csrf! } });
      expect(started.status).toBe(303);
      const path = sessionPathOf(String(started.headers.location));
      const id = path.split('/')[2]!;
      // The national phone form and a lower-case name: what a person types varies.
      const form = { ...PERSON, mobileNumber: '(415) 555-0199', firstName: 'quillon' };
      expect((await submitScreen(t, path, form)).status).toBe(303);
      const session = await t.service.store.getSession(id);
      sessions.push({ flow: 'idplus-score (public page)', id, customerUserId: session!.customerUserId! });
    }
    // docv-qr: the app's input carries everything; the phone captures the documents.
    {
      const { id, path } = await createSession(t, {
        flow: 'docv-qr',
        customerUserId: CUSTOMER.docvQr,
        input: { ...PERSON, preferredName: ACCENTED_NAME },
      });
      const token = await captureFromPage(path);
      sessions.push({ flow: 'docv-qr', id, customerUserId: CUSTOMER.docvQr, token });
    }
    // docv-sms: the number pre-filled from the input, typed again in its national form; the texted link.
    {
      const { id, path } = await createSession(t, {
        flow: 'docv-sms',
        customerUserId: CUSTOMER.docvSms,
        input: { mobileNumber: PERSON.mobileNumber, email: PERSON.email },
      });
      const form = await t.http(path);
      expect(form.text).toContain(PERSON.mobileNumber); // the pre-filled default
      expect((await submitScreen(t, path, { phoneNumber: '(415) 555-0199' })).status).toBe(303);
      const link = await eventually(
        () => textedLink(t.service.sandbox!.url, PERSON.mobileNumber),
        'the texted link',
      );
      await captureDocuments(link, images);
      const token = new URL(link).pathname.split('/capture/')[1]!;
      sessions.push({ flow: 'docv-sms', id, customerUserId: CUSTOMER.docvSms, token });
    }
    // step-up: "Refer" (the sandbox's magic surname) takes the document step, then ID+ again.
    {
      const { id, path } = await createSession(t, { flow: 'step-up', customerUserId: CUSTOMER.stepUp });
      expect((await submitScreen(t, path, { ...PERSON, surName: 'Refer' })).status).toBe(303);
      const token = await captureFromPage(path);
      sessions.push({ flow: 'step-up', id, customerUserId: CUSTOMER.stepUp, token });
    }

    const outcomes: Record<string, string | null> = {};
    for (const s of sessions) outcomes[s.flow] = (await waitForCompletion(t, s.id, 20_000)).outcome;
    expect(outcomes).toEqual({
      'idplus-score': expect.any(String),
      'idplus-score (public page)': expect.any(String),
      'docv-qr': 'verified',
      'docv-sms': 'verified',
      'step-up': 'verified',
    });
    expect((await t.service.store.getSessionData(sessions.at(-1)!.id))!.result).toMatchObject({
      steppedUp: true,
    });
    // Every callback delivered, every Socure delivery of the captures committed: nothing in flight at close.
    await eventually(
      () => sessions.every((s) => callbackSessionIds(app).includes(s.id)),
      'a session.completed callback for every session',
      { timeoutMs: 15_000 },
    );
    for (const s of sessions) {
      await eventually(
        async () => (await t.service.store.listOutbound(s.id)).every((o) => o.status === 'delivered'),
        `the callback of ${s.flow} recorded as delivered`,
      );
    }
    for (const s of sessions.filter((x) => x.token)) {
      await eventually(
        async () =>
          (await t.service.store.findDeliveries({ docvTransactionToken: s.token }, ['SESSION_COMPLETE']))
            .length > 0,
        `SESSION_COMPLETE of ${s.flow} in the inbox`,
        { timeoutMs: 15_000 },
      );
    }
    // The data really is in the store (sealed): the customer user ids and what the document "showed".
    for (const s of sessions) {
      typed.push({ label: `customerUserId ${s.flow}`, kind: 'id', value: s.customerUserId });
      expect((await t.service.store.getSession(s.id))!.customerUserId).toBe(s.customerUserId);
    }
    const qr = (await t.service.store.getSessionData(sessions.find((s) => s.flow === 'docv-qr')!.id))!;
    expect(qr.input).toMatchObject({ nationalId: PERSON.nationalId, preferredName: ACCENTED_NAME });
    const doc = (qr.result as { documentData: Record<string, string> }).documentData;
    expect(doc.documentNumber).toMatch(/^D\d{8}$/);
    returned.push(
      { label: 'documentData.documentNumber', kind: 'id', value: doc.documentNumber! },
      { label: 'documentData.fullName', kind: 'name', value: doc.fullName! },
      { label: 'documentData.address', kind: 'text', value: doc.address! },
    );
    const score = (await t.service.store.getSessionData(sessions[0]!.id))!;
    expect(score.outputs.form).toMatchObject({ nationalId: PERSON.nationalId, surName: PERSON.surName });
  }, 120_000);

  it('document images are never stored: no JPEG/PNG/PDF in any session’s data but the QR code PNG', async () => {
    const store = t.service.store;
    let qrCodes = 0;
    for (const s of sessions) {
      const data = (await store.getSessionData(s.id))!;
      // The QR codes the service drew (getUrl.qrcode) are the only images: counted, then set aside.
      const text = JSON.stringify(data, (key, value) => {
        if (key === 'qrcode' && typeof value === 'string' && value.startsWith('data:image/png;base64,')) {
          qrCodes++;
          return '<the QR code>';
        }
        return value;
      });
      for (const sig of IMAGE_SIGNATURES)
        expect(countOccurrences(text, sig.text), `${sig.name} in ${s.flow}`).toBe(0);
      const deliveries: InboxDelivery[] = s.token
        ? await store.findDeliveries({ docvTransactionToken: s.token }, DOCV_EVENTS)
        : [];
      const callbacks = await store.listOutbound(s.id);
      for (const payload of [...deliveries.map((d) => d.payload), ...callbacks.map((c) => c.body)]) {
        for (const sig of IMAGE_SIGNATURES) expect(countOccurrences(payload, sig.text), sig.name).toBe(0);
      }
      // Nothing of the uploaded files either, in any encoding.
      const marker = scan(
        [{ label: 'marker', kind: 'marker', value: images.marker }],
        [text, ...deliveries.map((d) => d.payload), ...callbacks.map((c) => c.body)].map((x, i) => ({
          name: `${s.flow} #${i}`,
          bytes: Buffer.from(x),
        })),
      );
      expect(marker.hits).toEqual([]);
      if (s.token) expect(deliveries.length, `deliveries of ${s.flow}`).toBeGreaterThanOrEqual(7);
    }
    // docv-qr and step-up each drew one.
    expect(qrCodes).toBe(2);
  });

  it('the service’s log lines hold none of the person’s values', () => {
    const report = scan(typed, [{ name: 'service log', bytes: Buffer.from(t.logs.text) }]);
    console.log(describeReport('service log', report));
    expect(report.hits.map((h) => `${h.label} "${h.form}" (${h.encoding}): …${h.context}…`)).toEqual([]);
  });

  /** The typed values in every source; what Socure returned in this database's own bytes (not the shared WAL). */
  function scanRaw(when: string, raw: RawDatabase): { typed: ScanReport; returned: ScanReport } {
    for (const note of raw.notes) console.log(`[${TEST_DATABASE}] ${note}`);
    expect(raw.sources.length).toBeGreaterThan(0);
    expect(raw.sources.reduce((n, x) => n + x.bytes.length, 0)).toBeGreaterThan(10_000);
    const report = {
      typed: scan(typed, raw.sources),
      returned: scan(
        returned,
        raw.sources.filter((s) => !s.name.startsWith('pg_wal')),
      ),
    };
    console.log(
      `[${TEST_DATABASE}] ${when}: raw database read by ${raw.method}\n` +
        `${describeReport(`[${TEST_DATABASE}] ${when}: typed/sent values`, report.typed)}\n` +
        `${describeReport(`[${TEST_DATABASE}] ${when}: values Socure returned`, report.returned)}`,
    );
    if (TEST_DATABASE === 'postgres') {
      expect(raw.method).toMatch(/^(pg_dump|COPY|select)/);
      // The data files are read when the server is on this machine and the test's role may see them.
      expect(raw.sources.some((s) => s.name.startsWith('data files')) || raw.notes.length > 0).toBe(true);
    }
    const shown = (r: ScanReport) =>
      r.hits.map((h) => `${h.label} "${h.form}" (${h.encoding}) in ${h.source}`);
    expect(shown(report.typed), when).toEqual([]);
    expect(shown(report.returned), when).toEqual([]);
    expect(report.typed.needles).toBeGreaterThan(report.typed.forms);
    return report;
  }

  it(`the raw database holds none of them in any form, the service running and after it closed: ${
    TEST_DATABASE === 'sqlite'
      ? 'SQLite file, -wal, -shm'
      : 'PostgreSQL dump (pg_dump, or COPY … TO STDOUT when pg_dump is older than the server) + the data files + WAL'
  } → 0 hits`, async () => {
    // Running: on SQLite the recent pages are in the -wal file.
    const live = await rawDatabase(url, { walSince: startedAt });
    if (TEST_DATABASE === 'sqlite') expect(live.sources.map((s) => s.name)).toContain('-wal');
    scanRaw('while running', live);
    await t.service.close();
    closed = true;
    scanRaw('after close', await rawDatabase(url, { walSince: startedAt }));
  }, 120_000);

  it('the same search finds the values when they are in the database in plain text (it can fail)', async () => {
    const all = [...typed, ...returned];
    // Each value written in every form, plain, and once as JSON with non-ASCII escaped (as some encoders do).
    const rows = all.flatMap((v) => [
      ...formsOf(v).map((f) => `plain ${f}`),
      JSON.stringify({ v: v.value }).replace(
        /[^\x00-\x7f]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
      ),
    ]);
    let sources: RawSource[];
    if (isPostgresUrl(url)) {
      const db = await rawSql(url);
      try {
        await db.query('create table scanner_canary (v text)');
        for (const row of rows) await db.query('insert into scanner_canary (v) values (?)', [row]);
      } finally {
        await db.close();
      }
      sources = (await rawDatabase(url)).sources;
    } else {
      const scratch = join(t.dir, 'scratch-copy.db');
      const path = sqlitePathOf(url);
      copyFileSync(path, scratch);
      if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${scratch}-wal`);
      const db = new Database(scratch);
      db.exec('create table scanner_canary (v text)');
      const insert = db.prepare('insert into scanner_canary (v) values (?)');
      for (const row of rows) insert.run(row);
      db.close();
      sources = [{ name: 'scratch copy', bytes: readFileSync(scratch) }];
    }
    for (const source of sources.filter((s) => !s.name.startsWith('pg_wal'))) {
      const r = scan(all, [source]);
      const foundLabels = new Set(r.hits.map((h) => h.label));
      expect(
        [...new Set(all.map((v) => v.label))].filter((l) => !foundLabels.has(l)),
        source.name,
      ).toEqual([]);
      const foundForms = new Set(
        r.hits.filter((h) => h.encoding === 'utf8').map((h) => `${h.label}|${h.form}`),
      );
      const missing = all
        .flatMap((v) => formsOf(v).map((f) => `${v.label}|${f}`))
        .filter((k) => !foundForms.has(k));
      expect(missing, source.name).toEqual([]);
      // The JSON-escaped accented name is found in its escaped form (COPY doubles its backslashes).
      expect(
        r.hits.some((h) => h.label.startsWith('accented') && h.encoding !== 'utf8'),
        source.name,
      ).toBe(true);
      console.log(
        `[${TEST_DATABASE}] canary in ${source.name}: ${r.hits.length} hits of ${needlesOf(all).length} patterns`,
      );
    }
  }, 60_000);
});
