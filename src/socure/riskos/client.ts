import type { Dispatcher } from 'undici';
import type { SocureCall } from '../call-log.js';
import { parseBaseUrl } from '../environments.js';
import { errorFromResponse } from '../error-from-response.js';
import { SocureInputError } from '../errors.js';
import type { RetryOptions } from '../retry.js';
import {
  type SocureCallListener,
  Transport,
  type TransportRequest,
  type TransportResponse,
} from '../transport.js';
import { EvaluationsResource } from './evaluations.js';

/** RiskOS hosts (socure-api.md §10). Certification has no public RiskOS host: pass `baseUrl`. */
export const RISKOS_HOSTS = {
  sandbox: 'https://riskos.sandbox.socure.com',
  production: 'https://riskos.socure.com',
} as const;
export type RiskOsEnvironment = keyof typeof RISKOS_HOSTS;

/** The API version Socure's examples send; optional (without it RiskOS answers with the account's default). */
export const RISKOS_EXAMPLE_API_VERSION = '2025-01-01.orion';

export interface RiskOsClientOptions {
  /** The RiskOS API key of the environment, sent as `Authorization: Bearer <key>`. */
  apiKey: string;
  /** sandbox | production. Default sandbox. */
  environment?: RiskOsEnvironment | 'certification';
  /** Any base URL, e.g. the local sandbox `http://127.0.0.1:4010`. Wins over `environment`. */
  baseUrl?: string;
  /** Sent as `X-API-Version` when set, e.g. `2025-01-01.orion`. */
  apiVersion?: string;
  /** Per attempt. Default 15000 ms: one evaluation runs several enrichments. */
  timeoutMs?: number;
  /** Retries after the first attempt. Default 2. */
  maxRetries?: number;
  retry?: RetryOptions;
  /** Overall deadline across attempts and backoff. Default timeoutMs × (maxRetries + 1) + 10 s. */
  deadlineMs?: number;
  dispatcher?: Dispatcher;
  /** Told of every finished request (metrics: src/server/metrics). */
  onCall?: SocureCallListener;
}

export const RISKOS_DEFAULT_TIMEOUT_MS = 15_000;
const API_VERSION = /^[\w.-]{1,50}$/;

function baseUrlOf(options: RiskOsClientOptions): URL {
  if (options.baseUrl !== undefined) {
    const url = parseBaseUrl(options.baseUrl);
    if (typeof url === 'string') throw new SocureInputError('baseUrl', url);
    return url;
  }
  const env = options.environment ?? 'sandbox';
  if (env === 'certification')
    throw new SocureInputError('environment', 'RiskOS publishes no certification host; pass baseUrl');
  const host = RISKOS_HOSTS[env];
  if (host === undefined) throw new SocureInputError('environment', 'must be sandbox or production');
  return new URL(host);
}

function whole(field: string, value: number | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min)
    throw new SocureInputError(field, `must be an integer ≥ ${min}`);
  return value;
}

/**
 * The RiskOS client: `riskos.evaluations.create / get / update / setState`. Same conventions as the ID+
 * client (transport, retries, deadline, error classes, input errors before any network call); its own key
 * and host.
 */
export class RiskOsClient {
  readonly evaluations: EvaluationsResource;
  readonly baseUrl: string;
  private readonly transport: Transport;

  constructor(options: RiskOsClientOptions) {
    if (typeof options?.apiKey !== 'string' || options.apiKey.trim() === '')
      throw new SocureInputError('apiKey', 'is required (the RiskOS API key from the RiskOS console)');
    if (/[\s\u0000-\u001f]/.test(options.apiKey))
      throw new SocureInputError('apiKey', 'must not contain spaces or control characters');
    if (options.apiVersion !== undefined && !API_VERSION.test(options.apiVersion))
      throw new SocureInputError('apiVersion', 'expected a version such as 2025-01-01.orion');
    const baseUrl = baseUrlOf(options);
    const timeoutMs = whole('timeoutMs', options.timeoutMs, RISKOS_DEFAULT_TIMEOUT_MS, 1);
    const maxRetries = whole('maxRetries', options.maxRetries, 2);
    const deadlineMs = whole('deadlineMs', options.deadlineMs, timeoutMs * (maxRetries + 1) + 10_000, 1);
    this.baseUrl = baseUrl.href.replace(/\/$/, '');
    this.transport = new Transport({
      baseUrl,
      apiKey: options.apiKey,
      authorization: `Bearer ${options.apiKey}`,
      defaultHeaders: options.apiVersion ? { 'x-api-version': options.apiVersion } : undefined,
      timeoutMs,
      maxRetries,
      deadlineMs,
      retry: options.retry,
      dispatcher: options.dispatcher,
      userAgent: 'socure-connector',
      onCall: options.onCall,
    });
    this.evaluations = new EvaluationsResource(this);
  }

  /** This client, also appending every request it sends to `calls` (a flow step's audit trail). */
  withCallLog(calls: SocureCall[]): RiskOsClient {
    const view = Object.create(this) as RiskOsClient;
    Object.defineProperties(view, {
      transport: { value: this.transport.recording(calls) },
      evaluations: { value: new EvaluationsResource(view) },
    });
    return view;
  }

  /** Sends a request and returns its JSON body; a non-2xx answer throws its error class. */
  async send(req: TransportRequest): Promise<{ json: unknown; response: TransportResponse }> {
    const response = await this.transport.send(req);
    if (response.statusCode < 200 || response.statusCode >= 300)
      throw errorFromResponse(response, 'RiskOS key');
    return { json: response.json, response };
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
