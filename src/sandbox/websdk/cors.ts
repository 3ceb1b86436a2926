import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Allowlist } from '../allowlist.js';

/**
 * The page origin a browser script calls from, as the browser sent it in `Origin` (scripts cannot forge it):
 * an exact http(s) origin, or undefined.
 */
export function requestOrigin(request: FastifyRequest): string | undefined {
  const origin = request.headers.origin;
  if (typeof origin !== 'string') return undefined;
  try {
    const url = new URL(origin);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== origin) return undefined;
    return origin;
  } catch {
    return undefined;
  }
}

/** Whether the IPs & Domains allowlist lets this page use the SDK key (Socure ties SDK keys to domains). */
export const originAllowed = (allowlist: Allowlist, origin: string) => allowlist.allowsUrl(origin);

/** Lets the calling page read the answer (no cookies are involved, so no credentials either). */
export function allowCaller(reply: FastifyReply, origin: string | undefined): FastifyReply {
  reply.header('vary', 'Origin');
  if (origin) reply.header('access-control-allow-origin', origin);
  return reply;
}

/** The CORS preflight of a JSON POST from a browser script. */
export function preflight(app: FastifyInstance, path: string): void {
  app.options(path, (request, reply) =>
    allowCaller(reply, requestOrigin(request))
      .header('access-control-allow-methods', 'POST')
      .header('access-control-allow-headers', 'content-type')
      .header('access-control-max-age', '600')
      .code(204)
      .send(),
  );
}

/** A browser script's error: a machine-readable `error` (the SDK status it maps to) and a sentence. */
export function sendScriptError(
  reply: FastifyReply,
  status: number,
  error: string,
  msg: string,
): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ status: 'Error', error, msg });
}
