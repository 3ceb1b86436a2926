import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { readJsonBody } from '../json-body.js';
import { createKeyMatcher } from '../keys.js';
import type { SandboxState } from '../state.js';
import { allowCaller, originAllowed, preflight, requestOrigin, sendScriptError } from './cors.js';
import { CAPTURE_BRIDGE_JS, WEB_SDK_JS } from './scripts.js';

export const WEB_SDK_PATH = '/websdk/bundle.js';
export const CAPTURE_BRIDGE_PATH = '/websdk/capture-bridge.js';
const LAUNCH_PATH = '/websdk/launch';

const launchSchema = z.object({
  sdkKey: z.string().min(1).max(200),
  docvTransactionToken: z.string().min(1).max(200),
});

const sendScript = (body: string) =>
  ({ type: 'text/javascript; charset=utf-8', cache: 'public, max-age=300', body }) as const;
const SCRIPTS: Record<string, ReturnType<typeof sendScript>> = {
  [WEB_SDK_PATH]: sendScript(WEB_SDK_JS),
  [CAPTURE_BRIDGE_PATH]: sendScript(CAPTURE_BRIDGE_JS),
};

/**
 * The stand-in DocV Web SDK: its script, the bridge script of framed capture pages, and the launch check
 * (SDK key of some environment, a transaction of that environment, a calling page on the IPs & Domains
 * allowlist). A launch answers the capture app's path with an opaque `embed` id (websdk/embeds.ts).
 */
export const webSdkRoutes: FastifyPluginAsync<{ state: SandboxState }> = async (app, { state }) => {
  const matchKey = createKeyMatcher(state.keys);
  for (const [path, script] of Object.entries(SCRIPTS)) {
    app.get(path, (_request, reply) =>
      reply
        .type(script.type)
        .header('cache-control', script.cache)
        .header('cross-origin-resource-policy', 'cross-origin')
        .send(script.body),
    );
  }

  preflight(app, LAUNCH_PATH);
  app.post(LAUNCH_PATH, (request, reply) => {
    const origin = requestOrigin(request);
    allowCaller(reply, origin);
    if (!origin) {
      return sendScriptError(
        reply,
        403,
        'DOMAIN_NOT_ALLOWED',
        'Launch the SDK from a web page: the Origin header is missing or not an http(s) origin',
      );
    }
    const json = readJsonBody(request);
    const parsed = json.ok ? launchSchema.safeParse(json.value) : undefined;
    if (!parsed?.success) {
      return sendScriptError(
        reply,
        400,
        'INVALID_REQUEST',
        json.ok ? 'Expected {"sdkKey": string, "docvTransactionToken": string}' : json.msg,
      );
    }
    const { sdkKey, docvTransactionToken } = parsed.data;
    const key = matchKey(sdkKey);
    if (key?.kind !== 'sdkKey') {
      // An ID+ key here would be a secret shown to every visitor: refused like an unknown key, never echoed.
      return sendScriptError(reply, 401, 'INVALID_PUBLIC_KEY', 'Unknown SDK key');
    }
    if (!originAllowed(state.allowlist, origin)) {
      return sendScriptError(
        reply,
        403,
        'DOMAIN_NOT_ALLOWED',
        `The page's domain is not on the IPs & Domains allowlist: ${new URL(origin).hostname}`,
      );
    }
    const tx = state.transactions.get(docvTransactionToken);
    if (!tx || tx.environment !== key.environment) {
      return sendScriptError(
        reply,
        404,
        'INVALID_DOCV_TRANSACTION_TOKEN',
        'No DocV transaction of this SDK key’s environment has this token',
      );
    }
    if (state.lifecycle.position(tx) === 'expired') {
      return sendScriptError(reply, 410, 'TOKEN_EXPIRED', 'This DocV transaction has expired');
    }
    const embed = state.embeds.create({ token: tx.token, origin, sdkKey });
    return reply
      .code(200)
      .header('cache-control', 'no-store')
      .send({ captureUrl: `/capture/${encodeURIComponent(tx.token)}?embed=${embed}` });
  });
};
