import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsError } from '../../src/connector/settings.js';
import { resolveServiceSettings } from '../../src/server/config.js';
import { browserCookiePolicy, embeddingWarning, noticeOrigins } from '../../src/server/embedding.js';
import {
  createSession,
  PERSONA_FORM,
  startTestService,
  type TestService,
  waitForCompletion,
} from './helpers.js';

const APP = 'https://app.example.com';

/** FRAME_ANCESTORS as the service reads it from the environment. */
const parse = (value: string) => resolveServiceSettings({ FRAME_ANCESTORS: value }, {}).frameAncestors;

function refusal(value: string): string {
  try {
    parse(value);
  } catch (err) {
    expect(err).toBeInstanceOf(SettingsError);
    return (err as Error).message;
  }
  throw new Error(`FRAME_ANCESTORS=${value} was accepted`);
}

describe('FRAME_ANCESTORS', () => {
  it('is unset by default: no framing', () => {
    expect(resolveServiceSettings({}, {}).frameAncestors).toBeUndefined();
  });

  it('takes origins separated by commas or spaces, normalised and without repeats', () => {
    expect(parse('https://app.example.com, http://localhost:3000')).toEqual([APP, 'http://localhost:3000']);
    expect(parse("HTTPS://App.Example.com/  'self' https://app.example.com")).toEqual([APP, "'self'"]);
    expect(parse('https://app.example.com:8443')).toEqual(['https://app.example.com:8443']);
    expect(parse('https://app.example.com:443')).toEqual([APP]);
  });

  it('takes none for no framing', () => {
    expect(parse('none')).toEqual([]);
    expect(parse("'none'")).toEqual([]);
  });

  it('is also the flag --frame-ancestors, which wins over the variable', () => {
    const s = resolveServiceSettings({ FRAME_ANCESTORS: APP }, { frameAncestors: 'http://127.0.0.1:8080' });
    expect(s.frameAncestors).toEqual(['http://127.0.0.1:8080']);
  });

  it('refuses * and wildcard hosts with a message saying why', () => {
    expect(refusal('*')).toMatch(/^FRAME_ANCESTORS .*wildcards are refused .*name each origin/);
    expect(refusal('https://*.example.com')).toMatch(/wildcards are refused/);
  });

  it('refuses what is not a bare http(s) origin', () => {
    expect(refusal('https://app.example.com/embed')).toMatch(/must be a bare origin/);
    expect(refusal('https://app.example.com?x=1')).toMatch(/must be a bare origin/);
    expect(refusal('https://user@app.example.com')).toMatch(/must be a bare origin/);
    expect(refusal('app.example.com')).toMatch(/must be an origin such as https:\/\/app.example.com/);
    expect(refusal('ftp://app.example.com')).toMatch(/must be an http\(s\) origin/);
    // The message names the setting and what was given.
    expect(refusal('https://app.example.com/embed')).toContain('"https://app.example.com/embed"');
  });
});

describe('the browser cookie with and without framing', () => {
  it('stays SameSite=Lax without FRAME_ANCESTORS, or when only our own origin may frame', () => {
    expect(browserCookiePolicy('https://verify.example.com', undefined)).toEqual({
      secure: true,
      sameSite: 'lax',
      partitioned: false,
    });
    expect(browserCookiePolicy('http://localhost:3000', [])).toEqual({
      secure: false,
      sameSite: 'lax',
      partitioned: false,
    });
    expect(browserCookiePolicy('https://verify.example.com', ["'self'"]).sameSite).toBe('lax');
  });

  it('is SameSite=None; Secure; Partitioned when another site may frame the pages over https or on loopback', () => {
    const framed = { secure: true, sameSite: 'none', partitioned: true };
    expect(browserCookiePolicy('https://verify.example.com', [APP])).toEqual(framed);
    expect(browserCookiePolicy('http://localhost:3000', ['http://127.0.0.1:8080'])).toEqual(framed);
    expect(browserCookiePolicy('http://127.0.0.1:3000', ['http://localhost:8080'])).toEqual(framed);
  });

  it('stays Lax over plain http on another host, with a warning that only popups work', () => {
    expect(browserCookiePolicy('http://verify.internal:3000', [APP]).sameSite).toBe('lax');
    expect(embeddingWarning('http://verify.internal:3000', [APP])).toMatch(/popup mode only/);
    expect(embeddingWarning('https://verify.example.com', [APP])).toBeUndefined();
    expect(embeddingWarning('http://verify.internal:3000', undefined)).toBeUndefined();
  });

  it("posts the end page's notice to the listed origins ('self' is our own)", () => {
    expect(noticeOrigins('https://verify.example.com', [APP, "'self'"])).toEqual([
      APP,
      'https://verify.example.com',
    ]);
    expect(noticeOrigins('https://verify.example.com', undefined)).toEqual([]);
  });
});

/** The `<div data-embed-notice …>` of an end page, or undefined. */
const noticeIn = (page: string) => /<div hidden data-embed-notice[^>]*>/.exec(page)?.[0];

describe('the service with FRAME_ANCESTORS', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService({ frameAncestors: [APP, "'self'"] });
  });
  afterAll(() => t?.close());

  it('lets the listed origins frame the pages: CSP frame-ancestors, no X-Frame-Options', async () => {
    const res = await t.http('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-security-policy']).toContain(`frame-ancestors ${APP} 'self';`);
    expect(res.headers['x-frame-options']).toBeUndefined();
  });

  it('sets the browser cookie SameSite=None; Secure; Partitioned (PUBLIC_URL is on loopback)', async () => {
    const res = await t.browser()('/');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^sc_browser=/);
    expect(cookie).toMatch(/; SameSite=None/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; Partitioned/);
    expect(cookie).toMatch(/; HttpOnly/);
  });

  it('shows a session page loaded into a frame (Sec-Fetch-Dest: iframe) and claims it for that browser', async () => {
    const created = await createSession(t, { flow: 'idplus-score', customerUserId: 'embed-framed' });
    const frame = t.browser();
    const framed = await frame(created.path, { headers: { 'sec-fetch-dest': 'iframe' } });
    expect(framed.status).toBe(200);
    expect(framed.text).toContain('name="csrf"');
    expect((await t.browser()(created.path)).status).toBe(403); // another browser: claimed by the frame's
  });

  it('serves /embed.js as JavaScript, cached, and the end page script', async () => {
    const embed = await t.http('/embed.js');
    expect(embed.status).toBe(200);
    expect(embed.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(embed.headers['cache-control']).toBe('public, max-age=3600');
    expect(embed.headers['x-content-type-options']).toBe('nosniff');
    expect(embed.text).toContain('window.SocureConnector');
    const notify = await t.http('/assets/notify-parent.js');
    expect(notify.status).toBe(200);
    expect(notify.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(notify.text).toContain("'socure-connector:session-ended'");
  });

  it('gives the end page the notice: session id, status, outcome and the origins — nothing of the person', async () => {
    const created = await createSession(t, {
      flow: 'idplus-score',
      customerUserId: 'embed-test',
      input: PERSONA_FORM,
    });
    await waitForCompletion(t, created.id);
    const page = await t.http(created.path);
    expect(page.status).toBe(200);
    const notice = noticeIn(page.text);
    expect(notice).toBe(
      `<div hidden data-embed-notice data-origins="${APP} ${new URL(t.service.publicUrl).origin}" ` +
        `data-session-id="${created.id}" data-status="completed" data-outcome="verified">`,
    );
    expect(page.text).toContain('<script src="/assets/notify-parent.js" defer></script>');
  });
});

describe('the service with FRAME_ANCESTORS and a plain-http PUBLIC_URL on another host', () => {
  it('warns at start and on /readyz that only popups work, and keeps the cookie Lax', async () => {
    const t = await startTestService({ publicUrl: 'http://verify.internal:0', frameAncestors: [APP] });
    try {
      const warning = t.service.warnings.find((w) => w.includes('FRAME_ANCESTORS'));
      expect(warning).toMatch(/popup mode only/);
      expect((await t.http('/readyz')).text).toContain('popup mode only');
      expect(String((await t.browser()('/')).headers['set-cookie'])).toMatch(/; SameSite=Lax/);
    } finally {
      await t.close();
    }
  });
});

describe('the service without FRAME_ANCESTORS', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService();
  });
  afterAll(() => t?.close());

  it("refuses every frame: X-Frame-Options DENY and frame-ancestors 'none'; the cookie stays Lax", async () => {
    const res = await t.browser()('/');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure|Partitioned|SameSite=None/);
  });

  it('answers a load into a frame 403 without claiming the session (the browser would show nothing)', async () => {
    const created = await createSession(t, { flow: 'idplus-score', customerUserId: 'embed-refused' });
    const browser = t.browser();
    const framed = await browser(created.path, { headers: { 'sec-fetch-dest': 'iframe' } });
    expect(framed.status).toBe(403);
    expect(framed.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(framed.headers['set-cookie']).toBeUndefined();
    expect(framed.text).not.toContain('csrf');
    // Still unclaimed: the first browser to open it directly gets it.
    const direct = await t.browser()(created.path, { headers: { 'sec-fetch-dest': 'document' } });
    expect(direct.status).toBe(200);
    expect(direct.text).toContain('name="csrf"');
  });

  it('serves /embed.js all the same, and gives the end page no notice and no script', async () => {
    expect((await t.http('/embed.js')).status).toBe(200);
    const created = await createSession(t, {
      flow: 'idplus-score',
      customerUserId: 'embed-test',
      input: PERSONA_FORM,
    });
    await waitForCompletion(t, created.id);
    const page = await t.http(created.path);
    expect(page.status).toBe(200);
    expect(page.text).toContain('class="badge verified"'); // the end page, as with the setting
    expect(noticeIn(page.text)).toBeUndefined();
    expect(page.text).not.toContain('notify-parent.js');
  });
});
