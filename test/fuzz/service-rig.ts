import { expect } from 'vitest';
import { BROWSER_COOKIE } from '../../src/server/browser.js';
import type { ServiceSettings } from '../../src/server/config.js';
import type { ServiceOptions } from '../../src/server/service.js';
import { createSession, hiddenValue, startTestService, type TestService } from '../server/helpers.js';
import { eventually } from '../support/eventually.js';
import { type RawAnswer, type RawRequest, send } from './http.js';

/** A session the fuzzer aims at: its id, URL signature and form token. */
export interface PoolSession {
  id: string;
  sig: string;
  csrf: string;
}

/**
 * The real service (embedded sandbox, SQLite in a temp dir) plus what generated requests refer to by
 * placeholder: `$KEY` (API key), `$HOOK` (webhook path), `$SECRET` (webhook secret), `$ID`/`$SIG`/`$CSRF`
 * (a pool session), `$OTHER_ID`/`$OTHER_SIG`/`$OTHER_CSRF` (another one), `$START_CSRF` (a flow start token),
 * `$COOKIE` (the browser that owns the pool), `$OTHER_COOKIE` (another browser) and `$TOKEN` (a waiting
 * session's DocV token).
 * Placeholders keep the generators static, so fast-check can replay and shrink them.
 */
export class ServiceRig {
  readonly screens: PoolSession[] = [];
  readonly waiting: PoolSession[] = [];
  startCsrf: Record<string, string> = {};
  /** The DocV tokens the waiting sessions wait on (`$TOKEN`). */
  readonly waitTokens: string[] = [];
  webhookSecret = '';
  /** The fuzzer's browser (a valid browser cookie: the pool sessions belong to it). */
  readonly cookie = `${BROWSER_COOKIE}=fuzzBrowser_0123456789ab`;
  /** Another browser, which claimed nothing. */
  readonly otherCookie = `${BROWSER_COOKIE}=otherBrowser_123456789ab`;

  private constructor(readonly t: TestService) {}

  static async start(settings: Partial<ServiceSettings> = {}, options: ServiceOptions = {}) {
    const rig = new ServiceRig(await startTestService(settings, options));
    rig.webhookSecret = await rig.t.service.store.getOrCreateSetting('sandbox-webhook-secret', () => {
      throw new Error('the embedded sandbox has no webhook secret');
    });
    const index = await send(rig.origin, { method: 'GET', path: '/', headers: { cookie: rig.cookie } });
    for (const m of index.text.matchAll(
      /action="\/flows\/([\w-]+)\/start"><input type="hidden" name="csrf" value="([^"]+)"/g,
    ))
      rig.startCsrf[m[1]!] = m[2]!;
    for (let i = 0; i < 4; i++) rig.screens.push(await rig.newSession('idplus-score'));
    for (let i = 0; i < 2; i++) rig.waiting.push(await rig.newSession('docv-qr'));
    for (const s of rig.waiting)
      rig.waitTokens.push((await rig.t.service.store.getSession(s.id))?.waitToken ?? '');
    return rig;
  }

  get origin() {
    return this.t.service.url;
  }

  async newSession(flow: string): Promise<PoolSession> {
    const { id, path } = await createSession(this.t, { flow, customerUserId: `fuzz-${flow}` });
    const sig = path.split('/')[3]!;
    const settled = flow === 'idplus-score' ? 'input' : 'waiting';
    await eventually(
      async () => (await this.t.service.store.getSession(id))?.status === settled,
      `${flow} to settle`,
    );
    // The first browser to open a session's page claims it: the fuzzer's own browser cookie.
    const page = await send(this.origin, { method: 'GET', path, headers: { cookie: this.cookie } });
    return { id, sig, csrf: hiddenValue(page.text, 'csrf') ?? '' };
  }

  /** Replaces pool session `i` when a submit moved it on (its form is then stale). */
  async refreshScreen(i: number): Promise<void> {
    this.screens[i] = await this.newSession('idplus-score');
  }

  resolve(text: string, own: PoolSession, other: PoolSession): string {
    const values: Record<string, string> = {
      KEY: this.t.service.apiKey,
      HOOK: this.t.service.webhookUrl.split('/').pop()!,
      SECRET: this.webhookSecret,
      START_CSRF: this.startCsrf['idplus-score'] ?? '',
      ID: own.id,
      SIG: own.sig,
      CSRF: own.csrf,
      OTHER_ID: other.id,
      OTHER_SIG: other.sig,
      OTHER_CSRF: other.csrf,
      TOKEN: this.waitTokens[0] ?? 'no-token',
      COOKIE: this.cookie,
      OTHER_COOKIE: this.otherCookie,
    };
    return text.replace(
      /(?:\$|%24)(START_CSRF|OTHER_ID|OTHER_SIG|OTHER_CSRF|OTHER_COOKIE|COOKIE|TOKEN|KEY|HOOK|SECRET|ID|SIG|CSRF)/g,
      (_, name: string) => values[name]!,
    );
  }

  /** Resolves placeholders in path, headers and body, and sends the request. */
  async send(
    req: RawRequest,
    own: PoolSession,
    other: PoolSession,
    localAddress?: string,
  ): Promise<{ req: RawRequest; res: RawAnswer }> {
    const r = (s: string) => this.resolve(s, own, other);
    const resolved: RawRequest = {
      method: req.method,
      path: r(req.path),
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, r(v)])),
      body: typeof req.body === 'string' ? r(req.body) : req.body,
    };
    return { req: resolved, res: await send(this.origin, resolved, localAddress) };
  }

  async expectHealthy(): Promise<void> {
    const res = await send(this.origin, { method: 'GET', path: '/healthz', headers: {} });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ status: 'ok' });
  }

  close() {
    return this.t.close();
  }
}
