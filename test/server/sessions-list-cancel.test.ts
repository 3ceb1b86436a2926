/**
 * GET /api/sessions (the list, newest first, keyset pages, filters) and POST /api/sessions/{id}/cancel, through
 * real sockets against the service with its embedded sandbox.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDelivery } from '../../src/webhooks/index.js';
import { eventually } from '../support/eventually.js';
import { type EventStream, openEventStream } from './event-stream.js';
import {
  createSession,
  PERSONA_FORM,
  startTestService,
  submitScreen,
  type TestService,
  triggerSandbox,
  waitToken,
} from './helpers.js';
import { allPages, type ListedSession, listPage, newestFirst } from './session-list-support.js';

/** The app's callback endpoint: records every session.completed body. */
const callbacks: Array<{ type: string; data: { id: string; outcome: string; status: string } }> = [];
let receiver: Server;
let t: TestService;
const streams: EventStream[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      callbacks.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;
  t = await startTestService({
    appWebhookUrl: `http://127.0.0.1:${port}/hooks`,
    appWebhookSecret: `whsec_${Buffer.from('a test secret of 24 byte').toString('base64')}`,
  });
});
afterAll(async () => {
  for (const stream of streams) stream.close();
  await t?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

const callbacksOf = (id: string) => callbacks.filter((c) => c.data.id === id);
const customer = (label: string) => `${label}-${randomUUID()}`;

describe('GET /api/sessions', () => {
  it('pages through 7 sessions 3 at a time, newest first, without a duplicate or a gap', async () => {
    const who = customer('pages');
    const created: string[] = [];
    for (let i = 0; i < 7; i++)
      created.push((await createSession(t, { flow: 'idplus-score', customerUserId: who })).id);

    const pages = await allPages(t, { customerUserId: who, limit: '3' });
    expect(pages.map((p) => p.sessions.length)).toEqual([3, 3, 1]);
    expect(pages.at(-1)!.nextCursor).toBeNull();
    const listed = pages.flatMap((p) => p.sessions);
    expect(listed.map((s) => s.id).sort()).toEqual([...created].sort());
    expect([...listed].sort(newestFirst).map((s) => s.id)).toEqual(listed.map((s) => s.id));
    // The order is the creation order, reversed (a session created later is never listed after an earlier one).
    const position = new Map(listed.map((s, i) => [s.id, i]));
    for (let i = 1; i < created.length; i++)
      expect(position.get(created[i]!)!).toBeLessThan(position.get(created[i - 1]!)!);

    // A full page that is the last one says so without an empty page after it.
    const six = await allPages(t, { customerUserId: who, limit: '7' });
    expect(six.map((p) => p.sessions.length)).toEqual([7]);
  });

  it('a session started while paging does not shift the pages already read (keyset, not offset)', async () => {
    const who = customer('keyset');
    for (let i = 0; i < 5; i++) await createSession(t, { flow: 'idplus-score', customerUserId: who });
    const first = await listPage(t, { customerUserId: who, limit: '2' });
    await createSession(t, { flow: 'idplus-score', customerUserId: who });
    const second = await listPage(t, { customerUserId: who, limit: '2', cursor: first.nextCursor! });
    const third = await listPage(t, { customerUserId: who, limit: '2', cursor: second.nextCursor! });
    const seen = [...first.sessions, ...second.sessions, ...third.sessions].map((s) => s.id);
    // The five sessions there were when paging began, each once; the new one is before the first page.
    expect(new Set(seen).size).toBe(5);
    expect(third.sessions).toHaveLength(1);
    expect(third.nextCursor).toBeNull();
  });

  it('lists what GET /api/sessions/{id} shows by default, less result and timeline: no input', async () => {
    const who = customer('fields');
    const { id } = await createSession(t, {
      flow: 'idplus-score',
      customerUserId: who,
      input: { firstName: 'Zelda-Listed' },
    });
    const page = await listPage(t, { customerUserId: who });
    expect(page.sessions).toHaveLength(1);
    const [listed] = page.sessions as [ListedSession];
    const read = (await t.api(`/api/sessions/${id}`)).json<Record<string, unknown>>();
    expect(Object.keys(listed).sort()).toEqual(
      ['createdAt', 'customerUserId', 'expiresAt', 'flow', 'id', 'outcome', 'status', 'updatedAt'].sort(),
    );
    for (const [field, value] of Object.entries(listed)) expect(read[field], field).toEqual(value);
    expect(listed).toMatchObject({
      id,
      flow: 'idplus-score',
      status: 'input',
      outcome: null,
      customerUserId: who,
    });
    expect(JSON.stringify(page)).not.toContain('Zelda-Listed');
  });

  it('filters by status, flow and customerUserId (by its keyed hash), alone and together', async () => {
    const who = customer('filters');
    const other = customer('filters-other');
    const form = await createSession(t, { flow: 'idplus-score', customerUserId: who });
    const waiting = await createSession(t, { flow: 'docv-qr', customerUserId: who });
    const done = await createSession(t, { flow: 'idplus-score', customerUserId: who });
    expect((await submitScreen(t, done.path, PERSONA_FORM)).status).toBe(303);
    const elsewhere = await createSession(t, { flow: 'docv-qr', customerUserId: other });

    const ids = async (query: Record<string, string>) =>
      (await allPages(t, query)).flatMap((p) => p.sessions.map((s) => s.id)).sort();
    expect(await ids({ customerUserId: who })).toEqual([form.id, waiting.id, done.id].sort());
    expect(await ids({ customerUserId: other })).toEqual([elsewhere.id]);
    expect(await ids({ customerUserId: who, status: 'waiting' })).toEqual([waiting.id]);
    expect(await ids({ customerUserId: who, status: 'input' })).toEqual([form.id]);
    expect(await ids({ customerUserId: who, status: 'completed' })).toEqual([done.id]);
    expect(await ids({ customerUserId: who, flow: 'docv-qr' })).toEqual([waiting.id]);
    expect(await ids({ customerUserId: who, flow: 'idplus-score', status: 'completed' })).toEqual([done.id]);
    expect(await ids({ customerUserId: customer('nobody') })).toEqual([]);

    // Without the customer filter: every listed session has the status / flow asked for, ours among them.
    const waitingAll = (await listPage(t, { status: 'waiting', limit: '200' })).sessions;
    expect(waitingAll.every((s) => s.status === 'waiting')).toBe(true);
    expect(waitingAll.map((s) => s.id)).toEqual(expect.arrayContaining([waiting.id, elsewhere.id]));
    const docv = (await listPage(t, { flow: 'docv-qr', limit: '200' })).sessions;
    expect(docv.every((s) => s.flow === 'docv-qr')).toBe(true);
    expect(docv.map((s) => s.id)).toEqual(expect.arrayContaining([waiting.id, elsewhere.id]));
  });

  it('limit defaults to 50 and takes at most 200', async () => {
    const who = customer('limit');
    await createSession(t, { flow: 'idplus-score', customerUserId: who });
    expect((await listPage(t, { customerUserId: who })).sessions).toHaveLength(1);
    expect((await listPage(t, { customerUserId: who, limit: '200' })).sessions).toHaveLength(1);
    // The default against the unfiltered list, whatever its size (other tests of this file add to it).
    const all = await allPages(t, { limit: '200' });
    const total = all.reduce((n, p) => n + p.sessions.length, 0);
    const page = await listPage(t, {});
    expect(page.sessions).toHaveLength(Math.min(50, total));
    expect(page.nextCursor === null).toBe(total <= 50);
  });

  it.each([
    [{ status: 'done' }, 'status'],
    [{ status: '' }, 'status'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '201' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ limit: '2.5' }, 'limit'],
    [{ cursor: 'not a cursor' }, 'cursor'],
    [{ cursor: Buffer.from('yesterday:abc').toString('base64url') }, 'cursor'],
    [{ cursor: Buffer.from('123').toString('base64url') }, 'cursor'],
    [{ cursor: '' }, 'cursor'],
    [{ customerUserId: 'x'.repeat(101) }, 'customerUserId'],
    [{ customerUserId: '' }, 'customerUserId'],
    [{ flow: '' }, 'flow'],
    [{ sort: 'asc' }, 'sort'],
  ])('answers 400 naming the field for %j', async (query, field) => {
    const res = await t.api(`/api/sessions?${new URLSearchParams(query)}`);
    expect(res.status, res.text).toBe(400);
    const body = res.json<{ error: string; message: string }>();
    expect(body.error).toBe('invalid_request');
    expect(body.message.startsWith(`${field}: `), body.message).toBe(true);
  });

  it('answers 400 for a repeated parameter', async () => {
    const res = await t.api('/api/sessions?status=waiting&status=input');
    expect(res.status).toBe(400);
    expect(res.json<{ message: string }>().message).toMatch(/^status: /);
  });

  it('answers 401 without the API key, or with a wrong one', async () => {
    expect((await t.http('/api/sessions')).status).toBe(401);
    const wrong = await t.http('/api/sessions', { headers: { authorization: 'Bearer sck_wrong' } });
    expect(wrong.status).toBe(401);
    expect(wrong.json()).toMatchObject({ error: 'unauthorized' });
  });
});

describe('POST /api/sessions/{id}/cancel', () => {
  it('cancels a waiting session: the answer, the page, its event stream, the callback, timeline and audit', async () => {
    const who = customer('cancel');
    const session = await createSession(t, { flow: 'docv-qr', customerUserId: who });
    const page = await t.http(session.path);
    expect(page.status).toBe(200);
    const token = await waitToken(t, session.id);
    const stream = await openEventStream(`${t.service.url}${session.path}/events`, { cookie: t.cookie() });
    streams.push(stream);
    expect(stream.status).toBe(200);
    await eventually(() => stream.events.length > 0, 'the stream to report the waiting page');

    const res = await t.api(`/api/sessions/${session.id}/cancel`, { method: 'POST' });
    expect(res.status, res.text).toBe(200);
    const body = res.json<{
      id: string;
      status: string;
      outcome: string;
      result: unknown;
      timeline: Array<{ type: string; detail: Record<string, unknown> }>;
      input?: unknown;
    }>();
    expect(body).toMatchObject({
      id: session.id,
      flow: 'docv-qr',
      status: 'completed',
      outcome: 'cancelled',
      customerUserId: who,
      result: { reason: 'cancelled' },
    });
    expect(body.input).toBeUndefined();
    const entry = body.timeline.at(-1)!;
    expect(entry.type).toBe('cancelled');
    expect(entry.detail).toMatchObject({
      outcome: 'cancelled',
      actor: expect.stringMatching(/^api-key:[0-9a-f]{8}$/),
    });
    // The answer is what GET gives.
    const read = (await t.api(`/api/sessions/${session.id}`)).json();
    expect(read).toEqual(body);

    // The waiting page hears that the session ended, and reloads to the cancelled page.
    const ended = await eventually(
      () => stream.events.find((e) => e.data.status === 'completed'),
      'the end on the event stream',
    );
    expect(String(ended.data.page)).toMatch(/^end:/);
    const after = await t.http(session.path);
    expect(after.status).toBe(200);
    expect(after.text).toContain('This verification was cancelled');
    expect(after.text).not.toContain('Something went wrong');
    expect((await t.http(`${session.path}/status`)).json()).toMatchObject({ status: 'completed' });

    // The app's callback, as for any end.
    const [callback] = await eventually(
      () => (callbacksOf(session.id).length > 0 ? callbacksOf(session.id) : undefined),
      'the session.completed callback',
    );
    expect(callback).toMatchObject({
      type: 'session.completed',
      data: { id: session.id, status: 'completed', outcome: 'cancelled' },
    });

    // The audit trail names who cancelled it.
    const audit = (await t.api('/api/audit?limit=1000')).json<{
      entries: Array<{ type: string; actor: string; detail: Record<string, unknown> }>;
    }>();
    const cancelled = audit.entries.filter(
      (e) => e.type === 'session.cancelled' && e.detail.sessionId === session.id,
    );
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0]!.actor).toBe(entry.detail.actor);
    expect(JSON.stringify(cancelled)).not.toContain(who);

    // A Socure webhook for its DocV transaction, arriving after the cancel, changes nothing.
    const before = (await t.service.store.getSession(session.id))!;
    await triggerSandbox(t, token, 'complete-accept');
    const [delivery] = await eventually(async () => {
      const found = await t.service.store.findDeliveries({ docvTransactionToken: token }, [
        'VERIFICATION_COMPLETED',
      ]);
      return found.length > 0 ? found : undefined;
    }, 'the Socure webhook in the inbox');
    // As an instance correlating it would: nothing waits on it any more.
    await t.service.engine.correlate(parseDelivery(delivery!.payload, delivery!.authenticated));
    expect(await t.service.store.getSession(session.id)).toMatchObject({
      status: 'completed',
      outcome: 'cancelled',
      version: before.version,
    });
    const types = (await t.service.store.listTimeline(session.id)).map((e) => e.type);
    expect(types.filter((type) => type === 'cancelled')).toHaveLength(1);
    expect(types).not.toContain('resumed');
    expect(await t.service.store.listOutbound(session.id)).toHaveLength(1);
    expect(
      (await t.service.store.findDeliveries({ docvTransactionToken: token }, ['VERIFICATION_COMPLETED']))[0]
        ?.consumedBy,
    ).toBeNull();
  });

  it('cancels a session at a form; cancelling it again answers 409 already_ended and changes nothing', async () => {
    const { id } = await createSession(t, { flow: 'idplus-score', customerUserId: customer('twice') });
    expect((await t.api(`/api/sessions/${id}/cancel`, { method: 'POST' })).status).toBe(200);
    const once = (await t.service.store.getSession(id))!;
    const again = await t.api(`/api/sessions/${id}/cancel`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(again.json()).toMatchObject({ error: 'already_ended', status: 'completed', outcome: 'cancelled' });
    expect((await t.service.store.getSession(id))!.version).toBe(once.version);
    expect(await t.service.store.listOutbound(id)).toHaveLength(1);
  });

  it('a session that ended by itself answers 409 with its own outcome', async () => {
    const session = await createSession(t, { flow: 'idplus-score', customerUserId: customer('ended') });
    expect((await submitScreen(t, session.path, PERSONA_FORM)).status).toBe(303);
    const res = await t.api(`/api/sessions/${session.id}/cancel`, { method: 'POST' });
    expect(res.status).toBe(409);
    expect(res.json()).toMatchObject({ error: 'already_ended', status: 'completed', outcome: 'verified' });
    expect((await t.service.store.getSession(session.id))?.outcome).toBe('verified');
  });

  it('an unknown session answers 404; no key answers 401 and cancels nothing', async () => {
    const missing = await t.api(`/api/sessions/${randomUUID()}/cancel`, { method: 'POST' });
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({ error: 'not_found' });
    const { id } = await createSession(t, { flow: 'docv-qr', customerUserId: customer('no-key') });
    expect((await t.http(`/api/sessions/${id}/cancel`, { method: 'POST' })).status).toBe(401);
    expect((await t.service.store.getSession(id))?.status).toBe('waiting');
  });
});

describe('OpenAPI', () => {
  type Doc = {
    paths: Record<
      string,
      Record<
        string,
        { responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }> }
      >
    >;
  };

  it('documents both operations, and real answers match their schemas', async () => {
    const doc = (await t.http('/api/openapi.json')).json<Doc>();
    const list = doc.paths['/api/sessions']!.get!;
    const cancel = doc.paths['/api/sessions/{id}/cancel']!.post!;
    expect(Object.keys(list.responses).sort()).toEqual(['200', '400', '401']);
    expect(Object.keys(cancel.responses).sort()).toEqual(['200', '401', '404', '409']);

    const ajv = new Ajv2020.default({ strict: false, logger: false });
    ajv.addFormat('uri', true).addFormat('date-time', true);
    const validator = (response: { content?: Record<string, { schema: Record<string, unknown> }> }) => {
      const { $schema: _, ...schema } = response.content!['application/json']!.schema;
      return ajv.compile(schema);
    };
    const { id } = await createSession(t, { flow: 'docv-qr', customerUserId: customer('schema') });
    const listed = (await t.api('/api/sessions?limit=2')).json();
    const validList = validator(list.responses['200']!);
    expect(validList(listed), JSON.stringify(validList.errors)).toBe(true);
    const cancelled = (await t.api(`/api/sessions/${id}/cancel`, { method: 'POST' })).json();
    const validCancel = validator(cancel.responses['200']!);
    expect(validCancel(cancelled), JSON.stringify(validCancel.errors)).toBe(true);
    const conflict = (await t.api(`/api/sessions/${id}/cancel`, { method: 'POST' })).json();
    const validConflict = validator(cancel.responses['409']!);
    expect(validConflict(conflict), JSON.stringify(validConflict.errors)).toBe(true);
    // The checks can fail: a list answer without nextCursor does not validate.
    expect(validList({ sessions: [] })).toBe(false);
  });
});
