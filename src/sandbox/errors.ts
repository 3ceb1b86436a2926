import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';

/** Socure's error body (socure-api.md §3); `data.parameters` names the offending inputs on a 400. */
export interface SocureErrorBody {
  status: 'Error';
  referenceId: string;
  data?: { parameters: string[] };
  msg: string;
}

export function socureErrorBody(msg: string, parameters?: string[]): SocureErrorBody {
  const body: SocureErrorBody = { status: 'Error', referenceId: randomUUID(), msg };
  if (parameters) return { status: body.status, referenceId: body.referenceId, data: { parameters }, msg };
  return body;
}

/** Sends an error in Socure's shape; every non-2xx answer of the sandbox goes through here. */
export function sendSocureError(
  reply: FastifyReply,
  statusCode: number,
  msg: string,
  parameters?: string[],
): FastifyReply {
  return reply
    .code(statusCode)
    .type('application/json; charset=utf-8')
    .send(socureErrorBody(msg, parameters));
}
