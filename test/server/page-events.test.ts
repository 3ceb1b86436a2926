/**
 * What a waiting page hears over its event stream (through real sockets): the page its session shows, once per
 * page the person should see — never the steps in between (the resume, the ID+ fetch, the branch), which made the
 * page reload into "Just a moment" and again up to three times.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { type EventStream, openEventStream } from './event-stream.js';
import {
  createSession,
  startTestService,
  type TestService,
  triggerSandbox,
  waitForCompletion,
  waitToken,
} from './helpers.js';

let t: TestService;
const streams: EventStream[] = [];
beforeAll(async () => {
  // A failed step is retried after 1.5 s: long enough to open its "Just a moment" page first.
  t = await startTestService({}, { stepRetryBackoff: { baseMs: 1_500, maxMs: 1_500 } });
});
afterAll(async () => {
  for (const stream of streams) stream.close();
  await t?.close();
});

/** A docv-qr session whose page this test's browser opened first (so owns), with the page's event stream. */
async function openWaitingPage(customerUserId: string) {
  const session = await createSession(t, { flow: 'docv-qr', customerUserId });
  const page = await t.http(session.path);
  expect(page.status).toBe(200);
  const stream = await openEventStream(`${t.service.url}${session.path}/events`, { cookie: t.cookie() });
  streams.push(stream);
  expect(stream.status).toBe(200);
  return { ...session, shows: /data-page="([^"]+)"/.exec(page.text)?.[1], stream };
}

const pagesOf = (stream: EventStream) => stream.events.map((e) => e.data.page);
const completedEvent = (stream: EventStream) => stream.events.find((e) => e.data.status === 'completed');

describe('waiting pages hear of pages, not of steps', () => {
  it('docv-qr: the result is the one event after the wait, though the session moved several times', async () => {
    const w = await openWaitingPage(`events-${randomUUID()}`);
    const token = await waitToken(t, w.id);
    const waiting = (await t.service.store.getSession(w.id))!;
    expect(w.shows).toBe(`wait:${waiting.version}`);
    const status = await t.http(`${w.path}/status`);
    expect(status.json()).toMatchObject({ status: 'waiting', page: `wait:${waiting.version}` });

    await triggerSandbox(t, token, 'complete-accept');
    const done = await waitForCompletion(t, w.id);
    await eventually(() => completedEvent(w.stream), 'the result on the stream');
    // Events arrive in order: any event for a step in between would be listed before the result.
    expect(w.stream.events).toEqual([
      {
        event: 'change',
        data: { version: waiting.version, status: 'waiting', page: `wait:${waiting.version}` },
      },
      { event: 'change', data: { version: done.version, status: 'completed', page: `end:${done.version}` } },
    ]);
    expect(done.version - waiting.version, 'steps committed between the wait and the end').toBeGreaterThan(1);
    expect((await t.http(`${w.path}/status`)).json()).toMatchObject({ page: `end:${done.version}` });
  });

  it('a step parked for its retry is a page ("Just a moment"); the wait after it and the result are the next two', async () => {
    // The DocV request answers 503 three times (the client's own two retries included), so the step fails once
    // and the session waits for the step's retry before it shows a QR code.
    const w = await openWaitingPage(`fault-503-x3-${randomUUID()}`);
    expect(w.shows).toBe('working');
    expect((await t.http(`${w.path}/status`)).json()).toMatchObject({ status: 'waiting', page: 'working' });
    const prompt = await eventually(
      () => w.stream.events.find((e) => String(e.data.page).startsWith('wait:')),
      'the QR page after the retry',
    );
    await triggerSandbox(t, await waitToken(t, w.id), 'complete-accept');
    const done = await waitForCompletion(t, w.id);
    await eventually(() => completedEvent(w.stream), 'the result on the stream');
    expect(pagesOf(w.stream)).toEqual(['working', prompt.data.page, `end:${done.version}`]);
  });
});
