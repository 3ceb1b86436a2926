import type { Dispatcher } from 'undici';
import { Agent } from '../shared/undici-agent.js';
import type { SocureCall } from './call-log.js';
import { SocureConnectionError, SocureTimeoutError } from './errors.js';
import { ResponseCollector } from './response-collector.js';
import {
  backoffDelayMs,
  classifyStatus,
  DEFAULT_RETRY,
  type FailureKind,
  parseRetryAfter,
  REAL_CLOCK,
  type RetryOptions,
} from './retry.js';

export interface TransportOptions {
  baseUrl: URL;
  apiKey: string;
  timeoutMs: number;
  maxRetries: number;
  /** Overall deadline across all attempts and waits. */
  deadlineMs: number;
  retry?: RetryOptions;
  dispatcher?: Dispatcher;
  userAgent?: string;
  /** The whole Authorization value; default `SocureApiKey <apiKey>` (RiskOS sends `Bearer <key>`). */
  authorization?: string;
  /** Headers sent on every request (e.g. RiskOS's `X-API-Version`); a request's own headers win. */
  defaultHeaders?: Record<string, string>;
  /** Told of every request once it is over (after its retries): the call log's record (e.g. for metrics). */
  onCall?: SocureCallListener;
}

/** A finished request as the call log records it, and the error when no answer came. */
export type SocureCallListener = (call: SocureCall, error?: unknown) => void;

export interface TransportRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** Path (and query) relative to the base URL, already checked by the caller. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface TransportResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The parsed body when it is JSON, otherwise undefined. */
  json: unknown;
  attempts: number;
}

/** Paths that URL parsing leaves as they are: plain segments, none of them `.` or `..`, no query. */
const SIMPLE_PATH = /^(?:\/(?!\.\.?(?:\/|$))[\w.~-]*)+$/;

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Sends requests to one Socure base URL with the key, a per-attempt timeout, an overall deadline and
 * the retry policy. Answers every HTTP status to the caller; throws only when no answer was obtained.
 */
export class Transport {
  readonly baseUrl: URL;
  private readonly options: TransportOptions;
  private readonly retry: Required<RetryOptions>;
  private readonly dispatcher: Dispatcher;
  private readonly authorization: string;

  /** The base URL's path without trailing slashes; request paths are appended to it. */
  private readonly basePath: string;
  /** The headers of a request without headers of its own, without and with a body (copied per request). */
  private readonly baseHeaders: Record<string, string>;
  private readonly bodyHeaders: Record<string, string>;

  constructor(options: TransportOptions) {
    this.options = options;
    this.baseUrl = options.baseUrl;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 10_000, connections: 64 });
    this.authorization = options.authorization ?? `SocureApiKey ${options.apiKey}`;
    this.basePath = options.baseUrl.pathname.replace(/\/+$/, '');
    this.baseHeaders = this.headersWith({ method: 'GET', path: '/', headers: {} });
    this.bodyHeaders = this.headersWith({ method: 'POST', path: '/', headers: {}, body: '' });
  }

  /** This transport, also appending each request it sends to `calls` (an explicit log: no async context). */
  recording(calls: SocureCall[]): Transport {
    const view = Object.create(this) as Transport;
    view.send = (req) => this.#sendRecorded(req, calls);
    return view;
  }

  send(req: TransportRequest): Promise<TransportResponse> {
    return this.options.onCall ? this.#sendRecorded(req, undefined) : this.#send(req);
  }

  /** Sends `req`, appending its record to `calls` (when given) and telling `onCall` (when set). */
  async #sendRecorded(req: TransportRequest, calls: SocureCall[] | undefined): Promise<TransportResponse> {
    const started = performance.now();
    const call = (status: number | null, referenceId: unknown, attempts: number | null): SocureCall => ({
      method: req.method,
      endpoint: req.path.split('?')[0]!,
      status,
      referenceId: typeof referenceId === 'string' ? referenceId : null,
      attempts,
      durationMs: Math.round(performance.now() - started),
    });
    const record = (done: SocureCall, error?: unknown) => {
      calls?.push(done);
      this.options.onCall?.(done, error);
    };
    try {
      const response = await this.#send(req);
      record(
        call(
          response.statusCode,
          // A RiskOS answer's reference is its eval_id.
          (response.json as { referenceId?: unknown; eval_id?: unknown } | undefined)?.referenceId ??
            (response.json as { eval_id?: unknown } | undefined)?.eval_id,
          response.attempts,
        ),
      );
      return response;
    } catch (err) {
      record(call(null, undefined, null), err);
      throw err;
    }
  }

  async #send(req: TransportRequest): Promise<TransportResponse> {
    const clock = this.retry.clock ?? REAL_CLOCK; // `retry: { clock: undefined }` means the default too
    const deadline = clock.now() + this.options.deadlineMs;
    for (let attempt = 0; ; attempt++) {
      const remaining = deadline - clock.now();
      if (remaining <= 0)
        throw new SocureTimeoutError(`No answer from Socure within ${this.options.deadlineMs} ms`);
      let failure: FailureKind;
      let retryAfterMs: number | undefined;
      let outcome: TransportResponse | SocureConnectionError | SocureTimeoutError;
      try {
        outcome = await this.attempt(req, Math.min(this.options.timeoutMs, remaining), attempt + 1);
        failure = classifyStatus(outcome.statusCode);
        retryAfterMs = parseRetryAfter(outcome.headers['retry-after']);
      } catch (err) {
        if (!(err instanceof SocureConnectionError || err instanceof SocureTimeoutError)) throw err;
        outcome = err;
        failure = err instanceof SocureTimeoutError ? 'timeouts' : 'connectionErrors';
      }
      const retryable = failure !== 'final' && this.retry[failure] && attempt < this.options.maxRetries;
      const wait = backoffDelayMs(attempt, retryAfterMs);
      if (!retryable || clock.now() + wait >= deadline) {
        if (outcome instanceof Error) throw outcome;
        return outcome;
      }
      await clock.sleep(wait);
    }
  }

  private async attempt(
    req: TransportRequest,
    timeoutMs: number,
    attempts: number,
  ): Promise<TransportResponse> {
    // Joined as strings: `new URL('//x', base)` would treat a doubled slash as another host.
    const path = `${this.basePath}${req.path}`;
    const headers: Record<string, string> =
      req.headers === undefined
        ? { ...(req.body === undefined ? this.baseHeaders : this.bodyHeaders) }
        : this.headersWith(req);
    const collector = new ResponseCollector();
    // A timer cleared on completion: AbortSignal.timeout's timer would live on until it fires, and undici's
    // own timeouts are too coarse (~1 s) to keep the overall deadline. The reason (the timeout error's
    // cause) is the DOMException "AbortError" an AbortController gives.
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      collector.abort(new DOMException('This operation was aborted', 'AbortError'));
    }, timeoutMs);
    try {
      this.dispatcher.dispatch(
        { ...this.target(path), method: req.method, headers, body: req.body },
        collector,
      );
      const { statusCode, headers: responseHeaders, text } = await collector.response;
      return { statusCode, headers: responseHeaders, text, json: parseJson(text), attempts };
    } catch (err) {
      const code = (err as { code?: string }).code ?? (err as Error).name;
      if (timedOut) {
        throw new SocureTimeoutError(`Socure did not answer within ${timeoutMs} ms (attempt ${attempts})`, {
          cause: err,
        });
      }
      throw new SocureConnectionError(`Could not reach Socure at ${this.baseUrl.origin} (${code})`, {
        cause: err,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Origin and path as `undici.request(url)` derives them from the joined URL: a plain path as it is (it
   * would come out of URL parsing unchanged), anything else through URL parsing (query kept, hash dropped).
   */
  private target(path: string): { origin: string; path: string } {
    const origin = this.baseUrl.origin;
    if (SIMPLE_PATH.test(path)) return { origin, path };
    const url = new URL(`${origin}${path}`);
    return { origin: url.origin, path: url.search ? `${url.pathname}${url.search}` : url.pathname };
  }

  /** The headers of a request that brings its own: ours around them, in the order always sent. */
  private headersWith(req: TransportRequest): Record<string, string> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...this.options.defaultHeaders,
      ...req.headers,
      authorization: this.authorization,
    };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.userAgent) headers['user-agent'] = this.options.userAgent;
    return headers;
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}
