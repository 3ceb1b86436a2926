/**
 * Findings of the hardening review in the hosted pages and the HTTP layer, tried through real sockets: session
 * links claimed by the first browser, per-browser expiring form tokens, plain error text, event-stream caps,
 * proxy trust, security headers and log redaction.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Signer } from '../../src/server/signing.js';
import { eventually } from '../support/eventually.js';
import {
  createSession,
  hiddenValue,
  PERSONA_FORM,
  startRealKeyService,
  startTestService,
  type TestService,
} from './helpers.js';

let t: TestService;
beforeAll(async () => {
  t = await startTestService();
});
afterAll(async () => {
  await t?.close();
});

/** Opens the idplus-score form in `browser` and submits `form`; returns the page after the redirect. */
async function submitScoreForm(
  browser: TestService['http'],
  path: string,
  form: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const page = await browser(path);
  expect(page.status).toBe(200);
  const csrf = hiddenValue(page.text, 'csrf')!;
  const posted = await browser(`${path}/submit`, { form: { ...form, csrf, node: 'form' } });
  if (posted.status !== 303) return posted;
  return browser(path);
}

describe('finding 7: a session belongs to the first browser that opens it', () => {
  it('another browser opening the same link gets "continue on your first device" and none of the session', async () => {
    const { path } = await createSession(t, { flow: 'idplus-score', customerUserId: 'claim-1' });
    const first = t.browser();
    const mine = await first(path);
    expect(mine.status).toBe(200);
    expect(mine.headers['set-cookie']).toMatch(
      /^sc_browser=[\w-]{24}; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax$/,
    );
    const other = t.browser();
    const theirs = await other(path);
    expect(theirs.status).toBe(403);
    expect(theirs.text).toContain('Continue on your first device');
    expect(theirs.text).not.toContain('Dwayne');
    expect(theirs.text).not.toContain('csrf');
    // Nor its status or events.
    for (const suffix of ['/status', '/events']) {
      const res = await other(`${path}${suffix}`);
      expect(res.status).toBe(403);
      expect(res.json()).toMatchObject({ error: 'claimed_elsewhere' });
    }
    // The first browser keeps working.
    expect((await first(`${path}/status`)).status).toBe(200);
  });

  it('what the person typed (a refused form) is re-rendered only to the claiming browser', async () => {
    const { path } = await createSession(t, { flow: 'idplus-score', customerUserId: 'claim-2' });
    const first = t.browser();
    const page = await first(path);
    const csrf = hiddenValue(page.text, 'csrf')!;
    const typed = { ...PERSONA_FORM, firstName: 'Zebulon', email: 'not-an-email', csrf, node: 'form' };
    const refused = await first(`${path}/submit`, { form: typed });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('Zebulon');
    // Another browser replaying the same form (token included) sees nothing of it.
    const other = t.browser();
    const replay = await other(`${path}/submit`, { form: typed });
    expect(replay.status).toBe(403);
    expect(replay.text).not.toContain('Zebulon');
  });

  it('the start form token is per browser: a cross-site auto-submit (no cookie) or another browser’s token is refused', async () => {
    const first = t.browser();
    const index = await first('/flows/idplus-score');
    const csrf = hiddenValue(index.text, 'csrf')!;
    expect(csrf).toMatch(/^[0-9a-z]+\.[\w-]{32}$/);
    // A cross-site form post carries no SameSite=Lax cookie.
    const crossSite = await request(`${t.service.url}/flows/idplus-score/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `csrf=${encodeURIComponent(csrf)}`,
    });
    expect(crossSite.statusCode).toBe(403);
    await crossSite.body.text();
    const other = t.browser();
    await other('/');
    expect((await other('/flows/idplus-score/start', { form: { csrf } })).status).toBe(403);
    // The browser it was made for starts a session, and owns it.
    const started = await first('/flows/idplus-score/start', { form: { csrf } });
    expect(started.status).toBe(303);
    const location = String(started.headers.location);
    expect((await first(location)).status).toBe(200);
    expect((await other(location)).status).toBe(403);
  });

  it('form tokens expire, and name their scope', () => {
    const signer = new Signer('test-secret');
    const token = signer.csrfToken('session:abc:browser-1', 1_000, 60_000);
    expect(signer.verifyCsrf('session:abc:browser-1', token, 60_999)).toBe(true);
    expect(signer.verifyCsrf('session:abc:browser-1', token, 61_000)).toBe(false);
    expect(signer.verifyCsrf('session:abc:browser-2', token, 2_000)).toBe(false);
    // A later expiry cannot be pasted onto an old signature.
    const [, mac] = token.split('.');
    expect(signer.verifyCsrf('session:abc:browser-1', `${(999_999).toString(36)}.${mac}`, 2_000)).toBe(false);
  });
});

describe('finding 3: people see plain text and a support reference, never technical detail', () => {
  it('a broken ID+ answer (score above 1) shows a plain banner with the session id; the detail is in the timeline', async () => {
    const { id, path } = await createSession(t, { flow: 'idplus-score', customerUserId: 'fault-badscore' });
    const page = await submitScoreForm(t.http, path, PERSONA_FORM);
    expect(page.text).toContain('We could not complete this step right now.');
    expect(page.text).toContain(`Support reference: ${id}`);
    expect(page.text).not.toMatch(/score above 1|scores\.\d|SocureResponseValidationError/);
    const timeline = await t.service.store.listTimeline(id);
    const failed = timeline.find((e) => e.detail.error);
    expect(failed?.detail.error).toMatchObject({ kind: 'SocureResponseValidationError' });
    expect(JSON.stringify(failed?.detail.error)).toContain('above 1');
  });

  it('a field Socure’s rules refuse is marked beside it, without echoing the value anywhere', async () => {
    const { id, path } = await createSession(t, { flow: 'idplus-score', customerUserId: 'zip-typo' });
    const page = await submitScoreForm(t.http, path, { ...PERSONA_FORM, zip: '9X9X9' });
    expect(page.text).toContain('Please correct the fields marked below.');
    expect(page.text).toMatch(/<p class="field-error" id="f-zip-error">ZIP code: [^<]*5 digits/);
    // The typed value is only in its own input (re-rendered to the claiming browser), never in a message.
    expect(page.text.match(/9X9X9/g)).toHaveLength(1);
    const data = await t.service.store.getSessionData(id);
    expect(JSON.stringify(data!.outputs.score)).not.toContain('9X9X9');
    expect(JSON.stringify(await t.service.store.listTimeline(id))).not.toContain('9X9X9');
    expect(t.logs.text).not.toContain('9X9X9');
  });
});

describe('finding 9: open event streams are capped per client and in all', () => {
  it('past the cap a stream is refused with 429 (the page polls instead); closing one frees a place', async () => {
    const capped = await startTestService({ sseMaxPerClient: 2, sseMaxStreams: 3 });
    try {
      const open = async (path: string) => {
        const controller = new AbortController();
        const res = await request(`${capped.service.url}${path}/events`, {
          headers: { cookie: capped.cookie() },
          signal: controller.signal,
        });
        return { status: res.statusCode, body: res.body, close: () => controller.abort() };
      };
      const sessions: Array<{ id: string; path: string }> = [];
      for (let i = 0; i < 3; i++) {
        const s = await createSession(capped, { flow: 'docv-qr', customerUserId: `cap-${i}` });
        expect((await capped.http(s.path)).status).toBe(200);
        sessions.push(s);
      }
      const a = await open(sessions[0]!.path);
      const b = await open(sessions[1]!.path);
      expect([a.status, b.status]).toEqual([200, 200]);
      const third = await open(sessions[2]!.path);
      expect(third.status).toBe(429);
      expect(await third.body.json()).toMatchObject({ error: 'too_many_streams' });
      a.close();
      const again = await eventually(async () => {
        const s = await open(sessions[2]!.path);
        if (s.status === 200) return s;
        await s.body.text();
        return undefined;
      }, 'a freed stream place');
      expect(again.status).toBe(200);
      b.close();
      again.close();
    } finally {
      await capped.close();
    }
  });
});

describe('finding 5: TRUST_PROXY takes hops, so a client cannot pick its own address', () => {
  it('with one proxy hop, rotating the left-most X-Forwarded-For does not escape the rate limit', async () => {
    const proxied = await startTestService({ trustProxy: 1, rateLimitPagesPerMinute: 3 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++)
        statuses.push(
          (await proxied.http('/', { headers: { 'x-forwarded-for': `198.51.100.${i}, 203.0.113.9` } }))
            .status,
        );
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      // A different real client (as the proxy reports it) has its own budget.
      expect((await proxied.http('/', { headers: { 'x-forwarded-for': '203.0.113.10' } })).status).toBe(200);
    } finally {
      await proxied.close();
    }
  });
});

describe('findings 10 and 11: no key in logs; headers on errors and under https', () => {
  it('a key sent in the query string never reaches a log line', async () => {
    await t.http('/api/sessions/none?key=sck_QUERYSECRET123456&x=1');
    await eventually(
      () => t.logs.lines.some((l) => l.includes('/api/sessions/none')),
      'the request log line',
    );
    expect(t.logs.text).not.toContain('QUERYSECRET');
    expect(t.logs.text).toContain('/api/sessions/none?…');
  });

  it('error pages are no-store; an https PUBLIC_URL adds HSTS to pages, errors and event streams', async () => {
    const missing = await t.http('/no/such/page');
    expect(missing.status).toBe(404);
    expect(missing.headers['cache-control']).toBe('no-store');
    expect(missing.headers['strict-transport-security']).toBeUndefined();
    const https = await startTestService({ publicUrl: 'https://verify.example.com' });
    try {
      expect((await https.http('/')).headers['strict-transport-security']).toBe('max-age=31536000');
      expect((await https.http('/nope')).headers['strict-transport-security']).toBe('max-age=31536000');
      // The browser cookie is Secure under https.
      expect((await https.browser()('/')).headers['set-cookie']).toMatch(/; Secure/);
    } finally {
      await https.close();
    }
  });
});

describe('finding 4: with real Socure and no webhook secret, start warns', () => {
  it('lists the warning (the banner prints it) and logs it', async () => {
    const real = await startRealKeyService();
    try {
      expect(real.service.warnings).toEqual([expect.stringContaining('No SOCURE_WEBHOOK_SECRET')]);
      expect(real.logs.text).toContain('No SOCURE_WEBHOOK_SECRET');
      // The embedded sandbox always has a secret: no warning there.
      expect(t.service.warnings).toEqual([]);
    } finally {
      await real.close();
    }
  });
});
