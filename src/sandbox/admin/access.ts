import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler } from 'fastify';
import { sendSocureError } from '../errors.js';
import { html, sendPage } from '../html.js';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * True for a loopback peer: 127.0.0.0/8, ::1, and IPv4-mapped 127.x (`::ffff:127.0.0.1`, as a dual-stack
 * socket reports IPv4 peers). Anything that is not an IP address (undefined for a closed socket) is not.
 */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (typeof address !== 'string') return false;
  const family = isIP(address);
  if (family === 0) return false;
  return LOOPBACK.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Checked by `checkOptions`: long enough not to be guessed, one token without spaces. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

export function adminTokenProblem(token: unknown): string | undefined {
  if (token === undefined) return undefined;
  if (typeof token !== 'string' || token.length < MIN_ADMIN_TOKEN_LENGTH)
    return `sandbox: adminToken must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters`;
  if (/\s/.test(token)) return 'sandbox: adminToken must not contain spaces';
  return undefined;
}

const BEARER = /^\s*Bearer\s+(\S+)\s*$/i;
const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** The admin pages (HTML); every other guarded route answers JSON. Decided on the route, not the raw URL. */
const isPageRoute = (url: string) =>
  url === '/sandbox/outbox' || (url.startsWith('/admin') && !url.startsWith('/admin/api/'));

/**
 * `onRequest` hook of the sandbox's admin surface (admin pages and JSON API, test clock, SMS outbox,
 * transaction helpers). Loopback peers always pass. Others pass only with `Authorization: Bearer <adminToken>`
 * when a token is configured (compared in constant time); else 403 with a message saying why and how to allow
 * it. The peer is the socket's address: X-Forwarded-For and the like are never believed.
 */
export function adminAccess(adminToken: string | undefined): onRequestHookHandler {
  const expected = adminToken === undefined ? undefined : digest(adminToken);
  const tokenMatches = (header: unknown): boolean => {
    if (!expected || typeof header !== 'string') return false;
    const m = BEARER.exec(header);
    return m !== null && timingSafeEqual(digest(m[1]!), expected);
  };
  return (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    if (isLoopbackAddress(request.socket.remoteAddress) || tokenMatches(request.headers.authorization)) {
      done();
      return;
    }
    refuse(request, reply, expected !== undefined);
  };
}

function refuse(request: FastifyRequest, reply: FastifyReply, tokenConfigured: boolean): void {
  const port = request.socket.localPort;
  const path = (request.url.split('?')[0] ?? '/').slice(0, 200);
  const local = `http://127.0.0.1:${port}${path}`;
  const how = tokenConfigured
    ? 'send the admin token the sandbox was started with (--admin-token or SANDBOX_ADMIN_TOKEN) as "Authorization: Bearer <token>"; this request had none, or another one'
    : 'start the sandbox with an admin token (socure-connector sandbox --admin-token <token>, or SANDBOX_ADMIN_TOKEN=<token>; for npm start: SANDBOX_ADMIN_TOKEN or --sandbox-admin-token) and send "Authorization: Bearer <token>"';
  const msg =
    'The sandbox admin (admin pages and API, test clock, SMS outbox, transaction helpers) is loopback-only: ' +
    `it answers only clients on this machine (127.0.0.1, ::1), and this request came from ${request.socket.remoteAddress ?? 'an unknown address'}. ` +
    `Open ${local} on the machine running the sandbox, or ${how}. ` +
    'The capture app (/capture/…) and the Socure API (/api/…) stay open to the network.';
  if (!isPageRoute(request.routeOptions.url ?? '')) {
    sendSocureError(reply, 403, msg);
    return;
  }
  sendPage(
    reply,
    403,
    'Sandbox admin: loopback only',
    html`<h1>Sandbox admin: loopback only</h1>
<div class="card">
<p class="bad" role="alert">The sandbox admin is loopback-only: it answers only browsers on the machine running the sandbox (127.0.0.1, ::1). This request came from ${request.socket.remoteAddress ?? 'an unknown address'}.</p>
<p>Open <code>${local}</code> on that machine${tokenConfigured ? html`, or send the admin token the sandbox was started with (<code>--admin-token</code> or <code>SANDBOX_ADMIN_TOKEN</code>) as <code>Authorization: Bearer &lt;token&gt;</code>.` : html`, or start the sandbox with an admin token — <code>socure-connector sandbox --admin-token &lt;token&gt;</code> or <code>SANDBOX_ADMIN_TOKEN=&lt;token&gt;</code> (with <code>npm start</code>: <code>SANDBOX_ADMIN_TOKEN</code> or <code>--sandbox-admin-token</code>) — and send <code>Authorization: Bearer &lt;token&gt;</code>.`}</p>
<p class="muted">The capture app a phone opens stays open to the network.</p>
</div>`,
  );
}
