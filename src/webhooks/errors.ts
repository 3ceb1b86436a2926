/**
 * Errors of the webhook receiver. Each carries the HTTP status a receiver should answer with and a
 * stable, machine-readable `reason`. Messages are built from constants and JSON paths only: they never
 * contain a configured secret, the presented Authorization value, or values from the body (PII).
 */

/** Why a delivery was refused because of its body (answer 400). */
export type WebhookPayloadReason =
  | 'invalid_encoding'
  | 'empty_body'
  | 'invalid_json'
  | 'body_not_object'
  | 'missing_id'
  | 'missing_event'
  | 'event_not_object'
  | 'missing_event_type'
  | 'invalid_event';

/** Why a delivery was refused because of its credentials (answer 401). */
export type WebhookAuthenticationReason = 'missing_authorization' | 'invalid_authorization';

export type WebhookErrorReason = WebhookPayloadReason | WebhookAuthenticationReason;

export class WebhookError extends Error {
  readonly statusCode: 400 | 401;
  readonly reason: WebhookErrorReason;

  constructor(message: string, statusCode: 400 | 401, reason: WebhookErrorReason) {
    super(message);
    this.name = new.target.name;
    this.statusCode = statusCode;
    this.reason = reason;
  }
}

/** The body is not a Socure delivery we can read. `issues` lists JSON paths for `invalid_event`. */
export class WebhookPayloadError extends WebhookError {
  declare readonly reason: WebhookPayloadReason;
  readonly issues: ReadonlyArray<{ path: string; message: string }>;

  constructor(
    reason: WebhookPayloadReason,
    message: string,
    issues: ReadonlyArray<{ path: string; message: string }> = [],
  ) {
    super(message, 400, reason);
    this.issues = issues;
  }
}

/** A secret is configured and the request does not present it. */
export class WebhookAuthenticationError extends WebhookError {
  declare readonly reason: WebhookAuthenticationReason;

  constructor(reason: WebhookAuthenticationReason) {
    super(
      reason === 'missing_authorization'
        ? 'webhook delivery has no Authorization header'
        : 'webhook delivery Authorization does not match any configured secret',
      401,
      reason,
    );
  }
}
