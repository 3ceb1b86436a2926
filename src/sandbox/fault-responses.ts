import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendSocureError } from './errors.js';
import type { FaultKind } from './faults.js';
import { sleep } from './sleep.js';

export interface FaultContext {
  slowMs: number;
  /** Logs an answer Fastify cannot see (a destroyed socket never reaches onResponse). */
  logLine: (request: FastifyRequest, outcome: string) => void;
}

/**
 * Plays one transport-level fault. Returns true when the request has been answered (or dropped);
 * false for `slow`, which only delays and lets normal handling continue.
 */
export async function playFault(
  kind: FaultKind,
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: FaultContext,
): Promise<boolean> {
  switch (kind) {
    case '429':
      reply.header('Retry-After', '1');
      sendSocureError(reply, 429, 'Rate limit exceeded; retry after 1 second');
      return true;
    case '500':
      sendSocureError(reply, 500, 'Internal server error');
      return true;
    case '503':
      sendSocureError(reply, 503, 'Service temporarily unavailable');
      return true;
    case 'malformed':
      // Cut off mid-object: a client must report a parse error, not crash or retry forever.
      reply
        .code(200)
        .type('application/json; charset=utf-8')
        .send(`{"referenceId":"${randomUUID()}","kyc":{"reasonCodes":["I919",`);
      return true;
    case 'reset':
      reply.hijack();
      request.raw.socket?.destroy();
      ctx.logLine(request, 'reset');
      return true;
    case 'slow':
      await sleep(ctx.slowMs);
      return false;
  }
}
