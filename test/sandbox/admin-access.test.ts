/**
 * The sandbox admin (pages, JSON API, clock, SMS outbox, transaction helpers) answers loopback clients only,
 * unless an admin token is configured and presented as `Authorization: Bearer <token>`. The capture app and
 * Socure's own API stay public. Remote requests are real: the sandbox binds 0.0.0.0 and the test connects to
 * this machine's non-loopback IPv4 address, so the server sees a non-loopback peer address.
 */
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxCommand, sandboxOptionsFrom } from '../../src/cli/commands/sandbox.js';
import { createSandbox, type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import { resolveServiceSettings } from '../../src/server/config.js';
import { startTestService, type TestService } from '../server/helpers.js';
import { http, postJson } from './docv-support.js';
import { CLEAN_PERSON } from './helpers.js';

/** The first non-internal IPv4 address of this machine, if it has one. */
function lanIPv4(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (a.family === 'IPv4' && !a.internal && !a.address.startsWith('127.')) return a.address;
    }
  }
  return undefined;
}

const LAN = lanIPv4();
const NO_LAN_REASON =
  'SKIPPED: this machine has no non-loopback IPv4 address in os.networkInterfaces(), so no test request can ' +
  'reach the sandbox from a non-loopback address';
const TOKEN = 'sandbox-admin-token-for-tests-0123456789';

const portOf = (sandbox: RunningSandbox) => new URL(sandbox.url).port;
/** The sandbox as a phone on the network reaches it. */
const lan = (sandbox: RunningSandbox) => `http://${LAN}:${portOf(sandbox)}`;
const local = (sandbox: RunningSandbox) => `http://127.0.0.1:${portOf(sandbox)}`;

/**
 * Routes a client on the network may use; everything else must answer 403 to it. The stand-in Web SDK and device
 * collector (/websdk/, /device/) are loaded by people's browsers, like the capture app.
 */
const isPublicRoute = (url: string) =>
  url.startsWith('/capture/') ||
  url.startsWith('/api/') ||
  url.startsWith('/websdk/') ||
  url.startsWith('/device/') ||
  url === '/sandbox/assets/style.css';
const PAGE_ROUTES = (url: string) =>
  url === '/sandbox/outbox' || (url.startsWith('/admin') && !url.startsWith('/admin/api/'));

function expectLoopbackOnlyJson(res: { status: number; headers: Record<string, unknown>; json: unknown }) {
  expect(res.status).toBe(403);
  expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
  const body = res.json as { status: string; msg: string };
  expect(body.status).toBe('Error');
  expect(body.msg).toMatch(/loopback/i);
  expect(body.msg).toContain('SANDBOX_ADMIN_TOKEN');
  expect(body.msg).toContain('--admin-token');
  expect(body.msg).toContain('Authorization: Bearer');
}

function expectLoopbackOnlyPage(res: { status: number; headers: Record<string, unknown>; text: string }) {
  expect(res.status).toBe(403);
  expect(String(res.headers['content-type'])).toMatch(/^text\/html/);
  expect(res.text).toMatch(/loopback/i);
  expect(res.text).toContain('SANDBOX_ADMIN_TOKEN');
  expect(res.text).toContain('--admin-token');
}

describe.skipIf(!LAN)(
  LAN ? `sandbox admin from a non-loopback address (${LAN}, real sockets)` : NO_LAN_REASON,
  () => {
    describe('without an admin token', () => {
      let sandbox: RunningSandbox;
      beforeAll(async () => {
        sandbox = await startSandbox({
          port: 0,
          host: '0.0.0.0',
          webhooks: [
            { url: 'http://127.0.0.1:9/webhooks/socure/secret-path', secret: 'whsec-x', name: 'svc' },
          ],
        });
      });
      afterAll(() => sandbox.close());

      it('refuses the admin JSON API with 403 and says it is loopback-only and how to allow it', async () => {
        const res = await http(`${lan(sandbox)}/admin/api/subscriptions`);
        expectLoopbackOnlyJson(res);
        // the subscription URL (the connector's secret webhook path) is not in the answer
        expect(res.text).not.toContain('secret-path');
        expectLoopbackOnlyJson(await http(`${lan(sandbox)}/admin/api/keys`));
        expectLoopbackOnlyJson(
          await postJson(`${lan(sandbox)}/admin/api/subscriptions`, {
            name: 'attacker',
            url: 'http://attacker.example/hook',
          }),
        );
      });

      it('refuses the admin pages with a 403 HTML page', async () => {
        expectLoopbackOnlyPage(await http(`${lan(sandbox)}/admin`));
        expectLoopbackOnlyPage(await http(`${lan(sandbox)}/sandbox/outbox`));
      });

      it('refuses clock control, the SMS outbox JSON and the transaction helpers', async () => {
        expectLoopbackOnlyJson(await postJson(`${lan(sandbox)}/sandbox/clock/advance`, { ms: 1000 }));
        expectLoopbackOnlyJson(await http(`${lan(sandbox)}/sandbox/clock`));
        expectLoopbackOnlyJson(await http(`${lan(sandbox)}/sandbox/sms`));
        expectLoopbackOnlyJson(
          await postJson(`${lan(sandbox)}/sandbox/transactions/whatever/trigger`, {
            scenario: 'complete-accept',
          }),
        );
        // nothing moved: the clock is where it was
        const clock = await http(`${local(sandbox)}/sandbox/clock`);
        expect(clock.status).toBe(200);
        expect(clock.json.offsetMs).toBe(0);
      });

      it('a spoofed X-Forwarded-For: 127.0.0.1 does not make a remote client local', async () => {
        expectLoopbackOnlyJson(
          await http(`${lan(sandbox)}/admin/api/keys`, {
            headers: { 'x-forwarded-for': '127.0.0.1', 'x-real-ip': '127.0.0.1' },
          }),
        );
      });

      it('a Bearer token is refused when none is configured', async () => {
        expectLoopbackOnlyJson(
          await http(`${lan(sandbox)}/admin/api/keys`, { headers: { authorization: `Bearer ${TOKEN}` } }),
        );
      });

      it('still answers loopback clients (127.0.0.1)', async () => {
        const keys = await http(`${local(sandbox)}/admin/api/keys`);
        expect(keys.status).toBe(200);
        expect(keys.json.keys.sandbox.idPlusKey).toBe(sandbox.keys.sandbox.idPlusKey);
        const page = await http(`${local(sandbox)}/admin`);
        expect(page.status).toBe(200);
        expect(page.text).toContain('Socure sandbox admin');
      });

      it('keeps the capture app and Socure’s API public (the API still needs its key)', async () => {
        const key = { authorization: `SocureApiKey ${sandbox.keys.sandbox.idPlusKey}` };
        const created = await postJson(
          `${lan(sandbox)}/api/5.0/documents/request`,
          { config: { documentType: 'license' }, customerUserId: 'phone-1' },
          key,
        );
        expect(created.status, created.text).toBe(200);
        const token: string = created.json.data.docvTransactionToken;
        const capture = await http(`${lan(sandbox)}/capture/${encodeURIComponent(token)}`);
        expect(capture.status).toBe(200);
        expect(capture.text).toContain('<form');
        const consent = await http(`${lan(sandbox)}/capture/${encodeURIComponent(token)}/consent`, {
          body: 'consent=accept',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        expect(consent.status).toBe(303);
        expect((await http(`${lan(sandbox)}/sandbox/assets/style.css`)).status).toBe(200);
        const score = await postJson(
          `${lan(sandbox)}/api/3.0/EmailAuthScore`,
          { modules: ['kyc'], ...CLEAN_PERSON },
          key,
        );
        expect(score.status, score.text).toBe(200);
        const noKey = await postJson(`${lan(sandbox)}/api/3.0/EmailAuthScore`, { modules: ['kyc'] });
        expect(noKey.status).toBe(401);
      });
    });

    it('on a dual-stack socket (host ::) IPv4 peers show as ::ffff:a.b.c.d: only ::ffff:127.x and ::1 pass', async (ctx) => {
      let sandbox: RunningSandbox;
      try {
        sandbox = await startSandbox({ port: 0, host: '::' });
      } catch (err) {
        ctx.skip(`this machine cannot bind :: (${(err as Error).message})`);
        return;
      }
      try {
        const port = portOf(sandbox);
        expectLoopbackOnlyJson(await http(`http://${LAN}:${port}/admin/api/keys`));
        expect((await http(`http://127.0.0.1:${port}/admin/api/keys`)).status).toBe(200);
        expect((await http(`http://[::1]:${port}/admin/api/keys`)).status).toBe(200);
        const lanV6 = Object.values(networkInterfaces())
          .flat()
          .find((a) => a && a.family === 'IPv6' && !a.internal && !a.address.startsWith('fe80'));
        if (lanV6) expectLoopbackOnlyJson(await http(`http://[${lanV6.address}]:${port}/admin/api/keys`));
      } finally {
        await sandbox.close();
      }
    });

    it('every route outside the capture app, the API and the stylesheet answers 403 to a remote client', async () => {
      const { app } = createSandbox({});
      const routes: Array<{ method: string; url: string }> = [];
      app.addHook('onRoute', (route) => {
        for (const method of [route.method].flat()) routes.push({ method, url: route.url ?? route.path });
      });
      await app.listen({ port: 0, host: '0.0.0.0' });
      try {
        const port = (app.server.address() as AddressInfo).port;
        const guarded = routes.filter((r) => !isPublicRoute(r.url) && r.method !== 'HEAD');
        // the enumeration found the admin surface (a hook registered too late would see nothing)
        expect(guarded.map((r) => `${r.method} ${r.url}`)).toEqual(
          expect.arrayContaining([
            'GET /admin',
            'POST /admin/webhooks',
            'GET /admin/api/keys',
            'DELETE /admin/api/allowlist/:entry',
            'POST /sandbox/clock/advance',
            'GET /sandbox/sms',
            'GET /sandbox/outbox',
            'GET /sandbox/transactions/:token',
            'POST /sandbox/transactions/:token/knobs',
          ]),
        );
        for (const route of guarded) {
          const path = route.url.replace(/:\w+/g, 'x');
          const res = await http(`http://${LAN}:${port}${path}`, {
            method: route.method,
            ...(route.method === 'POST'
              ? { body: '{}', headers: { 'content-type': 'application/json' } }
              : {}),
          });
          if (PAGE_ROUTES(route.url)) expectLoopbackOnlyPage(res);
          else expectLoopbackOnlyJson(res);
        }
      } finally {
        await app.close();
      }
    });

    describe('with an admin token', () => {
      let sandbox: RunningSandbox;
      beforeAll(async () => {
        sandbox = await startSandbox({ port: 0, host: '0.0.0.0', adminToken: TOKEN });
      });
      afterAll(() => sandbox.close());

      it('lets a remote client with Authorization: Bearer <token> in', async () => {
        const bearer = { authorization: `Bearer ${TOKEN}` };
        const keys = await http(`${lan(sandbox)}/admin/api/keys`, { headers: bearer });
        expect(keys.status).toBe(200);
        expect(keys.json.keys.sandbox.idPlusKey).toBe(sandbox.keys.sandbox.idPlusKey);
        const page = await http(`${lan(sandbox)}/admin`, { headers: bearer });
        expect(page.status).toBe(200);
        expect(page.text).toContain('Socure sandbox admin');
        const advanced = await postJson(`${lan(sandbox)}/sandbox/clock/advance`, { ms: 60_000 }, bearer);
        expect(advanced.status).toBe(200);
        expect(advanced.json.offsetMs).toBe(60_000);
      });

      it('refuses a remote client with no token, a wrong token or another scheme', async () => {
        expectLoopbackOnlyJson(await http(`${lan(sandbox)}/admin/api/keys`));
        expectLoopbackOnlyJson(
          await http(`${lan(sandbox)}/admin/api/keys`, { headers: { authorization: `Bearer ${TOKEN}x` } }),
        );
        expectLoopbackOnlyJson(
          await http(`${lan(sandbox)}/admin/api/keys`, {
            headers: { authorization: `Bearer ${TOKEN.slice(1)}` },
          }),
        );
        expectLoopbackOnlyJson(
          await http(`${lan(sandbox)}/admin/api/keys`, { headers: { authorization: TOKEN } }),
        );
        expectLoopbackOnlyJson(
          await http(`${lan(sandbox)}/admin/api/keys`, {
            headers: { authorization: `SocureApiKey ${sandbox.keys.sandbox.idPlusKey}` },
          }),
        );
        expectLoopbackOnlyPage(
          await http(`${lan(sandbox)}/admin`, {
            headers: { authorization: 'Bearer wrong-token-wrong-token' },
          }),
        );
      });

      it('loopback clients need no token', async () => {
        expect((await http(`${local(sandbox)}/admin/api/keys`)).status).toBe(200);
      });
    });

    describe('the service’s embedded sandbox with HOST=0.0.0.0 (the phone recipe)', () => {
      let t: TestService;
      afterAll(() => t?.close());

      it('hides the connector’s webhook subscription (its secret path) from the network', async () => {
        t = await startTestService({ host: '0.0.0.0' });
        const sandbox = t.service.sandbox!;
        const webhookPath = new URL(t.service.webhookUrl).pathname;
        const remote = await http(`${lan(sandbox)}/admin/api/subscriptions`);
        expectLoopbackOnlyJson(remote);
        expect(remote.text).not.toContain(webhookPath);
        const fromHere = await http(`${local(sandbox)}/admin/api/subscriptions`);
        expect(fromHere.status).toBe(200);
        expect(fromHere.text).toContain(webhookPath);
      });
    });

    describe('the service’s embedded sandbox with SANDBOX_ADMIN_TOKEN', () => {
      let t: TestService;
      afterAll(() => t?.close());

      it('lets a remote client with the token in', async () => {
        const { sandboxAdminToken } = resolveServiceSettings({ SANDBOX_ADMIN_TOKEN: TOKEN }, {}) as {
          sandboxAdminToken?: string;
        };
        expect(sandboxAdminToken).toBe(TOKEN);
        t = await startTestService({ host: '0.0.0.0', sandboxAdminToken } as never);
        const sandbox = t.service.sandbox!;
        expectLoopbackOnlyJson(await http(`${lan(sandbox)}/admin/api/keys`));
        const res = await http(`${lan(sandbox)}/admin/api/keys`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        expect(res.status).toBe(200);
      });
    });
  },
);

describe('sandbox --admin-token / SANDBOX_ADMIN_TOKEN', () => {
  it('the CLI flag becomes the adminToken option', () => {
    const options = sandboxOptionsFrom({
      port: '0',
      host: '0.0.0.0',
      key: [],
      quiet: true,
      adminToken: TOKEN,
    } as never);
    expect((options as { adminToken?: string }).adminToken).toBe(TOKEN);
  });

  it('the environment variable sets it too, and a flag wins', () => {
    const parsed = (argv: string[], env: Record<string, string>) => {
      const saved = process.env.SANDBOX_ADMIN_TOKEN;
      if (env.SANDBOX_ADMIN_TOKEN === undefined) delete process.env.SANDBOX_ADMIN_TOKEN;
      else process.env.SANDBOX_ADMIN_TOKEN = env.SANDBOX_ADMIN_TOKEN;
      try {
        const cmd = sandboxCommand().action(() => undefined);
        cmd.parse(argv, { from: 'user' });
        return cmd.opts().adminToken as string | undefined;
      } finally {
        if (saved === undefined) delete process.env.SANDBOX_ADMIN_TOKEN;
        else process.env.SANDBOX_ADMIN_TOKEN = saved;
      }
    };
    expect(parsed([], { SANDBOX_ADMIN_TOKEN: TOKEN })).toBe(TOKEN);
    expect(parsed(['--admin-token', `${TOKEN}-flag`], { SANDBOX_ADMIN_TOKEN: TOKEN })).toBe(`${TOKEN}-flag`);
    expect(parsed([], {})).toBeUndefined();
  });

  it('refuses a short or blank token at start, naming the option', async () => {
    await expect(startSandbox({ port: 0, adminToken: 'short' } as never)).rejects.toThrow(
      /adminToken must be at least 16 characters/,
    );
    await expect(
      startSandbox({ port: 0, adminToken: 'has spaces in the admin token' } as never),
    ).rejects.toThrow(/adminToken/);
  });
});
