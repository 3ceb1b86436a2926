import type { Dispatcher } from 'undici';

export interface CollectedResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as UTF-8 text, a leading byte-order mark dropped. */
  text: string;
}

/**
 * A dispatch handler that collects one whole response as text: what `undici.request()` then `body.text()`
 * give (the final status, the headers as undici parses them, the same decoding), without the Readable
 * stream, the async resource and the two promises that `request()` puts between the socket and the text.
 * Measured in place, that saves ~10–20 µs of CPU per call. Errors reach `response` as undici raised them.
 */
export class ResponseCollector implements Dispatcher.DispatchHandler {
  readonly response: Promise<CollectedResponse>;
  private resolve!: (response: CollectedResponse) => void;
  private reject!: (err: unknown) => void;
  private controller: Dispatcher.DispatchController | undefined;
  private reason: Error | undefined;
  private statusCode = 0;
  private headers: CollectedResponse['headers'] = {};
  private readonly chunks: Buffer[] = [];
  private length = 0;

  constructor() {
    this.response = new Promise<CollectedResponse>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /** Cancels the request with `reason`, which `response` then rejects with (at once if it has started). */
  abort(reason: Error): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.controller?.abort(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    // Aborted while still queued: undici reports the reason through onResponseError.
    if (this.reason !== undefined) controller.abort(this.reason);
    else this.controller = controller;
  }

  /** Also called for 1xx answers: the final answer's status and headers overwrite theirs. */
  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: CollectedResponse['headers'],
  ): void {
    this.statusCode = statusCode;
    this.headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  onResponseEnd(): void {
    this.resolve({ statusCode: this.statusCode, headers: this.headers, text: this.decode() });
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.reject(err);
  }

  /** As undici's `body.text()` decodes: UTF-8, skipping a byte-order mark. */
  private decode(): string {
    const { chunks, length } = this;
    if (chunks.length === 0 || length === 0) return '';
    const buffer = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length);
    const bom = buffer.length > 2 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf;
    return buffer.toString('utf8', bom ? 3 : 0);
  }
}
