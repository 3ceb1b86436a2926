import type { Agent } from 'undici';
import { undiciRequest } from '../../shared/undici-request.js';
import type { WebhookSubscription } from './subscriptions.js';

export interface AttemptResult {
  ok: boolean;
  statusCode?: number;
  error?: string;
  durationMs: number;
}

/**
 * One delivery attempt: POST JSON with the subscription's secret in `Authorization` (bare, as LG's mock
 * sends it, or `Bearer`). Never throws: a non-2xx, a connection error and a timeout are all results.
 */
export async function postWebhook(
  agent: Agent,
  sub: WebhookSubscription,
  body: object,
  o: { authScheme: 'bare' | 'bearer'; timeoutMs: number },
): Promise<AttemptResult> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'socure-connector-sandbox/webhooks',
  };
  if (sub.secret) headers.authorization = authorizationOf(sub, sub.secret, o.authScheme);
  const t0 = performance.now();
  const durationMs = () => Math.round(performance.now() - t0);
  try {
    const res = await (await undiciRequest())(sub.url, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      dispatcher: agent,
      signal: AbortSignal.timeout(o.timeoutMs),
      headersTimeout: o.timeoutMs,
      bodyTimeout: o.timeoutMs,
    });
    await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    return { ok, statusCode: res.statusCode, durationMs: durationMs() };
  } catch (error) {
    return { ok: false, error: describeError(error, o.timeoutMs), durationMs: durationMs() };
  }
}

/** RiskOS subscriptions authenticate with Bearer or Basic (socure-api.md §10); DocV ones as configured. */
function authorizationOf(sub: WebhookSubscription, secret: string, scheme: 'bare' | 'bearer'): string {
  if (sub.subscriptionType === 'RiskOS') {
    return sub.username
      ? `Basic ${Buffer.from(`${sub.username}:${secret}`, 'utf8').toString('base64')}`
      : `Bearer ${secret}`;
  }
  return scheme === 'bearer' ? `Bearer ${secret}` : secret;
}

function describeError(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  if (
    e?.name === 'TimeoutError' ||
    e?.code === 'UND_ERR_HEADERS_TIMEOUT' ||
    e?.code === 'UND_ERR_BODY_TIMEOUT'
  ) {
    return `timeout after ${timeoutMs} ms`;
  }
  return e?.code ?? e?.cause?.code ?? e?.message ?? 'connection error';
}
