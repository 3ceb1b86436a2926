import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { readFormOrJson } from '../form-body.js';
import { html, type SafeHtml, sendPage } from '../html.js';
import { SANDBOX_ENVIRONMENTS, type SandboxEnvironment } from '../keys.js';
import type { SandboxState } from '../state.js';
import { patchKnobs } from '../webhooks/knobs.js';
import { ENVIRONMENT_NAMES } from '../webhooks/payload.js';
import { SUBSCRIPTION_TYPES, type WebhookSubscription } from '../webhooks/subscriptions.js';

const envOf = (v: unknown): SandboxEnvironment =>
  (SANDBOX_ENVIRONMENTS as readonly string[]).includes(String(v)) ? (v as SandboxEnvironment) : 'sandbox';
const home = (env: SandboxEnvironment) => `/admin?environment=${env}`;
const see = (reply: FastifyReply, to: string) => reply.code(303).header('location', to).send();

function subscriptionRow(s: WebhookSubscription): SafeHtml {
  const id = encodeURIComponent(s.id);
  return html`<div class="card">
<h3>${s.name}</h3>
<p class="muted">${s.subscriptionType} · <code>${s.url}</code> · secret ${s.secret ? 'set' : 'blank'}</p>
<form method="post" action="/admin/webhooks/${id}/test"><button type="submit">Test</button></form>
<form method="post" action="/admin/webhooks/${id}/knobs">
<label class="inline" for="dup-${id}"><input type="checkbox" id="dup-${id}" name="duplicate" value="true"${s.knobs.duplicate ? html` checked` : ''}> Deliver every event twice</label>
<label class="inline" for="ooo-${id}"><input type="checkbox" id="ooo-${id}" name="outOfOrder" value="true"${s.knobs.outOfOrder ? html` checked` : ''}> Out of order (SESSION_COMPLETE first)</label>
<label for="delay-${id}">Delay before each delivery (ms)</label>
<input type="number" id="delay-${id}" name="delayMs" min="0" value="${s.knobs.delayMs}">
<button type="submit" class="secondary">Save test knobs</button>
</form>
<p><a href="/admin/webhooks/${id}">Delivery log</a></p>
<form method="post" action="/admin/webhooks/${id}/delete"><button type="submit" class="danger">Delete</button></form>
</div>`;
}

function overview(state: SandboxState, env: SandboxEnvironment, error?: string): SafeHtml {
  const subs = state.subscriptions.list(env);
  const keys = state.keys[env];
  return html`<h1>Socure sandbox admin</h1>
<p class="muted">Offline copy of admin.socure.com’s “Setting up Socure”. No sign-in: only this machine (or a client with the admin token) can open it.</p>
<nav>${SANDBOX_ENVIRONMENTS.map((e) => (e === env ? html`<strong>${ENVIRONMENT_NAMES[e]}</strong> ` : html`<a href="${home(e)}">${ENVIRONMENT_NAMES[e]}</a> `))}
<a href="/sandbox/outbox">SMS outbox</a></nav>
${error ? html`<p class="bad" role="alert">${error}</p>` : ''}
<h2>Developer › Webhook (${ENVIRONMENT_NAMES[env]})</h2>
${subs.length === 0 ? html`<p>No webhooks yet.</p>` : subs.map(subscriptionRow)}
<div class="card"><h3>New Webhook</h3>
<form method="post" action="/admin/webhooks">
<input type="hidden" name="environment" value="${env}">
<label for="subscriptionType">Subscription Type</label>
<select id="subscriptionType" name="subscriptionType">${SUBSCRIPTION_TYPES.map((t) => html`<option>${t}</option>`)}</select>
<label for="name">Subscription Channel Name</label>
<input type="text" id="name" name="name" required maxlength="100">
<label for="url">Webhook URL</label>
<input type="url" id="url" name="url" required placeholder="https://example.com/webhooks/socure">
<label for="username">User name (RiskOS only: sends the secret as Basic credentials; blank sends it as Bearer)</label>
<input type="text" id="username" name="username" maxlength="100" autocomplete="off">
<label for="secret">Secret Key (optional; leave blank for none)</label>
<input type="password" id="secret" name="secret" autocomplete="off">
<label for="certificate">Choose certificate (not supported by the sandbox; leave blank)</label>
<input type="file" id="certificate" name="certificate" disabled>
<button type="submit">Create</button>
</form></div>
<h2 id="allowlist">Developers › IPs &amp; Domains</h2>
<div class="card"><table><thead><tr><th>IP / Domain</th><th></th></tr></thead><tbody>
${state.allowlist
  .list()
  .map(
    (e) =>
      html`<tr><td>${e}</td><td><form method="post" action="/admin/allowlist/delete"><input type="hidden" name="entry" value="${e}"><button type="submit" class="secondary">Delete</button></form></td></tr>`,
  )}
</tbody></table>
<form method="post" action="/admin/allowlist">
<input type="hidden" name="environment" value="${env}">
<label for="entry">New Domain (IP/DOMAINS)</label>
<input type="text" id="entry" name="entry" required placeholder="example.com">
<button type="submit">Create</button>
</form></div>
<h2>Developers › ID+ Keys and SDK Key (${ENVIRONMENT_NAMES[env]})</h2>
<div class="card"><p>ID+ Key: <code>${keys.idPlusKey}</code></p><p>SDK Key: <code>${keys.sdkKey}</code></p>
<p>RiskOS API Key (Bearer): <code>${keys.riskOsKey}</code></p>
<p class="muted">Read-only; set with the sandbox’s <code>keys</code> option.</p></div>`;
}

/** The admin pages: plain HTML forms (urlencoded posts, post/redirect/get), no script. */
export const adminPageRoutes: FastifyPluginAsync<{ state: SandboxState }> = async (app, { state }) => {
  const page = (reply: FastifyReply, status: number, env: SandboxEnvironment, error?: string) =>
    sendPage(reply, status, 'Socure sandbox admin', overview(state, env, error));
  const form = (request: import('fastify').FastifyRequest) => {
    const body = readFormOrJson(request);
    return body.ok ? body.value : {};
  };

  app.get<{ Querystring: { environment?: string } }>('/admin', async (request, reply) =>
    page(reply, 200, envOf(request.query.environment)),
  );

  app.post('/admin/webhooks', async (request, reply) => {
    const fields = form(request);
    const env = envOf(fields.environment);
    const created = state.subscriptions.create({ ...fields, certificate: undefined });
    return created.ok ? see(reply, home(env)) : page(reply, 400, env, created.msg);
  });

  app.post<{ Params: { id: string } }>('/admin/webhooks/:id/delete', async (request, reply) => {
    const sub = state.subscriptions.get(request.params.id);
    state.subscriptions.delete(request.params.id);
    state.deliveryLog.forget(request.params.id);
    return see(reply, home(sub?.environment ?? 'sandbox'));
  });

  app.post<{ Params: { id: string } }>('/admin/webhooks/:id/knobs', async (request, reply) => {
    const sub = state.subscriptions.get(request.params.id);
    if (!sub) return see(reply, '/admin');
    const fields = form(request);
    // An unchecked checkbox is not sent at all, so absence means off here.
    const patched = patchKnobs(sub.knobs, {
      duplicate: fields.duplicate ?? 'false',
      outOfOrder: fields.outOfOrder ?? 'false',
      delayMs: fields.delayMs ?? '0',
    });
    if (!patched.ok) return page(reply, 400, sub.environment, patched.msg);
    sub.knobs = patched.knobs;
    return see(reply, home(sub.environment));
  });

  app.post<{ Params: { id: string } }>('/admin/webhooks/:id/test', async (request, reply) => {
    const sub = state.subscriptions.get(request.params.id);
    if (!sub) return see(reply, '/admin');
    const r = await state.delivery.test(sub);
    const verdict = r.ok
      ? html`<p class="ok" role="status">Test succeeded: the receiver answered ${r.statusCode}.</p>`
      : html`<p class="bad" role="alert">Test failed: ${r.statusCode ? `the receiver answered ${r.statusCode}` : r.error}.</p>`;
    return sendPage(
      reply,
      200,
      'Webhook test',
      html`<h1>Webhook test: ${sub.name}</h1><div class="card">${verdict}
<p class="muted">Sent WAITING_FOR_USER_TO_REDIRECT with referenceId <code>${r.referenceId}</code> to <code>${sub.url}</code> in ${r.durationMs} ms.</p>
<p><a class="button secondary" href="${home(sub.environment)}">Back</a></p></div>`,
    );
  });

  app.get<{ Params: { id: string } }>('/admin/webhooks/:id', async (request, reply) => {
    const sub = state.subscriptions.get(request.params.id);
    if (!sub) return see(reply, '/admin');
    const rows = state.deliveryLog
      .list(sub.id)
      .map(
        (d) =>
          html`<tr><td>${d.at}</td><td>${d.eventType}</td><td>${d.attempt}</td><td>${d.status}</td><td>${d.statusCode ?? d.error ?? ''}</td><td><code>${d.deliveryId}</code></td></tr>`,
      );
    return sendPage(
      reply,
      200,
      'Delivery log',
      html`<h1>Delivery log: ${sub.name}</h1><p><a href="${home(sub.environment)}">Back</a></p>
<div class="card"><table><thead><tr><th>When</th><th>Event</th><th>Attempt</th><th>Status</th><th>Answer</th><th>Delivery id</th></tr></thead>
<tbody>${rows}</tbody></table></div>`,
    );
  });

  app.post('/admin/allowlist', async (request, reply) => {
    const fields = form(request);
    const env = envOf(fields.environment);
    try {
      state.allowlist.add(String(fields.entry ?? ''));
    } catch (error) {
      return page(reply, 400, env, `IP/Domain: ${(error as Error).message}`);
    }
    return see(reply, `${home(env)}#allowlist`);
  });

  app.post('/admin/allowlist/delete', async (request, reply) => {
    state.allowlist.delete(String(form(request).entry ?? ''));
    return see(reply, '/admin#allowlist');
  });
};
