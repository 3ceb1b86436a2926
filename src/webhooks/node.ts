import type { IncomingMessage, ServerResponse } from 'node:http';
import { WebhookError } from './errors.js';
import {
  DEFAULT_MAX_BODY_BYTES,
  normalizeSecrets,
  parseDelivery,
  type SocureWebhookDelivery,
  verifyAuthorization,
  type WebhookSecrets,
} from './verify.js';

export interface NodeWebhookHandlerOptions {
  secrets?: WebhookSecrets;
  /**
   * Called once per accepted delivery; the 200 is sent only after it resolves, so commit the delivery
   * here. If it throws, the answer is 500 and Socure retries: nothing acknowledged is lost.
   */
  onDelivery: (delivery: SocureWebhookDelivery) => unknown;
  /** Larger bodies are answered 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Told about failures of `onDelivery` (for logging); the request is answered 500 either way. */
  onError?: (error: unknown) => void;
}

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A plain `node:http` request handler for Socure deliveries. Answers:
 * 200 `{"received":true}`, 400/401 `{"error": reason}`, 405, 413, 500 `{"error":"internal_error"}`.
 */
export function createNodeWebhookHandler(options: NodeWebhookHandlerOptions): NodeHandler {
  const { onDelivery, onError } = options;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const secrets = normalizeSecrets(options.secrets); // configuration errors surface at startup
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0) throw new TypeError('maxBodyBytes must be > 0');

  return (req, res) => {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      send(res, 405, { error: 'method_not_allowed' });
      req.resume();
      return;
    }
    // verifyAndParse in two halves: the credentials are checked before a byte of the body is buffered.
    let authenticated: boolean;
    try {
      authenticated = verifyAuthorization({ headers: req.headers, secrets });
    } catch (error) {
      if (error instanceof WebhookError) send(res, error.statusCode, { error: error.reason }, true);
      else fail(res, error, onError);
      req.resume();
      return;
    }
    readBody(req, maxBodyBytes).then(
      async (rawBody) => {
        if (rawBody === undefined) {
          send(res, 413, { error: 'body_too_large' }, true);
          return;
        }
        let delivery: SocureWebhookDelivery;
        try {
          delivery = parseDelivery(rawBody, authenticated);
        } catch (error) {
          if (error instanceof WebhookError) send(res, error.statusCode, { error: error.reason });
          else fail(res, error, onError);
          return;
        }
        try {
          await onDelivery(delivery);
        } catch (error) {
          fail(res, error, onError);
          return;
        }
        send(res, 200, { received: true });
      },
      () => {
        // The client went away or the stream broke: nothing was acknowledged, nothing to answer.
        if (!res.headersSent && !res.destroyed) send(res, 400, { error: 'body_read_failed' }, true);
      },
    );
  };
}

function fail(res: ServerResponse, error: unknown, onError: ((error: unknown) => void) | undefined) {
  try {
    onError?.(error);
  } catch {
    // a failing logger must not keep the answer from being sent
  }
  send(res, 500, { error: 'internal_error' });
}

function send(res: ServerResponse, status: number, body: unknown, close = false) {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.setHeader('cache-control', 'no-store');
  if (close) res.setHeader('connection', 'close');
  res.end(text);
}

/**
 * The whole body, or undefined when it exceeds `limit`. Past the limit nothing more is read: the request is
 * paused (the socket stops being read once its small buffer fills), the caller answers 413 with
 * `connection: close`, and Node closes the socket once that answer is written. A declared Content-Length over
 * the limit is refused before a byte of the body is read.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.pause();
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        req.off('data', onData);
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => {
      if (size <= limit) resolve(Buffer.concat(chunks, size));
    });
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('request aborted')));
  });
}
