/**
 * One log line per request, `request completed`, instead of Fastify's two (incoming + completed): at webhook
 * rates the lines were a tenth of the CPU. The line carries the route's `logFields` (the webhook's delivery id,
 * event type and whether it was inserted).
 */
import { type FastifyBaseLogger, type FastifyReply, type FastifyRequest, LogController } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** What a route adds to its request's log line: ids and outcomes, never personal data. */
    logFields?: Record<string, unknown>;
  }
}

export class RequestLog extends LogController {
  #access: FastifyBaseLogger | undefined;

  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (error) {
      reply.log.error({ res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
      return;
    }
    // This line holds only what is built here (method, the redacted URL, status, timing) and `logFields`: the
    // redaction pass other lines get would find nothing, and at webhook rates it cost as much as verifying
    // the delivery. So it goes through a child logger without one.
    this.#access ??= request.server.log.child({}, { redact: { paths: [] } });
    this.#access.info(
      { reqId: request.id, req: request, res: reply, responseTime: reply.elapsedTime, ...request.logFields },
      'request completed',
    );
  }
}
