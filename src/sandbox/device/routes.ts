import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { readJsonBody } from '../json-body.js';
import { createKeyMatcher } from '../keys.js';
import type { SandboxState } from '../state.js';
import { allowCaller, originAllowed, preflight, requestOrigin, sendScriptError } from '../websdk/cors.js';
import { SIGMA_DEVICE_JS } from '../websdk/scripts.js';

export const SIGMA_DEVICE_PATH = '/device/sigma.js';
const SESSIONS_PATH = '/device/sessions';

const sessionSchema = z.object({ publicKey: z.string().min(1).max(200) });

/**
 * The stand-in Sigma Device collector: its script, and the endpoint it registers a device session with. The
 * id it answers makes an ID+ `devicerisk` call of the same environment succeed; an id shaped like one but not
 * issued gets R402 (invalid device token) from ID+.
 */
export const deviceRoutes: FastifyPluginAsync<{ state: SandboxState }> = async (app, { state }) => {
  const matchKey = createKeyMatcher(state.keys);
  app.get(SIGMA_DEVICE_PATH, (_request, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .header('cross-origin-resource-policy', 'cross-origin')
      .send(SIGMA_DEVICE_JS),
  );

  preflight(app, SESSIONS_PATH);
  app.post(SESSIONS_PATH, (request, reply) => {
    const origin = requestOrigin(request);
    allowCaller(reply, origin);
    const json = readJsonBody(request);
    const parsed = json.ok ? sessionSchema.safeParse(json.value) : undefined;
    if (!parsed?.success) {
      return sendScriptError(
        reply,
        400,
        'INVALID_REQUEST',
        json.ok ? 'Expected {"publicKey": string}: the script’s data-public-key' : json.msg,
      );
    }
    const key = matchKey(parsed.data.publicKey);
    if (key?.kind !== 'sdkKey') {
      return sendScriptError(reply, 401, 'INVALID_PUBLIC_KEY', 'Unknown SDK key in data-public-key');
    }
    // A page (browser) must be allowlisted; a server-side caller sends no Origin and is let through.
    if (origin && !originAllowed(state.allowlist, origin)) {
      return sendScriptError(
        reply,
        403,
        'DOMAIN_NOT_ALLOWED',
        `The page's domain is not on the IPs & Domains allowlist: ${new URL(origin).hostname}`,
      );
    }
    const deviceSessionId = state.deviceSessions.create(key.environment);
    return reply.code(201).header('cache-control', 'no-store').send({ deviceSessionId });
  });
};
