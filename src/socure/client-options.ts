import type { Dispatcher } from 'undici';
import { parseBaseUrl } from './environments.js';
import { SocureInputError } from './errors.js';
import type { RetryOptions } from './retry.js';
import type { SocureCallListener, TransportOptions } from './transport.js';

/**
 * What the ID+ client and the RiskOS client are built from alike: the checks of a key, a base URL and the
 * attempt limits, and the transport settings they share. Each client adds its own key, host and auth scheme.
 */

/** The options both clients take for their transport. */
export interface ClientTransportOptions {
  /** Per attempt, in ms; each client has its own default. */
  timeoutMs?: number;
  /** Retries after the first attempt. Default 2. */
  maxRetries?: number;
  /** Which failures are retried; see the README's "Retries" section. */
  retry?: RetryOptions;
  /** Overall deadline across attempts and backoff. Default timeoutMs × (maxRetries + 1) + 10 s. */
  deadlineMs?: number;
  /** Custom undici dispatcher (proxy, mTLS, connection limits). */
  dispatcher?: Dispatcher;
  /** Told of every request once it is over (endpoint, status, attempts, duration): e.g. metrics. */
  onCall?: SocureCallListener;
}

export const DEFAULT_MAX_RETRIES = 2;

/** Refuses a key with white space or control characters (it would corrupt the Authorization header). */
export function checkKeyCharacters(field: string, key: string): void {
  if (/[\s\u0000-\u001f]/.test(key))
    throw new SocureInputError(field, 'must not contain spaces or control characters');
}

/** A caller's `baseUrl`, parsed; SocureInputError naming `baseUrl` when it is no usable URL. */
export function baseUrlOption(baseUrl: string): URL {
  const url = parseBaseUrl(baseUrl);
  if (typeof url === 'string') throw new SocureInputError('baseUrl', url);
  return url;
}

function wholeNumber(field: string, value: number | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min)
    throw new SocureInputError(field, `must be an integer ≥ ${min}`);
  return value;
}

/**
 * The transport settings both clients share, checked (whole numbers, SocureInputError naming the option);
 * the deadline defaults to timeoutMs × (maxRetries + 1) + 10 s.
 */
export function sharedTransportOptions(
  baseUrl: URL,
  options: ClientTransportOptions,
  defaultTimeoutMs: number,
): Omit<TransportOptions, 'apiKey'> {
  const timeoutMs = wholeNumber('timeoutMs', options.timeoutMs, defaultTimeoutMs, 1);
  const maxRetries = wholeNumber('maxRetries', options.maxRetries, DEFAULT_MAX_RETRIES);
  const deadlineMs = wholeNumber('deadlineMs', options.deadlineMs, timeoutMs * (maxRetries + 1) + 10_000, 1);
  return {
    baseUrl,
    timeoutMs,
    maxRetries,
    deadlineMs,
    retry: options.retry,
    dispatcher: options.dispatcher,
    userAgent: 'socure-connector',
    onCall: options.onCall,
  };
}
