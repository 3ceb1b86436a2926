import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { environmentOf } from '../auth.js';
import type { BoundedCounter } from '../bounded-counter.js';
import { sendSocureError } from '../errors.js';
import type { FaultContext } from '../fault-responses.js';
import { readJsonBody } from '../json-body.js';
import type { SandboxState } from '../state.js';
import { createDocvTransaction } from './create.js';
import { armedDocvFault, docvFaults, dropReference, playDocvTransportFault } from './faults.js';
import { validateDocvRequest } from './validate.js';

const originOf = (request: FastifyRequest) => `${request.protocol}://${request.host}`;

export interface DocvRequestRoutesOptions {
  state: SandboxState;
  /** The ID+ route's `fault-…-x<N>` counter, to share one budget per customerUserId; default its own. */
  faultCounter?: BoundedCounter;
  faultContext?: FaultContext;
}

/**
 * `POST /api/5.0/documents/request` and legacy `POST /api/3.0/documents/request`. Registered inside
 * the SocureApiKey context: the key's environment decides where the webhooks go and what they report.
 * A magic customerUserId (`fault-503-x2-…`) plays the same faults as on ID+ (faults.ts).
 */
export const docvRequestRoutes: FastifyPluginAsync<DocvRequestRoutesOptions> = async (app, opts) => {
  const { state } = opts;
  const faults = docvFaults(opts, state.log);
  for (const [path, version] of [
    ['/api/5.0/documents/request', 'v5'],
    ['/api/3.0/documents/request', 'v3'],
  ] as const) {
    app.post(path, async (request, reply) => {
      const json = readJsonBody(request);
      if (!json.ok) return sendSocureError(reply, 400, json.msg, []);
      // Transport faults fire before validation, as on ID+.
      const armed = armedDocvFault(json.value, faults.counter);
      if (await playDocvTransportFault(armed, faults, request, reply)) return reply;
      const valid = validateDocvRequest(json.value, version);
      if (!valid.ok) return sendSocureError(reply, 400, valid.msg, valid.parameters);
      const redirect = valid.input.redirect;
      if (redirect && !state.allowlist.allowsUrl(redirect.url)) {
        const host = new URL(redirect.url).hostname;
        return sendSocureError(
          reply,
          403,
          `Redirect URL host "${host}" is not on the IPs & Domains allowlist (Developers > IPs & Domains)`,
        );
      }
      const environment = environmentOf(request) ?? 'sandbox';
      const answer = await createDocvTransaction(state, valid.input, environment, originOf(request));
      return reply
        .code(200)
        .type('application/json; charset=utf-8')
        .send(dropReference(answer, armed, faults));
    });
  }
};
