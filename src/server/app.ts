import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { registerConsole } from './console/routes.js';
import type { ServerDeps } from './deps.js';
import { registerMetrics } from './metrics/route.js';
import { type PageContext, pageContextOf } from './pages/page-context.js';
import { renderError } from './pages/render.js';
import { RequestLog } from './request-log.js';
import { registerApi } from './routes/api.js';
import { registerBrandAssets } from './routes/brand-assets.js';
import { registerHealth } from './routes/health.js';
import { registerPages } from './routes/pages.js';
import { registerPersonalDataApi } from './routes/personal-data.js';
import { registerSessionListAndCancel } from './routes/session-list-cancel.js';
import { registerSocureWebhook } from './routes/socure-webhook.js';
import { buildCsp, HSTS } from './security-headers.js';
import { fastifyTrustProxy } from './trust-proxy.js';

/** The session a page URL names (`/s/<id>/…`): the support reference on its error page. */
function sessionIdIn(url: string): string | undefined {
  return /^\/s\/([0-9a-f-]{36})\//.exec(url)?.[1];
}

export async function buildServer(deps: ServerDeps, logger?: Logger): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: logger as FastifyBaseLogger | undefined,
    trustProxy: fastifyTrustProxy(deps.trustProxy ?? false),
    bodyLimit: 256 * 1024,
    // Path parameters are checked by each route (a customerUserId of 100 characters can be 300 escaped).
    routerOptions: { maxParamLength: 1000 },
    // A path the router refuses (a malformed %-escape, a parameter over 100 characters) goes to the error
    // handler below like any other error: a page, or {error} under /api/ — never Fastify's own JSON.
    frameworkErrors: (err, req, reply) => app.errorHandler(err, req, reply),
    logController: new RequestLog(),
  });
  app.decorateRequest('logFields', undefined);
  await app.register(rateLimit, { max: deps.rateLimitPagesPerMinute ?? 600, timeWindow: '1 minute' });
  await app.register(formbody);
  await app.register(cookie);

  const csp = buildCsp(deps.csp);
  // X-Frame-Options cannot name origins: with FRAME_ANCESTORS set, CSP frame-ancestors alone decides.
  const framable = (deps.csp?.frameAncestors?.length ?? 0) > 0;
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    // Session URLs are secrets: never leak them to another site in a Referer header.
    reply.header('referrer-policy', 'no-referrer');
    // An error answer (429, 500, 404…) is about this moment: no proxy or browser may keep it.
    if (reply.statusCode >= 400) reply.header('cache-control', 'no-store');
    if (deps.publicUrl.startsWith('https:')) reply.header('strict-transport-security', HSTS);
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith('text/html')) {
      reply.header('content-security-policy', csp);
      if (!framable) reply.header('x-frame-options', 'DENY');
    }
    return payload;
  });

  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) req.log.error({ err }, 'request failed');
    if (req.url.startsWith('/api/') || req.url.startsWith('/webhooks/')) {
      const error = status === 500 ? 'internal_error' : status === 429 ? 'rate_limited' : 'bad_request';
      return reply.code(status).send({ error, message: status === 500 ? undefined : err.message });
    }
    // People get a friendly page, never a stack trace.
    const ctx = pageContextOf(deps.brand, req.headers['accept-language']);
    const { t } = ctx;
    const body =
      status === 429
        ? renderError(ctx, t('error.tooMany.title'), t('error.tooMany.message'), req.url)
        : status === 500
          ? renderError(
              ctx,
              t('error.stepFailed.title'),
              t('error.stepFailed.message'),
              req.url,
              sessionIdIn(req.url),
            )
          : renderError(ctx, t('error.badRequest.title'), t('error.badRequest.message'), '/');
    return reply.code(status).header('content-type', 'text/html; charset=utf-8').send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    // The JSON routes' own shape, as in the error handler: a webhook sender reads JSON, not a page.
    if (req.url.startsWith('/api/') || req.url.startsWith('/webhooks/'))
      return reply.code(404).send({ error: 'not_found' });
    return reply
      .code(404)
      .header('content-type', 'text/html; charset=utf-8')
      .send(notFoundPage(pageContextOf(deps.brand, req.headers['accept-language'])));
  });

  registerMetrics(app, deps); // first: its timing hook covers every route
  registerHealth(app, deps);
  registerBrandAssets(app, deps.brandAssets);
  registerPages(app, deps);
  registerApi(app, deps);
  registerSessionListAndCancel(app, deps);
  registerPersonalDataApi(app, deps);
  registerConsole(app, deps);
  await registerSocureWebhook(app, deps);
  return app;
}

const notFoundPage = (ctx: PageContext) =>
  renderError(ctx, ctx.t('error.notFound.title'), ctx.t('error.notFound.message'), '/');
