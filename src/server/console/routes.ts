/**
 * The operator console under /console: login, sessions (search, one session, cancel, reveal, callback retry),
 * the webhook inbox (with replay) and charts. Every answer is no-store; every action is a POST with a CSRF token
 * bound to the login; a client off the loopback interface gets 403 unless CONSOLE_ALLOW_REMOTE.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { encodeSessionCursor } from '../api-schemas.js';
import type { ServerDeps } from '../deps.js';
import { ConsoleAuth } from './auth.js';
import { chartData, chartsPage, REASON_CODE_LIMIT } from './charts.js';
import { inboxPage } from './inbox-page.js';
import { consolePage, html } from './layout.js';
import {
  actionForm,
  chartPeriod,
  endOf,
  inboxSearch,
  problemOf,
  revealForm,
  sessionSearch,
  uuid,
} from './queries.js';
import { replayDelivery } from './replay.js';
import { type SessionView, searchParams, sessionListPage, sessionPage } from './session-pages.js';

const PAGE_SIZE = 50;
const AUDIT_SHOWN = 500;

const requireFrom = createRequire(import.meta.url);
const JS = 'text/javascript; charset=utf-8';
/** The console's files: chart.js as its package ships it (no CDN: the CSP allows our own scripts only). */
const ASSET_FILES: Record<string, { type: string; path: () => string | URL }> = {
  'chart.js': { type: JS, path: () => join(dirname(requireFrom.resolve('chart.js')), 'chart.umd.js') },
  'console-charts.js': { type: JS, path: () => new URL('../assets/console-charts.js', import.meta.url) },
  'console.css': {
    type: 'text/css; charset=utf-8',
    path: () => new URL('../assets/console.css', import.meta.url),
  },
};
const loaded = new Map<string, { type: string; body: string }>();
/** Read on first use: a service whose console nobody opens does not read 200 kB of chart.js at every start. */
function assetOf(name: string): { type: string; body: string } | undefined {
  const file = Object.hasOwn(ASSET_FILES, name) ? ASSET_FILES[name] : undefined;
  if (!file) return undefined;
  let asset = loaded.get(name);
  if (!asset) {
    asset = { type: file.type, body: readFileSync(file.path(), 'utf8') };
    loaded.set(name, asset);
  }
  return asset;
}

/** A GET form's query as strings (to show the form again as typed). */
function formOf(query: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((query ?? {}) as Record<string, unknown>))
    if (typeof v === 'string') out[k] = v;
  return out;
}

export function registerConsole(app: FastifyInstance, deps: ServerDeps): void {
  const now = () => Date.now();
  const auth = new ConsoleAuth({
    operatorKey: deps.operatorApiKey ?? deps.apiKey,
    allowRemote: deps.consoleAllowRemote ?? false,
    signer: deps.signer,
    secureCookies: deps.publicUrl.startsWith('https:'),
    now,
  });
  const { store, engine } = deps;

  const page = (reply: FastifyReply, body: string, status = 200) =>
    reply
      .code(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(body);

  const loginPage = (reply: FastifyReply, problem?: string, status = 200) =>
    page(
      reply,
      consolePage({
        title: 'Log in',
        body: html`${problem ? html`<p class="problem" role="alert">${problem}</p>` : ''}
<form method="post" action="/console/login" class="login">
<input type="hidden" name="csrf" value="${auth.loginCsrf()}">
<label for="key">Operator key</label>
<input id="key" name="key" type="password" autocomplete="current-password" required>
<p class="hint">OPERATOR_API_KEY, or the sessions API key (CONNECTOR_API_KEY) when no operator key is set.</p>
<button type="submit">Log in</button>
</form>`,
      }),
      status,
    );

  // Every /console route: reachable from here? logged in? (the login page and the assets only need the first).
  app.addHook('onRequest', async (req, reply) => {
    if (!/^\/console(?:[/?]|$)/.test(req.url)) return;
    if (!auth.reachable(req))
      return page(
        reply,
        consolePage({
          title: 'Not available',
          body: html`<p>The operator console answers on the loopback interface only (set CONSOLE_ALLOW_REMOTE=true to open it).</p>`,
        }),
        403,
      );
    const path = req.url.split('?')[0]!;
    if (path === '/console/login' || path.startsWith('/console/assets/')) return;
    if (!auth.authorized(req)) {
      if (req.method === 'GET' && !req.headers.authorization) return reply.redirect('/console/login', 303);
      return reply.code(401).header('www-authenticate', 'Bearer').header('cache-control', 'no-store').send({
        error: 'unauthorized',
        message: 'log in at /console/login or send Authorization: Bearer <operator key>',
      });
    }
  });

  /** An action's CSRF token: a refused one answers 403 and nothing happens. */
  const csrfOk = (req: FastifyRequest, reply: FastifyReply, token: unknown) => {
    if (auth.csrfValid(req, token)) return true;
    void page(
      reply,
      consolePage({
        title: 'Expired form',
        body: html`<p>This form has expired or did not come from the console. Go back, reload and try again.</p>`,
      }),
      403,
    );
    return false;
  };

  app.get('/console/assets/:name', (req: FastifyRequest<{ Params: { name: string } }>, reply) => {
    const asset = assetOf(req.params.name);
    if (!asset) return reply.callNotFound();
    return reply
      .header('content-type', asset.type)
      .header('cache-control', 'public, max-age=300')
      .send(asset.body);
  });

  app.get('/console/login', (_req, reply) => loginPage(reply));
  app.post(
    '/console/login',
    { config: { rateLimit: { max: 20, timeWindow: '1 minute' } } },
    async (req, reply) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (!auth.loginCsrfValid(body.csrf)) return loginPage(reply, 'The form expired: try again.', 403);
      if (!auth.keyMatches(body.key)) return loginPage(reply, 'That is not the operator key.', 401);
      await store.appendAudit([{ type: 'console.login', actor: auth.actor, detail: {} }], now());
      auth.logIn(reply);
      return reply.redirect('/console/sessions', 303);
    },
  );
  app.post('/console/logout', (req, reply) => {
    if (!csrfOk(req, reply, (req.body as Record<string, unknown> | undefined)?.csrf)) return reply;
    auth.logOut(reply);
    return reply.redirect('/console/login', 303);
  });
  app.get('/console', (_req, reply) => reply.redirect('/console/sessions', 303));

  // --- sessions ---

  app.get('/console/sessions', async (req, reply) => {
    const form = formOf(req.query);
    const flows = [...engine.flowIds()].sort();
    const parsed = sessionSearch.safeParse(form);
    if (!parsed.success)
      return page(
        reply,
        sessionListPage({
          csrf: auth.csrfFor(req),
          flows,
          form,
          sessions: [],
          problem: problemOf(parsed.error),
        }),
        400,
      );
    const q = parsed.data;
    const rows = await store.listSessions({
      flowId: q.flow,
      status: q.status,
      outcome: q.outcome,
      customerUserId: q.customerUserId,
      createdFrom: q.from?.ms,
      createdBefore: q.to ? endOf(q.to) : undefined,
      after: q.cursor,
      limit: PAGE_SIZE + 1,
    });
    const sessions = rows.slice(0, PAGE_SIZE);
    const last = sessions.at(-1);
    let nextPage: string | undefined;
    if (rows.length > PAGE_SIZE && last) {
      const params = searchParams(form);
      params.set('cursor', encodeSessionCursor(last));
      nextPage = `/console/sessions?${params}`;
    }
    return page(reply, sessionListPage({ csrf: auth.csrfFor(req), flows, form, sessions, nextPage }));
  });

  const sessionView = async (req: FastifyRequest, id: string, extra: Partial<SessionView> = {}) => {
    if (!uuid.safeParse(id).success) return undefined;
    const session = await store.getSession(id);
    if (!session) return undefined;
    const [data, timeline, audit, callbacks] = await Promise.all([
      store.getSessionData(id),
      store.listTimeline(id),
      store.listSessionAudit(id, AUDIT_SHOWN),
      store.listOutbound(id),
    ]);
    return sessionPage({
      csrf: auth.csrfFor(req),
      session,
      input: data?.input ?? {},
      timeline,
      audit,
      callbacks,
      ...extra,
    });
  };

  app.get('/console/sessions/:id', async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const view = await sessionView(req, req.params.id);
    return view ? page(reply, view) : reply.callNotFound();
  });

  // A reveal answers with the page itself (never a URL that would show the value again), and is audited first.
  app.post('/console/sessions/:id/reveal', async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const parsed = revealForm.safeParse(req.body ?? {});
    if (!csrfOk(req, reply, parsed.data?.csrf ?? (req.body as Record<string, unknown> | undefined)?.csrf))
      return reply;
    if (!parsed.success)
      return reply.code(400).send({ error: 'bad_request', message: problemOf(parsed.error) });
    const id = req.params.id;
    if (!uuid.safeParse(id).success || !(await store.getSession(id))) return reply.callNotFound();
    await store.appendAudit(
      [
        {
          type: 'personal_data.revealed',
          actor: auth.actor,
          detail: { sessionId: id, field: parsed.data.field },
        },
      ],
      now(),
    );
    const view = await sessionView(req, id, { revealed: parsed.data.field });
    return view ? page(reply, view) : reply.callNotFound();
  });

  app.post('/console/sessions/:id/cancel', async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const parsed = actionForm.safeParse(req.body ?? {});
    if (!csrfOk(req, reply, parsed.data?.csrf)) return reply;
    if (!uuid.safeParse(req.params.id).success) return reply.callNotFound();
    const result = await engine.cancel(req.params.id, auth.actor);
    if (result.status === 'not_found') return reply.callNotFound();
    const notice = {
      cancelled: 'The session was cancelled.',
      already_ended: 'The session had already ended; nothing changed.',
      busy: 'A step of the session is running (a Socure call in flight); try again in a moment.',
    }[result.status];
    const view = await sessionView(req, req.params.id, { notice });
    return view ? page(reply, view, result.status === 'cancelled' ? 200 : 409) : reply.callNotFound();
  });

  app.post('/console/callbacks/:id/retry', async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!csrfOk(req, reply, body.csrf)) return reply;
    const retriedFor = await store.retryOutbound(req.params.id, now(), {
      type: 'callback.retried',
      actor: auth.actor,
      detail: { callbackId: req.params.id },
    });
    const notice = retriedFor
      ? 'The callback is queued again: it is sent within a second, with a fresh set of attempts.'
      : 'Only a failed callback (with its body still held) can be retried; nothing changed.';
    // The page to show again: the callback's own session (or, when nothing changed, the one the form came from).
    const sessionId = retriedFor ?? (typeof body.session === 'string' ? body.session : '');
    const view = await sessionView(req, sessionId, { notice });
    const status = retriedFor ? 200 : 409;
    return view ? page(reply, view, status) : reply.code(status).send({ retried: Boolean(retriedFor) });
  });

  // --- webhook inbox ---

  const inbox = async (req: FastifyRequest, reply: FastifyReply, notice?: string, status = 200) => {
    const form = formOf(req.query);
    const parsed = inboxSearch.safeParse(form);
    const csrf = auth.csrfFor(req);
    if (!parsed.success)
      return page(reply, inboxPage({ csrf, form, deliveries: [], problem: problemOf(parsed.error) }), 400);
    const q = parsed.data;
    const rows = await store.listDeliveries({
      eventType: q.event,
      state: q.state,
      docvTransactionToken: q.token,
      beforeSeq: q.before,
      limit: PAGE_SIZE + 1,
    });
    const deliveries = rows.slice(0, PAGE_SIZE);
    let nextPage: string | undefined;
    if (rows.length > PAGE_SIZE) {
      const params = new URLSearchParams(Object.entries(form).filter(([k, v]) => k !== 'before' && v));
      params.set('before', String(deliveries.at(-1)!.seq));
      nextPage = `/console/inbox?${params}`;
    }
    return page(reply, inboxPage({ csrf, form, deliveries, nextPage, notice }), status);
  };
  app.get('/console/inbox', (req, reply) => inbox(req, reply));

  app.post('/console/inbox/:id/replay', async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    if (!csrfOk(req, reply, (req.body as Record<string, unknown> | undefined)?.csrf)) return reply;
    const outcome = await replayDelivery(deps, req.params.id, auth.actor);
    if (outcome.status === 'not_found') return reply.callNotFound();
    return inbox(req, reply, outcome.message, outcome.status === 'consumed' ? 200 : 409);
  });

  // --- charts ---

  const hasDocument = (flowId: string) =>
    Object.values(engine.flow(flowId)?.nodes ?? {}).some((node) => node.type === 'wait');
  const statsFor = async (query: unknown) => {
    const parsed = chartPeriod.safeParse(formOf(query));
    const range = parsed.success ? parsed.data : chartPeriod.parse({});
    const data = chartData(range, await store.operatorStats(range, REASON_CODE_LIMIT), hasDocument);
    return { data, problem: parsed.success ? undefined : problemOf(parsed.error) };
  };
  app.get('/console/charts', async (req, reply) => {
    const { data, problem } = await statsFor(req.query);
    const query = new URLSearchParams({ from: data.period.from, to: data.period.to });
    return page(reply, chartsPage(auth.csrfFor(req), data, String(query), problem), problem ? 400 : 200);
  });
  app.get('/console/charts/data', async (req, reply) => {
    const { data, problem } = await statsFor(req.query);
    if (problem) return reply.code(400).send({ error: 'bad_request', message: problem });
    return reply.header('cache-control', 'no-store').send(data);
  });
}
