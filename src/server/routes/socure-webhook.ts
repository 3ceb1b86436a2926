import type { FastifyInstance, FastifyRequest } from 'fastify';
import { verifyAndParse, verifyAuthorization, WebhookError } from '../../webhooks/index.js';
import type { ServerDeps } from '../deps.js';

/**
 * Socure's webhook: verify → commit to the inbox → answer 2xx → resume waiting sessions. A delivery is
 * acknowledged only once it is committed, so nothing acknowledged is lost; a store failure answers 500 so
 * Socure retries. Duplicates (same delivery id, or same token + event type) are acknowledged and ignored.
 */
export async function registerSocureWebhook(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  await app.register(async (scope) => {
    // The raw body is needed as received (for the inbox) and any content type is accepted.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_req, body, done) =>
      done(null, body),
    );

    // Socure delivers from a few addresses, in bursts: an authenticated delivery is never rate limited (it is
    // verified again below); only unauthenticated ones (no secret configured, or a wrong one) count per IP.
    const authenticated = (req: FastifyRequest) => {
      try {
        return verifyAuthorization({ headers: req.headers, secrets: deps.webhookSecrets });
      } catch {
        return false;
      }
    };
    const rateLimit = {
      max: deps.rateLimitWebhookPerMinute ?? 6000,
      timeWindow: '1 minute',
      allowList: authenticated,
    };
    scope.post(
      '/webhooks/socure/:path',
      { config: { rateLimit } },
      async (req: FastifyRequest<{ Params: { path: string }; Body: string | undefined }>, reply) => {
        if (req.params.path !== deps.webhookPath) {
          deps.metrics?.webhookRefused('unknown_path');
          return reply.code(404).send({ error: 'not_found' });
        }
        const rawBody = typeof req.body === 'string' ? req.body : '';
        let delivery: ReturnType<typeof verifyAndParse>;
        try {
          delivery = verifyAndParse({ headers: req.headers, rawBody, secrets: deps.webhookSecrets });
        } catch (err) {
          if (err instanceof WebhookError) {
            req.log.warn({ reason: err.reason }, 'socure webhook refused');
            deps.metrics?.webhookRefused(err.reason);
            // The message says what was wrong and where (JSON paths only: it never holds a secret or body values).
            return reply.code(err.statusCode).send({ error: err.reason, message: err.message });
          }
          throw err;
        }
        const receipt = await deps.engine.receive(delivery, rawBody);
        deps.metrics?.webhookCommitted(delivery.eventType, receipt.status);
        // Said on the request's one log line (see app.ts), not on a line of its own.
        req.logFields = { deliveryId: delivery.id, eventType: delivery.eventType, committed: receipt.status };
        reply.code(200).send({ received: true, duplicate: receipt.status === 'duplicate' });
        if (receipt.sessionWaits) {
          setImmediate(() => {
            deps.engine
              .correlate(delivery)
              .catch((err: unknown) => req.log.error({ err }, 'resuming sessions failed'));
          });
        }
        return reply;
      },
    );
  });
}
