import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { SHIPPED_FLOW_IDS } from '../support/shipped-flows.js';
import {
  createSession,
  hiddenValue,
  PERSONA_FORM,
  SANDBOX_ID_PLUS_KEY,
  sessionPathOf,
  startTestService,
  submitScreen,
  type TestService,
  triggerSandbox,
  waitToken,
} from './helpers.js';

let t: TestService;
beforeAll(async () => {
  t = await startTestService();
});
afterAll(async () => {
  await t?.close();
});

const FLOW_IDS = SHIPPED_FLOW_IDS;
const NO_STACK = /at [\w.<>]+ \(|node:internal|\.ts:\d+:\d+|\.js:\d+:\d+/;

function expectHtmlSecurityHeaders(headers: Record<string, string | string[] | undefined>) {
  const csp = String(headers['content-security-policy']);
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain('unsafe-eval');
  expect(headers['referrer-policy']).toBe('no-referrer');
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['x-frame-options']).toBe('DENY');
}

/** Starts a flow the way a person does: the index page's form, CSRF token included. */
async function startFlow(flowId: string): Promise<{ id: string; path: string }> {
  const index = await t.http('/');
  const csrf = new RegExp(
    `action="/flows/${flowId}/start"><input type="hidden" name="csrf" value="([^"]+)"`,
  ).exec(index.text)?.[1];
  expect(csrf, `csrf of ${flowId}`).toBeTruthy();
  const res = await t.http(`/flows/${flowId}/start`, { form: { csrf: csrf! } });
  expect(res.status).toBe(303);
  const path = sessionPathOf(String(res.headers.location));
  return { id: path.split('/')[2]!, path };
}

describe('index and start', () => {
  it('GET / lists the shipped flows, each with a start form', async () => {
    const res = await t.http('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expectHtmlSecurityHeaders(res.headers);
    for (const id of FLOW_IDS) expect(res.text).toContain(`action="/flows/${id}/start"`);
    expect(res.text.match(/<form method="post"/g)).toHaveLength(FLOW_IDS.length);
    for (const f of t.service.flows) expect(res.text).toContain(f.title.replace(/'/g, '&#39;'));
  });

  it('POST /flows/:id/start without or with a bad CSRF token → 403 page', async () => {
    const index = await t.http('/');
    const otherFlowToken =
      /action="\/flows\/docv-qr\/start"><input type="hidden" name="csrf" value="([^"]+)"/.exec(
        index.text,
      )![1]!;
    for (const form of [{}, { csrf: 'x'.repeat(32) }, { csrf: 'short' }, { csrf: otherFlowToken }] as Array<
      Record<string, string>
    >) {
      const res = await t.http('/flows/idplus-score/start', { form });
      expect(res.status, JSON.stringify(form)).toBe(403);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('This form expired');
      expect(res.headers.location).toBeUndefined();
    }
  });

  it('with the token → 303 to a signed /s/<id>/<sig>', async () => {
    const { id, path } = await startFlow('idplus-score');
    expect(path).toMatch(/^\/s\/[0-9a-f-]{36}\/[A-Za-z0-9_-]{32}$/);
    expect((await t.service.store.getSession(id))?.flowId).toBe('idplus-score');
  });

  it('an unknown flow is a friendly 404', async () => {
    const res = await t.http('/flows/nope');
    expect(res.status).toBe(404);
    expect(res.text).toContain('There is no such flow');
  });
});

describe('session pages', () => {
  it('a wrong signature, another session’s signature, or an unknown id → friendly 404 without a stack trace', async () => {
    const a = await startFlow('idplus-score');
    const b = await startFlow('idplus-score');
    const [, , aId, aSig] = a.path.split('/');
    const [, , bId, bSig] = b.path.split('/');
    for (const path of [
      `/s/${aId}/${'A'.repeat(32)}`,
      `/s/${aId}/${bSig}`,
      `/s/${bId}/${aSig}`,
      `/s/${aId}/x`,
      `/s/00000000-0000-0000-0000-000000000000/${aSig}`,
      `/s/${aId}/${aSig}x`,
    ]) {
      const res = await t.http(path);
      expect(res.status, path).toBe(404);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('Link not valid');
      expect(res.text).not.toMatch(NO_STACK);
      expectHtmlSecurityHeaders(res.headers);
    }
    for (const suffix of ['/status', '/events']) {
      expect((await t.http(`/s/${aId}/${bSig}${suffix}`)).status).toBe(404);
    }
  });

  it('the screen: cache-control no-store, strict CSP, the persona pre-filled', async () => {
    const { path } = await startFlow('idplus-score');
    const res = await t.http(path);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expectHtmlSecurityHeaders(res.headers);
    expect(res.text).toContain('value="400-01-3784"');
    expect(res.text).not.toMatch(/<script>|\sstyle="|\son\w+="/); // nothing inline that the CSP would block
  });

  it('submit: missing or wrong CSRF → 403; validation errors → 422 next to the fields; valid → 303', async () => {
    const { id, path } = await startFlow('idplus-score');
    const page = await t.http(path);
    const csrf = hiddenValue(page.text, 'csrf')!;
    const node = hiddenValue(page.text, 'node')!;

    const missing = await t.http(`${path}/submit`, { form: { node, ...PERSONA_FORM } });
    expect(missing.status).toBe(403);
    const other = await startFlow('idplus-score');
    const otherCsrf = hiddenValue((await t.http(other.path)).text, 'csrf')!;
    const wrong = await t.http(`${path}/submit`, { form: { csrf: otherCsrf, node, ...PERSONA_FORM } });
    expect(wrong.status).toBe(403);
    expect((await t.service.store.getSession(id))?.status).toBe('input');

    const invalid = await t.http(`${path}/submit`, {
      form: { csrf, node, ...PERSONA_FORM, firstName: '', email: 'not-an-email', dob: '02/04/1975' },
    });
    expect(invalid.status).toBe(422);
    expect(invalid.headers['cache-control']).toBe('no-store');
    expectHtmlSecurityHeaders(invalid.headers);
    expect(invalid.text).toContain('role="alert"');
    for (const [field, message] of [
      ['firstName', 'First name is required'],
      ['email', 'Email must be an e-mail address'],
      ['dob', 'Date of birth must be a date (YYYY-MM-DD)'],
    ] as const) {
      // The message follows its own input (and is tied to it for screen readers).
      const input = new RegExp(
        `<input [^>]*id="f-${field}"[^>]*aria-describedby="f-${field}-error"[^>]*aria-invalid="true"[^>]*>\\s*<p class="field-error" id="f-${field}-error">${message.replace(/[()]/g, '\\$&')}</p>`,
      );
      expect(invalid.text, field).toMatch(input);
    }
    // The person's own other values are kept, and the valid fields carry no error.
    expect(invalid.text).toContain('value="Denver"');
    expect(invalid.text).not.toContain('id="f-surName-error"');

    const valid = await t.http(`${path}/submit`, { form: { csrf, node, ...PERSONA_FORM } });
    expect(valid.status).toBe(303);
    expect(valid.headers.location).toBe(path);
    const result = await t.http(path);
    expect(result.status).toBe(200);
    expect(result.text).toContain('Decision: accept');
    expect(result.text).toContain('ID+ result');
    expect(result.headers['cache-control']).toBe('no-store');
  });

  it('the waiting page has the QR <img> and the link; /status answers JSON', async () => {
    const { id, path } = await startFlow('docv-qr');
    const res = await t.http(path);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expectHtmlSecurityHeaders(res.headers);
    expect(res.text).toMatch(/<img class="qr" src="data:image\/png;base64,[A-Za-z0-9+/=]+" alt="[^"]+"/);
    const link = /<a class="link" href="([^"]+)"[^>]*>Open the verification link<\/a>/.exec(res.text)?.[1];
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(res.text).toContain(`data-session-events="${path}/events"`);
    expect(res.text).toContain('<script src="/assets/wait.js" defer></script>');

    const status = await t.http(`${path}/status`);
    expect(status.status).toBe(200);
    expect(status.headers['cache-control']).toBe('no-store');
    const session = await t.service.store.getSession(id);
    expect(status.json()).toEqual({
      status: 'waiting',
      version: session!.version,
      outcome: null,
      page: `wait:${session!.version}`,
    });
  });

  it('SSE /events sends a `change` event when the session moves', async () => {
    const { id, path } = await startFlow('docv-qr');
    const token = await waitToken(t, id);
    const before = (await t.service.store.getSession(id))!.version;

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 10_000);
    const res = await request(`${t.service.url}${path}/events`, {
      signal: controller.signal,
      headers: { cookie: t.cookie() },
    });
    try {
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/event-stream');
      expect(res.headers['cache-control']).toBe('no-store');
      const events: Array<{ version: number; status: string }> = [];
      let buffer = '';
      let triggered = false;
      for await (const chunk of res.body) {
        buffer += String(chunk);
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^event: change\ndata: (.*)$/m.exec(frame)?.[1];
          if (data) events.push(JSON.parse(data));
          end = buffer.indexOf('\n\n');
        }
        // The first event is the state at connection time; then the session is moved from outside.
        if (events.length > 0 && !triggered) {
          triggered = true;
          expect(events[0]).toEqual({ version: before, status: 'waiting', page: `wait:${before}` });
          await triggerSandbox(t, token, 'complete-accept');
        }
        if (events.some((e) => e.status === 'completed')) break;
      }
      expect(events.some((e) => e.version > before)).toBe(true);
      expect(events.at(-1)).toMatchObject({ status: 'completed' });
    } finally {
      clearTimeout(timer);
      controller.abort();
      await res.body.dump().catch(() => undefined);
    }
    const page = await t.http(path);
    expect(page.text).toContain('You&#39;re verified');
  });

  it('assets are served with their types; unknown assets 404', async () => {
    const js = await t.http('/assets/wait.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect((await t.http('/assets/style.css')).headers['content-type']).toMatch(/^text\/css/);
    expect((await t.http('/assets/..%2Fapp.ts')).status).toBe(404);
  });
});

describe('privacy', () => {
  it('a session’s PII is not visible from another session’s URL', async () => {
    // Session A: the person's own values, kept on the form after ID+ fails (customerUserId forces a fault).
    const a = await createSession(t, { flow: 'idplus-score', customerUserId: 'fault-malformed' });
    const secretValues = {
      firstName: 'Zebulon',
      surName: 'Quartermaine',
      nationalId: '212-55-7788',
      email: 'zebulon.q@example.org',
    };
    const submitted = await submitScreen(t, a.path, { ...PERSONA_FORM, ...secretValues });
    expect(submitted.status).toBe(303);
    const own = await t.http(a.path);
    expect(own.status).toBe(200);
    for (const v of Object.values(secretValues)) expect(own.text).toContain(v);

    const b = await startFlow('idplus-score');
    const [, , aId, aSig] = a.path.split('/');
    const [, , bId, bSig] = b.path.split('/');
    const views = [
      await t.http(b.path),
      await t.http(`/s/${aId}/${bSig}`),
      await t.http(`/s/${bId}/${aSig}`),
      await t.http(`/s/${aId}/${bSig}/status`),
      await t.http(`/s/${aId}/${bSig}/submit`, {
        form: { csrf: hiddenValue((await t.http(b.path)).text, 'csrf')!, node: 'form' },
      }),
    ];
    for (const view of views) for (const v of Object.values(secretValues)) expect(view.text).not.toContain(v);
    expect(views.slice(1).map((v) => v.status)).toEqual([404, 404, 404, 404]);
    // B's CSRF token does not work on A's form either.
    const bCsrf = hiddenValue((await t.http(b.path)).text, 'csrf')!;
    expect(
      (await t.http(`${a.path}/submit`, { form: { csrf: bCsrf, node: 'form', ...PERSONA_FORM } })).status,
    ).toBe(403);
  });

  it('the ID+ key never appears in a page, an API answer or a log line', async () => {
    const from = { seen: t.seen.length, lines: t.logs.lines.length };
    // This test's own traffic, all of it calling ID+ or DocV with the key: a scored session to its result, a
    // failing ID+ call shown to the person, a DocV wait; each session's API answer.
    const scored = await startFlow('idplus-score');
    expect((await submitScreen(t, scored.path, PERSONA_FORM)).status).toBe(303);
    expect((await t.http(scored.path)).text).toContain('Decision: accept');
    const failing = await createSession(t, { flow: 'idplus-score', customerUserId: 'fault-malformed' });
    expect((await submitScreen(t, failing.path, PERSONA_FORM)).status).toBe(303);
    expect((await t.http(failing.path)).text).toContain('role="alert"');
    const waiting = await startFlow('docv-qr');
    await waitToken(t, waiting.id);
    expect((await t.http(waiting.path)).text).toContain('class="qr"');
    for (const { id } of [scored, failing, waiting]) {
      expect((await t.api(`/api/sessions/${id}`)).status).toBe(200);
    }
    expect(t.seen.length - from.seen).toBeGreaterThan(20);
    expect(t.logs.lines.length - from.lines).toBeGreaterThan(10);
    // Everything the service answered and logged so far (this test's traffic, and any earlier test's).
    for (const body of t.seen) expect(body).not.toContain(SANDBOX_ID_PLUS_KEY);
    expect(t.logs.text).not.toContain(SANDBOX_ID_PLUS_KEY);
    expect(t.logs.text).not.toContain(t.service.apiKey);
  });
});

describe('shutdown', () => {
  it('closing the service ends open event streams instead of waiting for them', async () => {
    const s = await startTestService();
    let closed = false;
    try {
      const { path } = await (async () => {
        const index = await s.http('/');
        const csrf = /action="\/flows\/docv-qr\/start"><input type="hidden" name="csrf" value="([^"]+)"/.exec(
          index.text,
        )![1]!;
        const res = await s.http('/flows/docv-qr/start', { form: { csrf } });
        return { path: sessionPathOf(String(res.headers.location)) };
      })();
      const stream = await request(`${s.service.url}${path}/events`, {
        signal: AbortSignal.timeout(10_000),
        headers: { cookie: s.cookie() },
      });
      expect(stream.statusCode).toBe(200);
      let received = '';
      const drained = (async () => {
        for await (const chunk of stream.body) received += String(chunk);
      })().catch(() => undefined);
      // The stream is live (its first event came) before the service closes.
      await eventually(() => received.includes('event: change'), 'the first event');
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5_000).unref());
      const result = await Promise.race([s.close().then(() => 'closed' as const), timeout]);
      closed = result === 'closed';
      expect(result).toBe('closed');
      // Ended by the close, not left to the 10 s abort.
      const open = new Promise<'open'>((r) => setTimeout(() => r('open'), 3_000).unref());
      expect(await Promise.race([drained.then(() => 'ended' as const), open])).toBe('ended');
    } finally {
      if (!closed) await s.close().catch(() => undefined);
    }
  });
});
