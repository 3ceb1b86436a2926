import type { SocureCall } from './call-log.js';
import {
  baseUrlOption,
  type ClientTransportOptions,
  checkKeyCharacters,
  DEFAULT_MAX_RETRIES,
  sharedTransportOptions,
} from './client-options.js';
import { type CustomRequest, type CustomResponse, sendCustomRequest } from './custom-request.js';
import { DocvResource } from './docv/resource.js';
import { SOCURE_HOSTS, type SocureEnvironment } from './environments.js';
import { errorFromResponse } from './error-from-response.js';
import { noIdPlusKeyError, noRiskOsKeyError, SocureInputError } from './errors.js';
import { IdPlusResource } from './idplus/resource.js';
import { ReasonCodesResource } from './reason-codes.js';
import { RiskOsClient, type RiskOsClientOptions } from './riskos/client.js';
import {
  type SocureCallListener,
  Transport,
  type TransportRequest,
  type TransportResponse,
} from './transport.js';

export interface SocureClientOptions extends ClientTransportOptions {
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
  /** RiskOS (its own key and host): makes `client.riskos` available. */
  riskOs?: RiskOsClientOptions;
  /** Told of every ID+ / DocV request once it is over (endpoint, status, attempts, duration): e.g. metrics. */
  onCall?: SocureCallListener;
}

export const DEFAULT_TIMEOUT_MS = 5_000;
export { DEFAULT_MAX_RETRIES };

function resolveBaseUrl(options: SocureClientOptions): URL {
  if (options.baseUrl !== undefined) return baseUrlOption(options.baseUrl);
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
    if (options.idPlusKey !== undefined) checkKeyCharacters('idPlusKey', options.idPlusKey);
    // A RiskOS-only client calls no ID+ host (send() refuses first): certification's unpublished host is no error.
    const baseUrl =
      riskOsOnly && options.baseUrl === undefined && options.environment === 'certification'
        ? new URL('https://certification.invalid')
        : resolveBaseUrl(options);
    this.baseUrl = baseUrl.href.replace(/\/$/, '');
    this.transport = new Transport({
      ...sharedTransportOptions(baseUrl, options, DEFAULT_TIMEOUT_MS),
      // Never sent without a key: send() and request() refuse first.
      apiKey: options.idPlusKey ?? '',
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
