import { SocureInputError } from './errors.js';
import { guardPath } from './path-guard.js';
import type { Transport, TransportRequest } from './transport.js';

export const CUSTOM_METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const;
export type CustomMethod = (typeof CUSTOM_METHODS)[number];

export interface CustomRequest {
  method: CustomMethod;
  /** A path on the base URL, e.g. /api/3.0/EmailAuthScore. */
  path: string;
  query?: Record<string, string | number | boolean> | Array<{ key: string; value: string }>;
  headers?: Record<string, string> | Array<{ key: string; value: string }>;
  /** An object (sent as JSON) or a JSON string. */
  body?: unknown;
}

export interface CustomResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  /** The JSON body, or the text when the body is not JSON. */
  rawResponse: unknown;
}

/** Headers the connector owns; callers cannot override them (the key must stay the configured one). */
const RESERVED_HEADERS = new Set([
  'authorization',
  'content-type',
  'host',
  'content-length',
  'transfer-encoding',
]);

const pairs = (v: CustomRequest['query'] | CustomRequest['headers']): Array<[string, string]> =>
  v === undefined
    ? []
    : Array.isArray(v)
      ? v.map((p) => [p.key, p.value])
      : Object.entries(v).map(([k, x]) => [k, String(x)]);

export function buildCustomRequest(req: CustomRequest): TransportRequest {
  const method = String(req.method ?? '').toUpperCase();
  if (!(CUSTOM_METHODS as readonly string[]).includes(method)) {
    throw new SocureInputError('method', `must be one of ${CUSTOM_METHODS.join(', ')}`);
  }
  const { path, query } = guardPath(req.path);
  for (const [k, v] of pairs(req.query)) query.append(k, v);
  const headers: Record<string, string> = {};
  for (const [k, v] of pairs(req.headers)) {
    const name = k.trim().toLowerCase();
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name))
      throw new SocureInputError('headers', `invalid header name "${k}"`);
    if (/[\r\n\u0000]/.test(v)) throw new SocureInputError('headers', `header "${k}" contains a line break`);
    if (RESERVED_HEADERS.has(name)) throw new SocureInputError('headers', `"${k}" is set by the connector`);
    headers[name] = v;
  }
  let body: string | undefined;
  if (req.body !== undefined && req.body !== null && req.body !== '') {
    if (method === 'GET') throw new SocureInputError('body', 'a GET request cannot have a body');
    if (typeof req.body === 'string') {
      try {
        JSON.parse(req.body);
      } catch {
        throw new SocureInputError('body', 'is not valid JSON');
      }
      body = req.body;
    } else {
      body = JSON.stringify(req.body);
    }
  }
  const qs = query.toString();
  return { method: method as CustomMethod, path: qs ? `${path}?${qs}` : path, headers, body };
}

export async function sendCustomRequest(transport: Transport, req: CustomRequest): Promise<CustomResponse> {
  const res = await transport.send(buildCustomRequest(req));
  return { statusCode: res.statusCode, headers: res.headers, rawResponse: res.json ?? res.text };
}
