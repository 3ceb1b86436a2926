import type { Dispatcher } from 'undici';
import type { SocureCall } from './call-log.js';
import { type CustomRequest, type CustomResponse, sendCustomRequest } from './custom-request.js';
import { DocvResource } from './docv/resource.js';
import { parseBaseUrl, SOCURE_HOSTS, type SocureEnvironment } from './environments.js';
import { errorFromResponse } from './error-from-response.js';
import { noIdPlusKeyError, noRiskOsKeyError, SocureInputError } from './errors.js';
import { IdPlusResource } from './idplus/resource.js';
import { ReasonCodesResource } from './reason-codes.js';
import type { RetryOptions } from './retry.js';
import { RiskOsClient, type RiskOsClientOptions } from './riskos/client.js';
import {
  type SocureCallListener,
  Transport,
  type TransportRequest,
  type TransportResponse,
} from './transport.js';

export interface SocureClientOptions {
  /**
   * The ID+ key of the environment (Admin Dashboard > Developers > ID+ Keys). Optional with `riskOs`: a RiskOS-only
   * client refuses ID+ / DocV calls (SocureConfigurationError) before any network call.
   */
  idPlusKey?: string;
  /** sandbox | production. Certification has no public host: use `baseUrl`. */
  environment?: SocureEnvironment;
  /** Any base URL, e.g. the local sandbox `http://127.0.0.1:4010`. Wins over `environment`. */
  baseUrl?: string;
  /** Per attempt. Default 5000 ms (what login.gov and Footprint use for ID+). */
  timeoutMs?: number;
  /** Retries after the first attempt. Default 2. */
  maxRetries?: number;
  /** Which failures are retried; see the README's "Retries" section. */
  retry?: RetryOptions;
  /** Overall deadline across attempts and backoff. Default timeoutMs × (maxRetries + 1) + 10 s. */
  deadlineMs?: number;
  /** Custom undici dispatcher (proxy, mTLS, connection limits). */
  dispatcher?: Dispatcher;
  /** RiskOS (its own key and host): makes `client.riskos` available. */
  riskOs?: RiskOsClientOptions;
  /** Told of every ID+ / DocV request once it is over (endpoint, status, attempts, duration): e.g. metrics. */
  onCall?: SocureCallListener;
}

export const DEFAULT_TIMEOUT_MS = 5_000;
export const DEFAULT_MAX_RETRIES = 2;

function resolveBaseUrl(options: SocureClientOptions): URL {
  if (options.baseUrl !== undefined) {
    const url = parseBaseUrl(options.baseUrl);
    if (typeof url === 'string') throw new SocureInputError('baseUrl', url);
    return url;
  }
  const env = options.environment ?? 'sandbox';
  if (env === 'certification') {
    throw new SocureInputError(
      'environment',
      'Socure publishes no host for certification; pass baseUrl (SOCURE_API_URL) with the host from your account team',
    );
  }
  const host = SOCURE_HOSTS[env];
  if (host === undefined)
    throw new SocureInputError('environment', 'must be sandbox, certification or production');
  return new URL(host);
}

function positiveInt(field: string, value: number | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min)
    throw new SocureInputError(field, `must be an integer ≥ ${min}`);
  return value;
}

/** The Socure API client: `client.idplus`, `client.docv`, `client.reasonCodes`, `client.request()`. */
export class SocureClient {
  readonly idplus: IdPlusResource;
  readonly reasonCodes: ReasonCodesResource;
  readonly docv: DocvResource;
  readonly baseUrl: string;
  /** Whether an ID+ key is configured (ID+, DocV, reason codes and the custom call need it). */
  readonly hasIdPlus: boolean;
  private readonly transport: Transport;
  private readonly riskOsClient: RiskOsClient | undefined;

  constructor(options: SocureClientOptions) {
    const riskOsOnly = options?.idPlusKey === undefined && options?.riskOs !== undefined;
    if (!riskOsOnly && (typeof options?.idPlusKey !== 'string' || options.idPlusKey.trim() === '')) {
      throw new SocureInputError('idPlusKey', 'is required (the ID+ key from Socure’s admin portal)');
    }
    if (options.idPlusKey !== undefined && /[\s\u0000-\u001f]/.test(options.idPlusKey)) {
      throw new SocureInputError('idPlusKey', 'must not contain spaces or control characters');
    }
    // A RiskOS-only client calls no ID+ host (send() refuses first): certification's unpublished host is no error.
    const baseUrl =
      riskOsOnly && options.baseUrl === undefined && options.environment === 'certification'
        ? new URL('https://certification.invalid')
        : resolveBaseUrl(options);
    const timeoutMs = positiveInt('timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS, 1);
    const maxRetries = positiveInt('maxRetries', options.maxRetries, DEFAULT_MAX_RETRIES);
    const deadlineMs = positiveInt(
      'deadlineMs',
      options.deadlineMs,
      timeoutMs * (maxRetries + 1) + 10_000,
      1,
    );
    this.baseUrl = baseUrl.href.replace(/\/$/, '');
    this.transport = new Transport({
      baseUrl,
      // Never sent without a key: send() and request() refuse first.
      apiKey: options.idPlusKey ?? '',
      timeoutMs,
      maxRetries,
      deadlineMs,
      retry: options.retry,
      dispatcher: options.dispatcher,
      userAgent: 'socure-connector',
      onCall: options.onCall,
    });
    this.idplus = new IdPlusResource(this);
    this.reasonCodes = new ReasonCodesResource(this);
    this.docv = new DocvResource(this);
    this.riskOsClient = options.riskOs
      ? new RiskOsClient({ ...options.riskOs, onCall: options.riskOs.onCall ?? options.onCall })
      : undefined;
    this.hasIdPlus = !riskOsOnly;
  }

  /** The RiskOS client; throws SocureConfigurationError when no RiskOS key is configured (SOCURE_RISKOS_KEY). */
  get riskos(): RiskOsClient {
    if (!this.riskOsClient) throw noRiskOsKeyError();
    return this.riskOsClient;
  }

  /** Whether a RiskOS key is configured. */
  get hasRiskOs(): boolean {
    return this.riskOsClient !== undefined;
  }

  /**
   * This client (same connection pool and settings), also appending every request it sends to `calls`, for the
   * audit trail of a flow step.
   */
  withCallLog(calls: SocureCall[]): SocureClient {
    const view = Object.create(this) as SocureClient;
    Object.defineProperties(view, {
      transport: { value: this.transport.recording(calls) },
      idplus: { value: new IdPlusResource(view) },
      reasonCodes: { value: new ReasonCodesResource(view) },
      docv: { value: new DocvResource(view) },
      riskOsClient: { value: this.riskOsClient?.withCallLog(calls) },
    });
    return view;
  }

  /** Sends a request and returns its JSON body; a non-2xx answer throws its error class. */
  async send(req: TransportRequest): Promise<{ json: unknown; response: TransportResponse }> {
    if (!this.hasIdPlus) throw noIdPlusKeyError();
    const response = await this.transport.send(req);
    if (response.statusCode < 200 || response.statusCode >= 300) throw errorFromResponse(response);
    return { json: response.json, response };
  }

  /**
   * The custom call ("Make Custom API Call"): any method and path on the configured base URL.
   * Answers every HTTP status as `{ statusCode, headers, rawResponse }`; throws only for bad input
   * or when no answer was obtained.
   */
  request(req: CustomRequest): Promise<CustomResponse> {
    if (!this.hasIdPlus) return Promise.reject(noIdPlusKeyError());
    return sendCustomRequest(this.transport, req);
  }

  /** Closes pooled connections. */
  async close(): Promise<void> {
    await Promise.all([this.transport.close(), this.riskOsClient?.close()]);
  }
}
