import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FlowNode } from '../../flows/definition.js';
import { formText } from '../../flows/form.js';
import { resolveString, type Scope } from '../../flows/references.js';
import type { StepError } from '../../flows/step-errors.js';
import type { SessionRow } from '../../store/types.js';
import { browserOf, existingBrowserOf } from '../browser.js';
import { type ServerDeps, sessionPath } from '../deps.js';
import {
  renderEnd,
  renderError,
  renderIndex,
  renderScreen,
  renderWait,
  renderWorking,
  type SessionLinks,
} from '../pages/render.js';
import { pageOf } from '../pages/visible-page.js';
import { registerSessionEvents } from './session-events.js';

const ASSETS: Record<string, { type: string; body: string }> = Object.fromEntries(
  [
    ['style.css', 'text/css; charset=utf-8'],
    ['wait.js', 'text/javascript; charset=utf-8'],
  ].map(([name, type]) => [
    name,
    { type: type!, body: readFileSync(new URL(`../assets/${name}`, import.meta.url), 'utf8') },
  ]),
);

type SessionParams = { id: string; sig: string };
const text = (v: unknown) => (v === undefined || v === null ? undefined : String(v));

/** The hosted pages a person sees: flow index, screens, waiting pages (SSE + polling), results. */
export function registerPages(app: FastifyInstance, deps: ServerDeps): void {
  const { engine, store, signer } = deps;
  // Form tokens are per browser and expire: a cross-site page cannot submit them (it has neither the token
  // nor, SameSite=Lax, the browser cookie on a POST), and an old page's form stops working.
  const secure = () => deps.publicUrl.startsWith('https:');
  const startCsrf = (flowId: string, browser: string) =>
    signer.csrfToken(`start:${flowId}:${browser}`, Date.now());
  const links = (id: string, browser: string): SessionLinks => ({
    page: sessionPath(deps, id),
    csrf: signer.csrfToken(`session:${id}:${browser}`, Date.now()),
  });
  const html = (reply: FastifyReply, body: string, status = 200) =>
    reply
      .code(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(body);
  const notFound = (reply: FastifyReply) =>
    html(
      reply,
      renderError('Link not valid', 'This verification link is not valid or has expired.', '/'),
      404,
    );

  const openedElsewhere = (reply: FastifyReply) =>
    html(
      reply,
      renderError(
        'Continue on your first device',
        'This verification is already open in another browser or device. Please continue it there, or start a new one.',
        '/',
      ),
      403,
    );

  /**
   * Loads a session whose URL signature checks out, for the browser that claimed it: the first browser to open
   * a session's page keeps it, so a forwarded or leaked link never shows the session (or what was typed).
   */
  async function load(req: FastifyRequest<{ Params: SessionParams }>, reply: FastifyReply) {
    const { id, sig } = req.params;
    if (!signer.verifySession(id, sig)) return 'missing';
    const session = await store.getSession(id);
    if (!session) return 'missing';
    const browser = browserOf(req, reply, secure());
    if (!(await store.claimSession(id, browser))) return 'elsewhere';
    const data = await store.getSessionData(id);
    return data
      ? { session, data, browser, scope: engine.scope(session, data), node: engine.node(session) }
      : 'missing';
  }

  app.get('/assets/:name', (req: FastifyRequest<{ Params: { name: string } }>, reply) => {
    const asset = ASSETS[req.params.name];
    if (!asset) return reply.callNotFound(); // the HTML "Page not found", like any other unknown address
    return reply
      .header('content-type', asset.type)
      .header('cache-control', 'public, max-age=300')
      .send(asset.body);
  });

  // A flow that is not public (PUBLIC_FLOWS) is answered like one that does not exist: no hint that it does.
  const isPublic = (id: string) => engine.flow(id) !== undefined && (deps.isPublicFlow?.(id) ?? true);
  const noSuchFlow = (reply: FastifyReply) =>
    html(reply, renderError('Unknown flow', 'There is no such flow.', '/'), 404);
  const describeFlow = (id: string, browser: string) => {
    const f = engine.flow(id)!;
    return { id: f.id, title: f.title, description: f.description, csrf: startCsrf(f.id, browser) };
  };
  app.get('/', (req, reply) => {
    const browser = browserOf(req, reply, secure());
    const ids = [...engine.flowIds()].filter(isPublic);
    return html(reply, renderIndex(ids.map((id) => describeFlow(id, browser))));
  });
  app.get('/flows/:flowId', (req: FastifyRequest<{ Params: { flowId: string } }>, reply) => {
    if (!isPublic(req.params.flowId)) return noSuchFlow(reply);
    return html(reply, renderIndex([describeFlow(req.params.flowId, browserOf(req, reply, secure()))]));
  });

  app.post(
    '/flows/:flowId/start',
    { config: { rateLimit: { max: 30, timeWindow: '1 minute' } } },
    async (req: FastifyRequest<{ Params: { flowId: string }; Body: Record<string, unknown> }>, reply) => {
      const { flowId } = req.params;
      if (!isPublic(flowId)) return noSuchFlow(reply);
      const browser = existingBrowserOf(req);
      if (!browser || !signer.verifyCsrf(`start:${flowId}:${browser}`, req.body?.csrf, Date.now())) {
        return html(
          reply,
          renderError('Please try again', 'This form expired. Start again from the list of flows.', '/'),
          403,
        );
      }
      const session = await engine.start({
        flowId,
        customerUserId: `demo-${Math.random().toString(36).slice(2, 10)}`,
        actor: 'public-page',
      });
      await store.claimSession(session.id, browser);
      return reply.redirect(sessionPath(deps, session.id), 303);
    },
  );

  app.get('/s/:id/:sig', async (req: FastifyRequest<{ Params: SessionParams }>, reply) => {
    const loaded = await load(req, reply);
    if (loaded === 'missing') return notFound(reply);
    if (loaded === 'elsewhere') return openedElsewhere(reply);
    return html(reply, renderSession(loaded.session, loaded.node, loaded.scope, {}, loaded.browser));
  });

  function renderSession(
    session: SessionRow,
    node: FlowNode,
    scope: Scope,
    errors: Record<string, string>,
    browser: string,
    submitted?: Record<string, unknown>,
  ) {
    const l = links(session.id, browser);
    const r = (v: string | undefined) => text(v === undefined ? undefined : resolveString(v, scope));
    if (session.status === 'completed' && node.type === 'end') {
      // Scores and reason codes tell a fraudster which detail gave them away: shown on the embedded sandbox's
      // demo, or when the flow asks for them.
      const show = engine.flow(session.flowId)?.showScoreDetails ?? deps.embeddedSandbox === true;
      const details = show && node.scoreDetails ? resolveString(node.scoreDetails, scope) : undefined;
      return renderEnd(
        node.outcome,
        {
          title: r(node.title) ?? '',
          message: r(node.message),
          continueLabel: r(node.continueLabel),
          retryLabel: r(node.retryLabel),
        },
        details,
        session,
        isPublic(session.flowId) ? startCsrf(session.flowId, browser) : undefined,
      );
    }
    if (session.status === 'completed') {
      // Ended outside an end node: its time to live passed, or a step failed with no error branch.
      const expired = session.outcome === 'expired';
      const page = expired
        ? { title: 'This verification expired', message: 'It was not finished in time. Please start again.' }
        : {
            title: 'Something went wrong',
            message: 'We could not complete the verification. Please try again.',
          };
      return renderEnd(
        session.outcome ?? 'failed',
        page,
        undefined,
        session,
        isPublic(session.flowId) ? startCsrf(session.flowId, browser) : undefined,
      );
    }
    if (session.status === 'input' && node.type === 'screen') {
      const own = (scope[session.nodeId] ?? {}) as Record<string, unknown>;
      const defaults = engine.formDefaults(node, scope);
      const values: Record<string, unknown> = {};
      for (const f of node.fields)
        values[f.name] = submitted?.[f.name] ?? own[f.name] ?? defaults.values[f.name];
      // The demo's text ("pre-filled with Socure's stock persona…") only while the form holds demo values.
      const page = defaults.usedDemo && node.demoMessage ? { ...node, message: node.demoMessage } : node;
      // A step that failed and came back here: a field Socure refused is marked beside it; anything else is a
      // plain sentence with the support reference (the technical cause is in the log and the timeline).
      const failed = node.errorFrom
        ? (scope[node.errorFrom] as { error?: StepError } | undefined)?.error
        : undefined;
      const refused = failed?.field ? node.fields.find((f) => f.name === failed.field) : undefined;
      const shown = { ...errors };
      if (refused && failed?.reason && !shown[refused.name])
        shown[refused.name] = `${refused.label}: ${failed.reason}`;
      const banner =
        Object.keys(shown).length > 0
          ? 'Please correct the fields marked below.'
          : failed && `${failed.message} Support reference: ${session.id}`;
      return renderScreen(page, session.nodeId, l, values, shown, banner);
    }
    if (session.status === 'waiting' && node.type === 'wait') {
      return renderWait(
        {
          title: r(node.title) ?? '',
          message: r(node.message),
          qrCode: r(node.qrCode),
          link: r(node.link),
          linkLabel: r(node.linkLabel),
          statusText: r(node.statusText),
        },
        session,
        l,
        pageOf(session, node),
      );
    }
    return renderWorking(session, l);
  }

  app.post(
    '/s/:id/:sig/submit',
    async (req: FastifyRequest<{ Params: SessionParams; Body: Record<string, unknown> }>, reply) => {
      const loaded = await load(req, reply);
      if (loaded === 'missing') return notFound(reply);
      if (loaded === 'elsewhere') return openedElsewhere(reply);
      const body = req.body ?? {};
      if (!signer.verifyCsrf(`session:${loaded.session.id}:${loaded.browser}`, body.csrf, Date.now())) {
        return html(
          reply,
          renderError(
            'Please try again',
            'This form expired. Reload the page and submit it again.',
            sessionPath(deps, loaded.session.id),
          ),
          403,
        );
      }
      // Forms carry text only: a JSON body's object or nested arrays is refused, never String()-ed.
      const node = formText(body.node);
      if (node === undefined) {
        const again = 'This form was not sent as text. Reload the page and submit it again.';
        return html(reply, renderError('Please try again', again, sessionPath(deps, loaded.session.id)), 400);
      }
      const outcome = await engine.submit(loaded.session.id, node, body);
      if ('errors' in outcome) {
        return html(
          reply,
          renderSession(loaded.session, loaded.node, loaded.scope, outcome.errors, loaded.browser, body),
          422,
        );
      }
      return reply.redirect(sessionPath(deps, loaded.session.id), 303);
    },
  );

  registerSessionEvents(app, deps);
}
