import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { sendSocureError } from './errors.js';
import { matchKey, type SandboxEnvironment, type SandboxKeys } from './keys.js';

// Kept beside the request rather than as a Fastify decoration, so the sandbox does not widen the
// global FastifyRequest type that the service's own server also uses.
const environments = new WeakMap<FastifyRequest, SandboxEnvironment>();

/** The environment whose ID+ key authenticated the request (DocV webhooks report it later). */
export function environmentOf(request: FastifyRequest): SandboxEnvironment | undefined {
  return environments.get(request);
}

/**
 * `Authorization: SocureApiKey <ID+ key>` of any environment, else 401 in Socure's shape.
 * Messages never contain the presented key.
 */
export function socureApiKeyAuth(keys: SandboxKeys): onRequestAsyncHookHandler {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^\s*SocureApiKey\s+(\S+)\s*$/i.exec(header) : null;
    if (!header) {
      return sendSocureError(reply, 401, 'Missing Authorization header; expected "SocureApiKey <ID+ key>"');
    }
    if (!match) {
      return sendSocureError(reply, 401, 'Malformed Authorization header; expected "SocureApiKey <ID+ key>"');
    }
    const found = matchKey(keys, match[1]!);
    if (!found) return sendSocureError(reply, 401, 'Invalid API key');
    if (found.kind === 'sdkKey') {
      return sendSocureError(reply, 401, 'The SDK key is public and cannot call the API; use the ID+ key');
    }
    environments.set(request, found.environment);
  };
}
