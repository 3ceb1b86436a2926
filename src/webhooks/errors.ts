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

/** Why a delivery was refused because of its size (answer 413). */
export type WebhookSizeReason = 'body_too_large';

export type WebhookErrorReason = WebhookPayloadReason | WebhookAuthenticationReason | WebhookSizeReason;

export class WebhookError extends Error {
  readonly statusCode: 400 | 401 | 413;
  readonly reason: WebhookErrorReason;

  constructor(message: string, statusCode: 400 | 401 | 413, reason: WebhookErrorReason) {
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

/**
 * The body is larger than `maxBytes` (UTF-8 bytes). Thrown before the secret is checked and before any
 * parsing, so an oversized body costs no JSON parse.
 */
export class WebhookPayloadTooLargeError extends WebhookError {
  declare readonly reason: WebhookSizeReason;
  declare readonly statusCode: 413;
  /** The limit that was exceeded. */
  readonly maxBytes: number;

  constructor(maxBytes: number) {
    super(`webhook body is larger than ${maxBytes} bytes`, 413, 'body_too_large');
    this.maxBytes = maxBytes;
  }
}
