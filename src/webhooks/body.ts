import type { z } from 'zod';
import { WebhookPayloadError } from './errors.js';
import type { WebhookRawBody } from './verify.js';

/**
 * How every webhook body (DocV's and RiskOS's) is read: UTF-8 text (a BOM dropped), a JSON object.
 * Throws `WebhookPayloadError` (400) naming what is wrong.
 */

const decoder = new TextDecoder('utf-8', { fatal: true });

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseJsonObject(rawBody: WebhookRawBody): Record<string, unknown> {
  let text: string;
  if (typeof rawBody === 'string') {
    text = rawBody;
  } else if (rawBody instanceof Uint8Array) {
    try {
      text = decoder.decode(rawBody);
    } catch {
      throw new WebhookPayloadError('invalid_encoding', 'webhook body is not valid UTF-8');
    }
  } else {
    throw new WebhookPayloadError('empty_body', 'webhook body must be a string, Buffer or Uint8Array');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new WebhookPayloadError('empty_body', 'webhook body is empty');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new WebhookPayloadError('invalid_json', 'webhook body is not valid JSON');
  }
  if (!isPlainObject(parsed))
    throw new WebhookPayloadError('body_not_object', 'webhook body is not a JSON object');
  return parsed;
}

/** The error for a known event whose payload fails its schema: every issue, its path under `under`. */
export function invalidEventError(under: string, eventType: string, error: z.ZodError): WebhookPayloadError {
  const issues = error.issues.map((issue) => ({
    path: [under, ...issue.path].map(String).join('.'),
    message: issue.message,
  }));
  const where = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  return new WebhookPayloadError('invalid_event', `invalid ${eventType} event (${where})`, issues);
}
