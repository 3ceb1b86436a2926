/**
 * The operator console (/console) through real sockets against the service with its embedded sandbox: who may
 * reach it (loopback, the operator key, the login cookie), search, masking and the audited reveal, cancel,
 * callback retry, inbox replay, and the charts' data.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import {
  createSession,
  type HttpResponse,
  hiddenValue,
  PERSONA_FORM,
  startTestService,
  submitScreen,
  type TestService,
  waitForCompletion,
  waitToken,
} from './helpers.js';

/** The app's callback endpoint: refuses everything while `failing`. */
let failing = true;
const delivered: string[] = [];
let receiver: Server;
let t: TestService;
/** A browser logged in to the console. */
let operator: TestService['http'];

const customer = (label: string) => `${label}-${randomUUID()}`;

/** A console form's CSRF token (every action form of a page carries the same one). */
const csrfOf = (res: HttpResponse) => {
  const token = hiddenValue(res.text, 'csrf');
  if (!token) throw new Error(`no csrf on the page: ${res.status} ${res.text.slice(0, 300)}`);
  return token;
};

async function logIn(browser: TestService['http'], key: string): Promise<HttpResponse> {
  const form = await browser('/console/login');
  return browser('/console/login', { form: { csrf: csrfOf(form), key } });
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failing) return res.writeHead(500).end('down');
      delivered.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;
  t = await startTestService(
    {
      appWebhookUrl: `http://127.0.0.1:${port}/hooks`,
      appWebhookSecret: `whsec_${Buffer.from('a test secret of 24 byte').toString('base64')}`,
      // One proxy hop is believed: X-Forwarded-For then names the client (to test a remote one).
      trustProxy: 1,
    },
    { appWebhookRetryBaseMs: 1 },
  );
  operator = t.browser();
  const login = await logIn(operator, t.service.apiKey);
  expect(login.status, login.text).toBe(303);
});
afterAll(async () => {
  await t?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('who may use the console', () => {
  it('sends a browser without the login to the login page, and refuses a wrong key', async () => {
    const anonymous = t.browser();
    const res = await anonymous('/console/sessions');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/console/login');
    const bearer = await anonymous('/console/charts/data', {
      headers: { authorization: 'Bearer not-the-key-at-all' },
    });
    expect(bearer.status).toBe(401);
    const wrong = await logIn(anonymous, 'not-the-key-at-all');
    expect(wrong.status).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect((await anonymous('/console/sessions')).status).toBe(303);
    // A forged login form (no token of ours) is refused even with the right key.
    const forged = await anonymous('/console/login', { form: { csrf: 'x', key: t.service.apiKey } });
    expect(forged.status).toBe(403);
  });

  it('logs in with the sessions API key: an HttpOnly, SameSite=Strict cookie for /console only', async () => {
    const browser = t.browser();
    const res = await logIn(browser, t.service.apiKey);
    expect(res.status).toBe(303);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^sc_console=[0-9a-z]+\.[A-Za-z0-9_-]{32};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/console');
    const page = await browser('/console/sessions');
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    // The strict CSP, and nothing inline that it would block.
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(page.text).not.toMatch(/\sstyle=/);
    const audit = (await t.api('/api/audit?limit=1000')).json<{
      entries: Array<{ type: string; actor: string }>;
    }>();
    expect(audit.entries.filter((e) => e.type === 'console.login').length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(audit.entries)).not.toContain(t.service.apiKey);
    // A cookie that is not ours does not log anyone in.
    const forged = await t.browser()('/console/sessions', { headers: { cookie: 'sc_console=zzzz.abc' } });
    expect(forged.status).toBe(303);
  });

  it('answers 403 to a client off the loopback interface, even with the key', async () => {
    const remote = { 'x-forwarded-for': '203.0.113.9', authorization: `Bearer ${t.service.apiKey}` };
    const res = await t.http('/console/sessions', { headers: remote });
    expect(res.status).toBe(403);
    expect(res.text).toContain('CONSOLE_ALLOW_REMOTE');
    expect((await t.http('/console/login', { headers: remote })).status).toBe(403);
    const local = await t.http('/console/charts/data', {
      headers: { ...remote, 'x-forwarded-for': '127.0.0.1' },
    });
    expect(local.status).toBe(200);
  });

  it('with OPERATOR_API_KEY and CONSOLE_ALLOW_REMOTE: the operator key only, from anywhere', async () => {
    const operatorKey = `op_${randomUUID()}`;
    const other = await startTestService({
      operatorApiKey: operatorKey,
      consoleAllowRemote: true,
      trustProxy: 1,
    });
    try {
      const remote = { 'x-forwarded-for': '203.0.113.9' };
      const withApiKey = await other.http('/console/charts/data', {
        headers: { ...remote, authorization: `Bearer ${other.service.apiKey}` },
      });
      expect(withApiKey.status).toBe(401);
      const withOperatorKey = await other.http('/console/charts/data', {
        headers: { ...remote, authorization: `Bearer ${operatorKey}` },
      });
      expect(withOperatorKey.status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('sessions', () => {
  it('searches by customerUserId (its keyed hash), flow, outcome and time range, showing ids masked', async () => {
    const who = customer('search');
    const a = await createSession(t, { flow: 'idplus-score', customerUserId: who });
    const b = await createSession(t, { flow: 'docv-qr', customerUserId: who });
    const stranger = await createSession(t, { flow: 'idplus-score', customerUserId: customer('other') });
    await t.api(`/api/sessions/${b.id}/cancel`, { method: 'POST' });

    const mine = await operator(`/console/sessions?customerUserId=${encodeURIComponent(who)}`);
    expect(mine.status).toBe(200);
    expect(mine.text).toContain(a.id);
    expect(mine.text).toContain(b.id);
    expect(mine.text).not.toContain(stranger.id);
    // The id searched for is in the search box; the list itself shows it masked.
    const table = mine.text.slice(mine.text.indexOf('<table'));
    expect(table).not.toContain(who);
    expect(table).toContain(`${who[0]}••••••••${who.at(-1)}`);

    const cancelled = await operator(
      `/console/sessions?customerUserId=${encodeURIComponent(who)}&outcome=cancelled`,
    );
    expect(cancelled.text).toContain(b.id);
    expect(cancelled.text).not.toContain(a.id);
    const flow = await operator(`/console/sessions?customerUserId=${encodeURIComponent(who)}&flow=docv-qr`);
    expect(flow.text).toContain(b.id);
    expect(flow.text).not.toContain(a.id);

    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const inRange = await operator(
      `/console/sessions?customerUserId=${encodeURIComponent(who)}&from=${today}&to=${today}`,
    );
    expect(inRange.text).toContain(a.id);
    const later = await operator(
      `/console/sessions?customerUserId=${encodeURIComponent(who)}&from=${tomorrow}`,
    );
    expect(later.text).not.toContain(a.id);
    expect(later.text).toContain('No session matches.');

    const bad = await operator('/console/sessions?from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('from: must be YYYY-MM-DD');
  });

  it('masks personal fields; a reveal shows one, is audited (without the value) and needs the form token', async () => {
    const who = customer('reveal');
    const { id } = await createSession(t, {
      flow: 'idplus-score',
      customerUserId: who,
      input: { firstName: 'Dwayne', surName: 'Denver' },
    });
    const page = await operator(`/console/sessions/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('Dwayne');
    expect(page.text).not.toContain(who);
    expect(page.text).toContain('D••••e');

    const forged = await operator(`/console/sessions/${id}/reveal`, {
      form: { csrf: 'nope', field: 'input.firstName' },
    });
    expect(forged.status).toBe(403);
    expect(forged.text).not.toContain('Dwayne');
    // Another logged-in browser's token is not this one's.
    const otherBrowser = t.browser();
    await logIn(otherBrowser, t.service.apiKey);
    const foreign = await otherBrowser(`/console/sessions/${id}/reveal`, {
      form: { csrf: csrfOf(page), field: 'input.firstName' },
    });
    expect(foreign.status).toBe(403);

    const revealed = await operator(`/console/sessions/${id}/reveal`, {
      form: { csrf: csrfOf(page), field: 'input.firstName' },
    });
    expect(revealed.status).toBe(200);
    expect(revealed.text).toContain('<span class="revealed" data-field="input.firstName">Dwayne</span>');
    expect(revealed.text).not.toContain('Denver');
    expect(revealed.text).not.toContain(who);

    const audit = (await t.api('/api/audit?limit=1000')).json<{
      entries: Array<{ type: string; actor: string; detail: Record<string, unknown> }>;
    }>();
    const reveals = audit.entries.filter(
      (e) => e.type === 'personal_data.revealed' && e.detail.sessionId === id,
    );
    expect(reveals).toHaveLength(1);
    expect(reveals[0]).toMatchObject({
      actor: expect.stringMatching(/^operator:[0-9a-f]{8}$/),
      detail: { field: 'input.firstName' },
    });
    expect(JSON.stringify(audit.entries)).not.toContain('Dwayne');

    const id2 = await operator(`/console/sessions/${id}/reveal`, {
      form: { csrf: csrfOf(page), field: 'customerUserId' },
    });
    expect(id2.text).toContain(`data-field="customerUserId">${who}</span>`);
  });

  it('shows the timeline and Socure calls of a decided session, with their referenceIds', async () => {
    const { id, path } = await createSession(t, {
      flow: 'idplus-score',
      customerUserId: customer('timeline'),
    });
    await submitScreen(t, path, PERSONA_FORM);
    await waitForCompletion(t, id);
    const page = await operator(`/console/sessions/${id}`);
    expect(page.text).toContain('<td>created</td>');
    expect(page.text).toContain('<td>completed</td>');
    const calls = (await t.service.store.listSessionAudit(id, 100)).filter((a) => a.type === 'socure.call');
    expect(calls.length).toBeGreaterThan(0);
    const referenceId = String(calls[0]!.detail.referenceId);
    expect(referenceId).not.toBe('null');
    expect(page.text).toContain(referenceId);
  });

  it('cancels a session (with its form token), naming the operator in the timeline', async () => {
    const { id } = await createSession(t, { flow: 'idplus-score', customerUserId: customer('cancel') });
    const page = await operator(`/console/sessions/${id}`);
    expect(page.text).toContain('Cancel this session');
    expect((await operator(`/console/sessions/${id}/cancel`, { form: { csrf: 'x' } })).status).toBe(403);
    expect((await t.service.store.getSession(id))!.status).not.toBe('completed');
    const res = await operator(`/console/sessions/${id}/cancel`, { form: { csrf: csrfOf(page) } });
    expect(res.status).toBe(200);
    expect(res.text).toContain('The session was cancelled.');
    expect(await t.service.store.getSession(id)).toMatchObject({ status: 'completed', outcome: 'cancelled' });
    const entry = (await t.service.store.listTimeline(id)).at(-1)!;
    expect(entry.type).toBe('cancelled');
    expect(entry.detail.actor).toMatch(/^operator:[0-9a-f]{8}$/);
    const again = await operator(`/console/sessions/${id}/cancel`, { form: { csrf: csrfOf(page) } });
    expect(again.status).toBe(409);
    expect(again.text).toContain('already ended');
  });

  it('retries a failed callback: queued again and delivered once the app answers', async () => {
    const { id } = await createSession(t, { flow: 'idplus-score', customerUserId: customer('retry') });
    await t.api(`/api/sessions/${id}/cancel`, { method: 'POST' });
    const [failed] = await eventually(
      async () => {
        const callbacks = await t.service.store.listOutbound(id);
        return callbacks[0]?.status === 'failed' ? callbacks : undefined;
      },
      'the callback to fail for good',
      { timeoutMs: 15_000 },
    );
    const page = await operator(`/console/sessions/${id}`);
    expect(page.text).toContain(`/console/callbacks/${failed!.id}/retry`);
    failing = false;
    try {
      const res = await operator(`/console/callbacks/${failed!.id}/retry`, {
        form: { csrf: csrfOf(page), session: id },
      });
      expect(res.status).toBe(200);
      expect(res.text).toContain('queued again');
      await eventually(async () => {
        const [callback] = await t.service.store.listOutbound(id);
        return callback?.status === 'delivered' ? callback : undefined;
      }, 'the retried callback to be delivered');
      expect(delivered.some((body) => body.includes(id))).toBe(true);
      // Delivered now: nothing to retry.
      const again = await operator(`/console/callbacks/${failed!.id}/retry`, {
        form: { csrf: csrfOf(page), session: id },
      });
      expect(again.status).toBe(409);
    } finally {
      failing = true;
    }
    const audit = await t.service.store.listSessionAudit(id, 100);
    expect(audit.filter((a) => a.type === 'callback.retried')).toHaveLength(1);
  }, 30_000);
});

describe('webhook inbox', () => {
  it('lists a delivery no session took yet and replays it: the waiting session takes it, once', async () => {
    const session = await createSession(t, { flow: 'docv-qr', customerUserId: customer('replay') });
    await t.http(session.path);
    const token = await waitToken(t, session.id);
    // As the webhook route commits one when the receiving instance then dies: not correlated, due much later.
    const deliveryId = `replay-${randomUUID()}`;
    const payload = JSON.stringify({
      id: deliveryId,
      event: {
        eventType: 'VERIFICATION_COMPLETED',
        docvTransactionToken: token,
        data: { docvTransactionToken: token },
      },
    });
    await t.service.store.insertDelivery(
      {
        deliveryId,
        eventType: 'VERIFICATION_COMPLETED',
        docvTransactionToken: token,
        referenceId: null,
        customerUserId: null,
        payload,
        authenticated: false,
        receivedAt: Date.now(),
      },
      Date.now() + 3_600_000,
    );
    const inbox = await operator(`/console/inbox?token=${encodeURIComponent(token)}`);
    expect(inbox.status).toBe(200);
    expect(inbox.text).toContain(deliveryId);
    expect(inbox.text).toContain('correlation pending');
    const pending = await operator(`/console/inbox?state=pending`);
    expect(pending.text).toContain(deliveryId);
    expect((await t.service.store.getSession(session.id))!.status).toBe('waiting');

    expect((await operator(`/console/inbox/${deliveryId}/replay`, { form: { csrf: 'x' } })).status).toBe(403);
    const replayed = await operator(`/console/inbox/${deliveryId}/replay`, { form: { csrf: csrfOf(inbox) } });
    expect(replayed.status, replayed.text).toBe(200);
    expect(replayed.text).toContain(`session ${session.id} took it`);
    expect((await t.service.store.getDelivery(deliveryId))!.consumedBy).toBe(session.id);
    const resumed = (await t.service.store.listTimeline(session.id)).filter((e) => e.type === 'resumed');
    expect(resumed).toHaveLength(1);
    expect(resumed[0]!.detail).toMatchObject({ deliveryId, eventType: 'VERIFICATION_COMPLETED' });

    const again = await operator(`/console/inbox/${deliveryId}/replay`, { form: { csrf: csrfOf(inbox) } });
    expect(again.status).toBe(409);
    expect(again.text).toContain('already consumed');
    const consumed = await operator(`/console/inbox?state=consumed&token=${encodeURIComponent(token)}`);
    expect(consumed.text).toContain(`consumed by <a href="/console/sessions/${session.id}">`);
    // The session page says which webhook resolved its challenge.
    const sessionPage = await operator(`/console/sessions/${session.id}`);
    expect(sessionPage.text).toContain('resolved by webhook');
    expect(sessionPage.text).toContain(deliveryId);
  });

  it('replays a delivery nobody waits for: it stays unmatched', async () => {
    const deliveryId = `stray-${randomUUID()}`;
    const token = randomUUID();
    await t.service.store.insertDelivery(
      {
        deliveryId,
        eventType: 'VERIFICATION_COMPLETED',
        docvTransactionToken: token,
        referenceId: null,
        customerUserId: null,
        payload: JSON.stringify({
          id: deliveryId,
          event: { eventType: 'VERIFICATION_COMPLETED', docvTransactionToken: token },
        }),
        authenticated: false,
        receivedAt: Date.now(),
      },
      Date.now() + 3_600_000,
    );
    const inbox = await operator('/console/inbox');
    const res = await operator(`/console/inbox/${deliveryId}/replay`, { form: { csrf: csrfOf(inbox) } });
    expect(res.status).toBe(409);
    expect(res.text).toContain('no session waits for it');
    const unmatched = await operator(`/console/inbox?state=unmatched&token=${token}`);
    expect(unmatched.text).toContain(deliveryId);
    expect(
      (await operator('/console/inbox/no-such-delivery/replay', { form: { csrf: csrfOf(inbox) } })).status,
    ).toBe(404);
  });
});

describe('charts', () => {
  it('answers the aggregations of the period: outcomes per day, funnels, decisions, reason codes, Socure latency', async () => {
    const { id, path } = await createSession(t, { flow: 'idplus-score', customerUserId: customer('charts') });
    await submitScreen(t, path, PERSONA_FORM);
    const ended = await waitForCompletion(t, id);
    const today = new Date().toISOString().slice(0, 10);
    const res = await operator(`/console/charts/data?from=${today}&to=${today}`);
    expect(res.status, res.text).toBe(200);
    const data = res.json<{
      outcomesByDay: { days: string[]; series: Array<{ outcome: string; counts: number[] }> };
      funnel: Array<{ flow: string; steps: Array<{ step: string; sessions: number; dropOff: number }> }>;
      decisions: Array<{ decision: string; count: number }>;
      reasonCodes: Array<{ code: string; count: number; description: string }>;
      socure: { calls: number; errors: number; p50: number | null; p99: number | null };
    }>();
    expect(data.outcomesByDay.days).toEqual([today]);
    const sessions = await t.service.store.listSessions({ createdFrom: Date.parse(today), limit: 1000 });
    const outcome = ended.outcome!;
    const expected = sessions.filter((s) => s.outcome === outcome).length;
    expect(data.outcomesByDay.series.find((s) => s.outcome === outcome)?.counts).toEqual([expected]);
    const total = data.outcomesByDay.series.reduce((n, s) => n + s.counts[0]!, 0);
    expect(total).toBe(sessions.length);

    const idplus = data.funnel.find((f) => f.flow === 'idplus-score')!;
    expect(idplus.steps.map((s) => s.step)).toEqual(['started', 'decided']);
    expect(idplus.steps[0]!.sessions).toBe(sessions.filter((s) => s.flowId === 'idplus-score').length);
    expect(idplus.steps[1]!.dropOff).toBe(idplus.steps[0]!.sessions - idplus.steps[1]!.sessions);
    const docv = data.funnel.find((f) => f.flow === 'docv-qr');
    if (docv) expect(docv.steps.map((s) => s.step)).toEqual(['started', 'document submitted', 'decided']);

    expect(data.decisions.reduce((n, d) => n + d.count, 0)).toBeGreaterThan(0);
    expect(data.reasonCodes.length).toBeGreaterThan(0);
    expect(data.reasonCodes[0]!.description).not.toBe('');
    expect(data.socure.calls).toBeGreaterThan(0);
    expect(data.socure.p50).not.toBeNull();
    expect(data.socure.p99!).toBeGreaterThanOrEqual(data.socure.p50!);

    // Another day: nothing.
    const empty = (await operator('/console/charts/data?from=2001-01-01&to=2001-01-02')).json<typeof data>();
    expect(empty.outcomesByDay.series).toEqual([]);
    expect(empty.socure.calls).toBe(0);
    expect((await operator('/console/charts/data?from=2026-02-01&to=2026-01-01')).status).toBe(400);

    const page = await operator(`/console/charts?from=${today}&to=${today}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<script src="/console/assets/chart.js" defer></script>');
    const chartJs = await operator('/console/assets/chart.js');
    expect(chartJs.status).toBe(200);
    expect(chartJs.headers['content-type']).toContain('javascript');
    expect(chartJs.text).toContain('Chart.js v4');
    expect((await operator('/console/assets/console.css')).text).toContain('@media print');
  });
});
