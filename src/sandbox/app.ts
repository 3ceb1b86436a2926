import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { adminAccess } from './admin/access.js';
import { adminApiRoutes } from './admin/api.js';
import { adminPageRoutes } from './admin/pages.js';
import { socureApiKeyAuth } from './auth.js';
import { BoundedCounter } from './bounded-counter.js';
import { captureRoutes } from './capture/routes.js';
import { clockRoutes } from './clock-routes.js';
import { deviceRoutes } from './device/routes.js';
import { transactionHelperRoutes } from './docv/helper-routes.js';
import { docvRequestRoutes } from './docv/routes.js';
import { docvLookup } from './docv/source.js';
import { startExpirySweeper } from './docv/sweeper.js';
import { sendSocureError } from './errors.js';
import { createFaultDrawer } from './faults.js';
import { idPlusRoutes } from './idplus/routes.js';
import { resolveKeys } from './keys.js';
import { checkOptions, DEFAULT_SLOW_MS, type SandboxOptions } from './options.js';
import { reasonCodesRoute } from './reason-codes-route.js';
import { riskOsRoutes } from './riskos/routes.js';
import { sleep } from './sleep.js';
import { smsRoutes } from './sms-routes.js';
import { createSandboxState, type SandboxState } from './state.js';
import { stylesheetRoute } from './style.js';
import { webSdkRoutes } from './websdk/routes.js';

const pathOf = (request: FastifyRequest) => request.url.split('?')[0] ?? request.url;

/** The sandbox as a Fastify app, not listening (tests can `inject`). */
export function buildSandboxApp(options: SandboxOptions = {}): FastifyInstance {
  return createSandbox(options).app;
}

/**
 * The app and its in-memory state. Socure's API surface (ID+, DocV requests, reason codes) lives in one
 * encapsulated context behind the SocureApiKey hook; the admin, clock, SMS outbox and transaction helpers in
 * another, behind the loopback-or-admin-token hook; the capture app and the stylesheet are open.
 */
export function createSandbox(options: SandboxOptions = {}): { app: FastifyInstance; state: SandboxState } {
  checkOptions(options);
  const keys = resolveKeys(options.keys);
  const state = createSandboxState(options, keys);
  const drawFault = createFaultDrawer(options.faults, options.seed);
  const log = options.log;
  const logLine = (request: FastifyRequest, outcome: string | number, ms: number) =>
    log?.(`${request.method} ${pathOf(request)} ${outcome} ${Math.round(ms)}ms`);

  // Fastify's own logger stays off: it would print headers (the key) and bodies (PII).
  const app: FastifyInstance = Fastify({
    logger: false,
    bodyLimit: 1024 * 1024,
    // A path the router refuses (a malformed %-escape, a parameter over 100 characters) gets Socure's error
    // body from the error handler below, like every other non-2xx answer, not Fastify's own JSON.
    frameworkErrors: (error, request, reply) => app.errorHandler(error, request, reply),
  });

  // Bodies reach routes as raw bytes; json-body.ts answers bad types/JSON in Socure's shape.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  // Per-request hooks are callbacks (no promise each), and the timing ones exist only when there is a
  // log to write: without `log`, logLine prints nothing and the start times would never be read.
  const started = new WeakMap<FastifyRequest, number>();
  if (log) {
    app.addHook('onRequest', (request, _reply, done) => {
      started.set(request, performance.now());
      done();
    });
    app.addHook('onResponse', (request, reply, done) => {
      logLine(request, reply.statusCode, reply.elapsedTime);
      done();
    });
  }
  // Options are fixed once the app is built, so without latency there is no hook to run per request.
  const latencyMs = options.latencyMs ?? 0;
  if (latencyMs > 0) {
    app.addHook('onRequest', (_request, _reply, done) => {
      sleep(latencyMs).then(() => done());
    });
  }

  app.setNotFoundHandler((request, reply) =>
    sendSocureError(reply, 404, `No such endpoint: ${request.method} ${pathOf(request)}`),
  );
  app.setErrorHandler((error: { statusCode?: number; message?: string }, _request, reply) => {
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    return sendSocureError(
      reply,
      status,
      status === 500 ? 'Internal server error' : (error.message ?? 'Bad request'),
    );
  });

  const faultCounter = new BoundedCounter();
  const faultContext = {
    slowMs: options.slowMs ?? DEFAULT_SLOW_MS,
    logLine: (request: FastifyRequest, outcome: string) =>
      logLine(request, outcome, performance.now() - (started.get(request) ?? performance.now())),
  };

  app.register(async (api) => {
    api.addHook('onRequest', socureApiKeyAuth(keys));
    await api.register(idPlusRoutes, {
      drawFault,
      faultCounter,
      faultContext,
      docvLookup: docvLookup(state.transactions),
      deviceSessions: state.deviceSessions,
    });
    await api.register(reasonCodesRoute);
    await api.register(docvRequestRoutes, { state, faultCounter, faultContext });
  });
  // RiskOS's Evaluation API, behind its own Bearer keys (riskos/routes.ts).
  app.register(riskOsRoutes, { state });
  // Open to the network: the capture app a phone opens, and the stylesheet of its pages.
  app.register(captureRoutes, { state });
  app.register(stylesheetRoute);
  // The stand-ins of Socure's front-end scripts (DocV Web SDK, Sigma Device), called from other sites' pages.
  app.register(webSdkRoutes, { state });
  app.register(deviceRoutes, { state });
  // The admin surface: loopback clients only, or remote ones with the admin token (admin/access.ts).
  app.register(async (admin) => {
    admin.addHook('onRequest', adminAccess(options.adminToken));
    await admin.register(transactionHelperRoutes, { state });
    await admin.register(clockRoutes, { state });
    await admin.register(smsRoutes, { state });
    await admin.register(adminApiRoutes, { state });
    await admin.register(adminPageRoutes, { state });
  });

  const stopSweeper = startExpirySweeper(state);
  app.addHook('onClose', async () => {
    stopSweeper();
    await state.close();
  });
  return { app, state };
}
