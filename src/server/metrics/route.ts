import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../deps.js';
import { metricsAccess } from './access.js';

/**
 * `GET /metrics` (Prometheus text format, behind METRICS_TOKEN or loopback-only; see access.ts) and the hook
 * timing every request by its route pattern (`/s/:id/:sig`, never the URL: it names sessions). Registered before
 * the routes, so the hook applies to all of them. Nothing when the service runs without metrics.
 */
export function registerMetrics(app: FastifyInstance, deps: ServerDeps): void {
  const metrics = deps.metrics;
  if (!metrics) return;

  app.addHook('onResponse', (req, reply, done) => {
    // An unmatched path (404) has no pattern: one label for all of them.
    metrics.httpRequest(
      req.routeOptions.url ?? 'unmatched',
      req.method,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });

  const refusal = metricsAccess(deps.metricsToken, (deps.trustProxy ?? false) !== false);
  app.get('/metrics', { exposeHeadRoute: false }, async (req, reply) => {
    const refused = refusal(req);
    if (refused) {
      if (refused.status === 401) reply.header('www-authenticate', 'Bearer realm="metrics"');
      return reply.code(refused.status).send({ error: refused.error, message: refused.message });
    }
    const { contentType, body } = await metrics.render();
    return reply.header('cache-control', 'no-store').type(contentType).send(body);
  });
}
