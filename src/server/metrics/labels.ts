/**
 * Label values for metrics: always from small, fixed sets, so a series never names a session, a person or a
 * transaction (Prometheus keeps one series per label combination; an id in a label leaks it, and grows
 * the series without bound).
 */
import type { SocureCall } from '../../socure/call-log.js';
import { SocureConnectionError, SocureTimeoutError } from '../../socure/errors.js';
import { WAIT_EVENT_TYPES } from '../../webhooks/index.js';

/**
 * A path segment kept as it is: `api`, a version (`3.0`), or a word of letters (`EmailAuthScore`, `reasoncodes`).
 * Ids have digits, `_` or `-` (UUIDs, `eval_…`), so they never pass.
 */
const NAMED_SEGMENT = /^(?:[A-Za-z]{1,40}|v?\d{1,2}(?:\.\d{1,2})?)$/;

/**
 * A Socure request path as a route pattern: its query dropped and every segment that is not a plain name or a
 * version replaced by `:id` (`/api/evaluation/3f2c…` → `/api/evaluation/:id`). At most six segments.
 */
export function socureEndpointLabel(endpoint: string): string {
  const segments = endpoint.split('?')[0]!.split('/').filter(Boolean).slice(0, 6);
  return `/${segments.map((s) => (NAMED_SEGMENT.test(s) ? s : ':id')).join('/')}`;
}

/** Why a Socure call failed, in a word: none (2xx), the status class, or what kept an answer from coming. */
export function socureErrorKind(call: Pick<SocureCall, 'status'>, error?: unknown): string {
  const status = call.status;
  if (status === null) {
    if (error instanceof SocureTimeoutError) return 'timeout';
    if (error instanceof SocureConnectionError) return 'connection';
    return 'other';
  }
  if (status >= 200 && status < 300) return 'none';
  switch (status) {
    case 400:
      return 'bad_request';
    case 401:
      return 'authentication';
    case 403:
      return 'permission';
    case 404:
      return 'not_found';
    case 429:
      return 'rate_limited';
  }
  return status >= 500 ? 'server' : 'client';
}

/** An HTTP status as a label: the code for any real one (a few dozen at most), else `none`. */
export const statusLabel = (status: number | null): string =>
  status !== null && status >= 100 && status <= 599 ? String(status) : 'none';

const EVENT_TYPES: ReadonlySet<string> = new Set(WAIT_EVENT_TYPES);

/** A webhook event type Socure documents (DocV, RiskOS) as it is; anything else a sender made up: `other`. */
export const eventTypeLabel = (eventType: string): string =>
  EVENT_TYPES.has(eventType) ? eventType : 'other';
