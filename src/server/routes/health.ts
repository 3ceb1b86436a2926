import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../deps.js';

export function registerHealth(app: FastifyInstance, deps: ServerDeps): void {
  app.get('/healthz', { config: { rateLimit: false } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { rateLimit: false } }, async (_req, reply) => {
    const ready = await deps.store.ready().catch((err: Error) => ({ ok: false, detail: err.message }));
    return reply.code(ready.ok ? 200 : 503).send({
      status: ready.ok ? 'ready' : 'not_ready',
      store: ready.detail,
      // Ready, but not production-safe: e.g. real Socure with no SOCURE_WEBHOOK_SECRET.
      ...(deps.warnings?.length ? { warnings: deps.warnings } : {}),
    });
  });
}
