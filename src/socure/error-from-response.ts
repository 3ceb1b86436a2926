import {
  SocureApiError,
  SocureAuthenticationError,
  SocureBadRequestError,
  SocureNotFoundError,
  SocurePermissionDeniedError,
  SocureRateLimitError,
  SocureServerError,
} from './errors.js';
import { parseRetryAfter } from './retry.js';
import type { TransportResponse } from './transport.js';

/** Socure's error body: `{status:"Error", referenceId, data:{parameters:[…]}, msg}`; `data` may be an array or absent. */
function readErrorBody(json: unknown): { referenceId?: string; msg?: string; parameters?: string[] } {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return {};
  const body = json as Record<string, unknown>;
  const out: { referenceId?: string; msg?: string; parameters?: string[] } = {};
  if (typeof body.referenceId === 'string') out.referenceId = body.referenceId;
  if (typeof body.msg === 'string') out.msg = body.msg;
  else if (typeof body.message === 'string') out.msg = body.message;
  const data = body.data as { parameters?: unknown } | unknown[] | undefined;
  const params = Array.isArray(data) ? data : data && typeof data === 'object' ? data.parameters : undefined;
  if (Array.isArray(params)) out.parameters = params.map(String);
  return out;
}

/** Maps a non-2xx answer to its error class. The message is built from Socure's answer only. */
export function errorFromResponse(res: TransportResponse, keyName = 'ID+ key'): SocureApiError {
  const info = readErrorBody(res.json);
  const body = res.json ?? res.text.slice(0, 2_000);
  const details = { status: res.statusCode, body, ...info };
  const said = info.msg ? `: ${info.msg}` : '';
  const ref = info.referenceId ? ` (referenceId ${info.referenceId})` : '';
  const status = res.statusCode;
  if (status === 400) {
    const fields = info.parameters?.length ? ` [${info.parameters.join(', ')}]` : '';
    return new SocureBadRequestError(`Socure rejected the request${said}${fields}${ref}`, details);
  }
  if (status === 401) {
    return new SocureAuthenticationError(
      `Socure refused the ${keyName} (401)${said}${ref}; check that the key belongs to this environment`,
      details,
    );
  }
  if (status === 403) {
    return new SocurePermissionDeniedError(
      `Socure denied access (403)${said}${ref}; check the IPs & Domains allowlist in Socure's admin portal`,
      details,
    );
  }
  if (status === 404) return new SocureNotFoundError(`Not found at Socure (404)${said}${ref}`, details);
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
    return new SocureRateLimitError(`Rate limited by Socure (429)${said}${ref}`, {
      ...details,
      retryAfterMs,
    });
  }
  if (status >= 500) {
    return new SocureServerError(`Socure server error (${status})${said}${ref}`, details);
  }
  return new SocureApiError(`Socure answered ${status}${said}${ref}`, details);
}
