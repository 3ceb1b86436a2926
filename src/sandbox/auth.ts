import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler } from 'fastify';
import { sendSocureError } from './errors.js';
import { createKeyMatcher, type SandboxEnvironment, type SandboxKeys } from './keys.js';

// Kept on the request under a private symbol rather than as a Fastify decoration, so the sandbox does not
// widen the global FastifyRequest type that the service's own server also uses. (A WeakMap did the same
// at the price of an ephemeron entry per request for the garbage collector.)
const ENVIRONMENT = Symbol('sandbox.environment');
type WithEnvironment = { [ENVIRONMENT]?: SandboxEnvironment };

/** The environment whose ID+ key authenticated the request (DocV webhooks report it later). */
export function environmentOf(request: FastifyRequest): SandboxEnvironment | undefined {
  return (request as WithEnvironment)[ENVIRONMENT];
}

const AUTHORIZATION = /^\s*SocureApiKey\s+(\S+)\s*$/i;

/**
 * `Authorization: SocureApiKey <ID+ key>` of any environment, else 401 in Socure's shape.
 * Messages never contain the presented key. A callback hook (no promise per request): an error answer
 * is sent without calling `done`, which ends the request there.
 */
export function socureApiKeyAuth(keys: SandboxKeys): onRequestHookHandler {
  const matchKey = createKeyMatcher(keys);
  return (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const header = request.headers.authorization;
    if (!header) {
      sendSocureError(reply, 401, 'Missing Authorization header; expected "SocureApiKey <ID+ key>"');
      return;
    }
    const match = typeof header === 'string' ? AUTHORIZATION.exec(header) : null;
    if (!match) {
      sendSocureError(reply, 401, 'Malformed Authorization header; expected "SocureApiKey <ID+ key>"');
      return;
    }
    const found = matchKey(match[1]!);
    if (!found) {
      sendSocureError(reply, 401, 'Invalid API key');
      return;
    }
    if (found.kind === 'sdkKey') {
      sendSocureError(reply, 401, 'The SDK key is public and cannot call the API; use the ID+ key');
      return;
    }
    if (found.kind === 'riskOsKey') {
      sendSocureError(
        reply,
        401,
        'The RiskOS key calls RiskOS (/api/evaluation with Bearer); use the ID+ key',
      );
      return;
    }
    (request as WithEnvironment)[ENVIRONMENT] = found.environment;
    done();
  };
}
