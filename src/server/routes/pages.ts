import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FlowNode, LocalizedText } from '../../flows/definition.js';
import { type FieldError, formText } from '../../flows/form.js';
import { localize, localizeScreen } from '../../flows/localized.js';
import { resolveString, type Scope } from '../../flows/references.js';
import type { StepError } from '../../flows/step-errors.js';
import type { SessionRow } from '../../store/types.js';
import { browserOf, existingBrowserOf } from '../browser.js';
import { type ServerDeps, sessionPath } from '../deps.js';
import { browserCookiePolicy, isRefusedFrame, noticeOrigins, REFUSED_FRAME_PAGE } from '../embedding.js';
import type { MessageKey } from '../i18n/en.js';
import { negotiateLanguage } from '../i18n/languages.js';
import { cancelledPage, showsCancelledPage } from '../pages/cancelled-page.js';
import { renderDeviceCollector } from '../pages/device-session.js';
import { renderDocvSdk } from '../pages/docv-sdk.js';
import { type PageContext, pageContextOf } from '../pages/page-context.js';
import {
  fieldErrorText,
  renderEnd,
  renderError,
  renderIndex,
  renderScreen,
  renderWait,
  renderWorking,
  type SessionLinks,
} from '../pages/render.js';
import { renderSmsControls, type SmsNotice, smsNoticeOf } from '../pages/sms-controls.js';
import { stepFailureNotice } from '../pages/step-failure.js';
import { pageOf } from '../pages/visible-page.js';
import { registerEmbedScript } from './embed-script.js';
import { registerSessionEvents } from './session-events.js';
import { registerSmsResend } from './sms-resend.js';

const ASSETS: Record<string, { type: string; body: string }> = Object.fromEntries(
  [
    ['style.css', 'text/css; charset=utf-8'],
    ['wait.js', 'text/javascript; charset=utf-8'],
    ['notify-parent.js', 'text/javascript; charset=utf-8'],
    ['docv-sdk.js', 'text/javascript; charset=utf-8'],
    ['device-session.js', 'text/javascript; charset=utf-8'],
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
  // (With FRAME_ANCESTORS naming another site the cookie is SameSite=None: the form tokens still guard the POSTs.)
  const cookie = () => browserCookiePolicy(deps.publicUrl, deps.csp?.frameAncestors);
  // The apps that may frame or open the pages, told by the end page that the session ended (FRAME_ANCESTORS).
  const embedOrigins = () => noticeOrigins(deps.publicUrl, deps.csp?.frameAncestors);
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
  /** The page's language and brand: the session's language, else the browser's. */
  const contextOf = (req: FastifyRequest, session?: Pick<SessionRow, 'language'>) =>
    pageContextOf(deps.brand, req.headers['accept-language'], session?.language);
  /** An error page: `error.<title>.title` and `error.<message>.message` from the catalogue. */
  const errorPage = (
    req: FastifyRequest,
    reply: FastifyReply,
    status: number,
    title: string,
    message = title,
    retry = '/',
  ) => {
    const context = contextOf(req);
    const { t } = context;
    const body = renderError(
      context,
      t(`error.${title}.title` as MessageKey),
      t(`error.${message}.message` as MessageKey),
      retry,
    );
    return html(reply, body, status);
  };
  const notFound = (req: FastifyRequest, reply: FastifyReply) => errorPage(req, reply, 404, 'linkInvalid');
  const openedElsewhere = (req: FastifyRequest, reply: FastifyReply) =>
    errorPage(req, reply, 403, 'elsewhere');

  /**
   * Loads a session whose URL signature checks out, for the browser that claimed it: the first browser to open
   * a session's page keeps it, so a forwarded or leaked link never shows the session (or what was typed).
   */
  async function load(req: FastifyRequest<{ Params: SessionParams }>, reply: FastifyReply) {
    const { id, sig } = req.params;
    if (!signer.verifySession(id, sig)) return 'missing';
    const session = await store.getSession(id);
    if (!session) return 'missing';
    const browser = browserOf(req, reply, cookie());
    // The first browser gives the session its language when the app did not (DocV's capture app uses it).
    const language = session.language ? undefined : negotiateLanguage(req.headers['accept-language']);
    if (!(await store.claimSession(id, browser, language))) return 'elsewhere';
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
  const noSuchFlow = (req: FastifyRequest, reply: FastifyReply) => errorPage(req, reply, 404, 'unknownFlow');
  const describeFlow = (id: string, browser: string, language: string) => {
    const f = engine.flow(id)!;
    return {
      id: f.id,
      title: localize(f.title, language),
      description: localize(f.description, language),
      csrf: startCsrf(f.id, browser),
    };
  };
  app.get('/', (req, reply) => {
    const browser = browserOf(req, reply, cookie());
    const ctx = contextOf(req);
    const ids = [...engine.flowIds()].filter(isPublic);
    return html(
      reply,
      renderIndex(
        ctx,
        ids.map((id) => describeFlow(id, browser, ctx.language)),
      ),
    );
  });
  app.get('/flows/:flowId', (req: FastifyRequest<{ Params: { flowId: string } }>, reply) => {
    if (!isPublic(req.params.flowId)) return noSuchFlow(req, reply);
    const ctx = contextOf(req);
    const flow = describeFlow(req.params.flowId, browserOf(req, reply, cookie()), ctx.language);
    return html(reply, renderIndex(ctx, [flow]));
  });

  app.post(
    '/flows/:flowId/start',
    { config: { rateLimit: { max: 30, timeWindow: '1 minute' } } },
    async (req: FastifyRequest<{ Params: { flowId: string }; Body: Record<string, unknown> }>, reply) => {
      const { flowId } = req.params;
      if (!isPublic(flowId)) return noSuchFlow(req, reply);
      const browser = existingBrowserOf(req);
      if (!browser || !signer.verifyCsrf(`start:${flowId}:${browser}`, req.body?.csrf, Date.now())) {
        return errorPage(req, reply, 403, 'formExpired', 'startExpired');
      }
      const session = await engine.start({
        flowId,
        customerUserId: `demo-${Math.random().toString(36).slice(2, 10)}`,
        // The person starting it is here: their browser's language, before the first step creates DocV.
        language: negotiateLanguage(req.headers['accept-language']) ?? null,
        actor: 'public-page',
      });
      await store.claimSession(session.id, browser);
      return reply.redirect(sessionPath(deps, session.id), 303);
    },
  );

  app.get('/s/:id/:sig', async (req: FastifyRequest<{ Params: SessionParams }>, reply) => {
    // A frame the browser will refuse to show (no FRAME_ANCESTORS) must not claim the session.
    if (isRefusedFrame(req.headers['sec-fetch-dest'], deps.csp?.frameAncestors))
      return html(reply, REFUSED_FRAME_PAGE, 403);
    const loaded = await load(req, reply);
    if (loaded === 'missing') return notFound(req, reply);
    if (loaded === 'elsewhere') return openedElsewhere(req, reply);
    const ctx = contextOf(req, loaded.session);
    const sms = smsNoticeOf((req.query as { sms?: unknown } | undefined)?.sms);
    return html(
      reply,
      renderSession(ctx, loaded.session, loaded.node, loaded.scope, {}, loaded.browser, undefined, sms),
    );
  });

  function renderSession(
    ctx: PageContext,
    session: SessionRow,
    node: FlowNode,
    scope: Scope,
    errors: Record<string, FieldError>,
    browser: string,
    submitted?: Record<string, unknown>,
    /** The resend controls' notice (`?sms=`), see sms-controls.ts. */
    sms?: SmsNotice,
  ) {
    const { t, language } = ctx;
    const l = links(session.id, browser);
    const r = (v: LocalizedText | undefined) => {
      const local = localize(v, language);
      return text(local === undefined ? undefined : resolveString(local, scope));
    };
    if (showsCancelledPage(session, node))
      return renderEnd(ctx, 'cancelled', cancelledPage(t), undefined, session, undefined, embedOrigins());
    if (session.status === 'completed' && node.type === 'end') {
      // Scores and reason codes tell a fraudster which detail gave them away: shown on the embedded sandbox's
      // demo, or when the flow asks for them.
      const show = engine.flow(session.flowId)?.showScoreDetails ?? deps.embeddedSandbox === true;
      const details = show && node.scoreDetails ? resolveString(node.scoreDetails, scope) : undefined;
      return renderEnd(
        ctx,
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
        embedOrigins(),
      );
    }
    if (session.status === 'completed') {
      // Ended outside an end node: its time to live passed, or a step failed with no error branch.
      const expired = session.outcome === 'expired';
      const page = expired
        ? { title: t('end.expired.title'), message: t('end.expired.message') }
        : { title: t('end.failed.title'), message: t('end.failed.message') };
      return renderEnd(
        ctx,
        session.outcome ?? 'failed',
        page,
        undefined,
        session,
        isPublic(session.flowId) ? startCsrf(session.flowId, browser) : undefined,
        embedOrigins(),
      );
    }
    if (session.status === 'input' && node.type === 'screen') {
      const own = (scope[session.nodeId] ?? {}) as Record<string, unknown>;
      const defaults = engine.formDefaults(node, scope);
      const values: Record<string, unknown> = {};
      for (const f of node.fields)
        values[f.name] = submitted?.[f.name] ?? own[f.name] ?? defaults.values[f.name];
      const screen = localizeScreen(node, language);
      // The demo's text ("pre-filled with Socure's stock persona…") only while the form holds demo values.
      const message = defaults.usedDemo && screen.demoMessage ? screen.demoMessage : screen.message;
      const page = { ...screen, title: r(screen.title) ?? '', message: r(message) };
      const shown: Record<string, string> = {};
      for (const f of screen.fields) {
        const error = errors[f.name];
        if (error) shown[f.name] = fieldErrorText(ctx, f, error);
      }
      const banner = stepFailureNotice(ctx, {
        failed: node.errorFrom
          ? (scope[node.errorFrom] as { error?: StepError } | undefined)?.error
          : undefined,
        capability: node.errorFrom ? engine.flow(session.flowId)?.nodes[node.errorFrom] : undefined,
        screenId: session.nodeId,
        fields: screen.fields,
        shown,
        sessionId: session.id,
      });
      const collector = renderDeviceCollector(deps.frontEnd?.device, node);
      return renderScreen(ctx, page, session.nodeId, l, values, shown, banner, collector);
    }
    if (session.status === 'waiting' && node.type === 'wait') {
      return renderWait(
        ctx,
        {
          title: r(node.title) ?? '',
          message: r(node.message),
          qrCode: r(node.qrCode),
          link: r(node.link),
          linkLabel: r(node.linkLabel),
          statusText: r(node.statusText),
          inPage: node.docvSdk
            ? renderDocvSdk(
                ctx,
                deps.frontEnd?.docv,
                text(resolveString(node.challenge.docvTransactionToken ?? '', scope)),
              )
            : undefined,
          controls: renderSmsControls(ctx, {
            flow: engine.flow(session.flowId)!,
            node,
            session,
            scope,
            links: l,
            notice: sms,
            now: engine.now(),
          }),
        },
        session,
        l,
        pageOf(session, node),
      );
    }
    return renderWorking(ctx, session, l);
  }

  app.post(
    '/s/:id/:sig/submit',
    async (req: FastifyRequest<{ Params: SessionParams; Body: Record<string, unknown> }>, reply) => {
      const loaded = await load(req, reply);
      if (loaded === 'missing') return notFound(req, reply);
      if (loaded === 'elsewhere') return openedElsewhere(req, reply);
      const body = req.body ?? {};
      const again = sessionPath(deps, loaded.session.id);
      if (!signer.verifyCsrf(`session:${loaded.session.id}:${loaded.browser}`, body.csrf, Date.now())) {
        return errorPage(req, reply, 403, 'formExpired', 'formExpired', again);
      }
      // Forms carry text only: a JSON body's object or nested arrays is refused, never String()-ed.
      const node = formText(body.node);
      if (node === undefined) return errorPage(req, reply, 400, 'formExpired', 'notText', again);
      const outcome = await engine.submit(loaded.session.id, node, body);
      if ('errors' in outcome) {
        const ctx = contextOf(req, loaded.session);
        const { session, node: at, scope, browser } = loaded;
        return html(reply, renderSession(ctx, session, at, scope, outcome.errors, browser, body), 422);
      }
      return reply.redirect(sessionPath(deps, loaded.session.id), 303);
    },
  );

  registerSessionEvents(app, deps);
  registerSmsResend(app, deps);
  registerEmbedScript(app);
}
