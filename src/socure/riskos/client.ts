import type { SocureCall } from '../call-log.js';
import {
  baseUrlOption,
  type ClientTransportOptions,
  checkKeyCharacters,
  sharedTransportOptions,
} from '../client-options.js';
import { errorFromResponse } from '../error-from-response.js';
import { SocureInputError } from '../errors.js';
import { Transport, type TransportRequest, type TransportResponse } from '../transport.js';
import { EvaluationsResource } from './evaluations.js';

/** RiskOS hosts (socure-api.md §10). Certification has no public RiskOS host: pass `baseUrl`. */
export const RISKOS_HOSTS = {
  sandbox: 'https://riskos.sandbox.socure.com',
  production: 'https://riskos.socure.com',
} as const;
export type RiskOsEnvironment = keyof typeof RISKOS_HOSTS;

/** The API version Socure's examples send; optional (without it RiskOS answers with the account's default). */
export const RISKOS_EXAMPLE_API_VERSION = '2025-01-01.orion';

export interface RiskOsClientOptions extends ClientTransportOptions {
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
}

export const RISKOS_DEFAULT_TIMEOUT_MS = 15_000;
const API_VERSION = /^[\w.-]{1,50}$/;

function baseUrlOf(options: RiskOsClientOptions): URL {
  if (options.baseUrl !== undefined) return baseUrlOption(options.baseUrl);
  const env = options.environment ?? 'sandbox';
  if (env === 'certification')
    throw new SocureInputError('environment', 'RiskOS publishes no certification host; pass baseUrl');
  const host = RISKOS_HOSTS[env];
  if (host === undefined) throw new SocureInputError('environment', 'must be sandbox or production');
  return new URL(host);
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
    checkKeyCharacters('apiKey', options.apiKey);
    if (options.apiVersion !== undefined && !API_VERSION.test(options.apiVersion))
      throw new SocureInputError('apiVersion', 'expected a version such as 2025-01-01.orion');
    const baseUrl = baseUrlOf(options);
    this.baseUrl = baseUrl.href.replace(/\/$/, '');
    this.transport = new Transport({
      ...sharedTransportOptions(baseUrl, options, RISKOS_DEFAULT_TIMEOUT_MS),
      apiKey: options.apiKey,
      authorization: `Bearer ${options.apiKey}`,
      defaultHeaders: options.apiVersion ? { 'x-api-version': options.apiVersion } : undefined,
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
