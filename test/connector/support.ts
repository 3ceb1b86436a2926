import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { PNG } from 'pngjs';
import { request } from 'undici';

type DecodeQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
// jsqr is a CommonJS bundle whose function may sit on `default`; resolve it the same way in Node and Vite.
const jsqrModule = createRequire(import.meta.url)('jsqr') as DecodeQr | { default: DecodeQr };
const jsQR: DecodeQr = typeof jsqrModule === 'function' ? jsqrModule : jsqrModule.default;

/** Decodes a `data:image/png;base64,…` QR code; undefined when no QR code is found. */
export function decodeQrDataUrl(dataUrl: string): string | undefined {
  const prefix = 'data:image/png;base64,';
  if (!dataUrl.startsWith(prefix)) throw new Error(`not a PNG data URL: ${dataUrl.slice(0, 40)}`);
  const png = PNG.sync.read(Buffer.from(dataUrl.slice(prefix.length), 'base64'));
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
}

export interface JsonAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests walk arbitrary response JSON
  json: any;
  text: string;
}

/** One real HTTP call (undici) with bounded timeouts, never throwing on a status. */
export async function httpJson(url: string, body?: unknown): Promise<JsonAnswer> {
  const res = await request(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, json, text };
}

/** Drives a sandbox DocV transaction through a scenario (sandbox-only helper endpoint). */
export async function trigger(sandboxUrl: string, token: string, scenario: string): Promise<JsonAnswer> {
  const res = await httpJson(`${sandboxUrl}/sandbox/transactions/${encodeURIComponent(token)}/trigger`, {
    scenario,
  });
  if (res.status !== 200) throw new Error(`trigger ${scenario} answered ${res.status}: ${res.text}`);
  return res;
}

export interface Recorded {
  method: string;
  path: string;
  body: string;
}

export interface LocalServer {
  url: string;
  received: Recorded[];
  close(): Promise<void>;
}

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/** A node:http webhook receiver on port 0: records every request and answers 200. */
export async function startReceiver(): Promise<LocalServer> {
  const received: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.setHeader('content-type', 'application/json');
      res.end('{"received":true}');
    });
  });
  const base = await listen(server);
  return { url: `${base}/webhooks/socure`, received, close: () => closeServer(server) };
}

/** A recording proxy in front of `target`: what the client really sent goes on the wire through it. */
export async function startRecordingProxy(target: string): Promise<LocalServer> {
  const received: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method ?? '', path: req.url ?? '', body });
      const headers: Record<string, string> = {};
      for (const name of ['authorization', 'content-type', 'accept']) {
        const v = req.headers[name];
        if (typeof v === 'string') headers[name] = v;
      }
      request(`${target}${req.url}`, {
        method: (req.method ?? 'GET') as 'GET',
        headers,
        body: body === '' ? undefined : body,
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      })
        .then(async (answer) => {
          const text = await answer.body.text();
          res.statusCode = answer.statusCode;
          const type = answer.headers['content-type'];
          if (typeof type === 'string') res.setHeader('content-type', type);
          res.end(text);
        })
        .catch(() => {
          res.statusCode = 502;
          res.end();
        });
    });
  });
  const url = await listen(server);
  return { url, received, close: () => closeServer(server) };
}

/** A local port with nothing listening on it (bound, then released). */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  const url = await listen(server);
  await closeServer(server);
  return url;
}

export { SEED_WEBHOOK_OUTPUT_EXAMPLE } from '../fixtures/seed-examples.js';

/** The seed's Input Example of "Make Custom API Call", verbatim. */
export const SEED_CUSTOM_CALL_INPUT_EXAMPLE = {
  properties: {
    endpoint: '/api/3.0/EmailAuthScore',
    method: 'POST' as const,
    bodyData: {
      modules: ['addressrisk'],
      firstName: 'John',
      surName: 'Smith',
      physicalAddress: '123 Example Street',
      physicalAddress2: 'Apt. 5',
      city: 'New York',
      state: 'NY',
      zip: '10001',
      country: 'us',
    },
  },
};

/** Labels of "Get an ID+ Score" in the seed's Properties list, in order. */
export const SEED_GET_SCORE_LABELS = [
  'First Name',
  'Sur Name',
  'Email',
  'Country',
  'Physical Address',
  'Physical Address 2',
  'City',
  'State',
  'Zip',
  'Mobile Number',
  'Geocodes (lat long)',
  'National ID',
  'Date of Birth',
  'Company Name',
  'Document UUID',
  'Order Amount',
  'Account Creation Date',
  'Submission Date',
  'Previous Order Count',
  'Last Order Date',
  'Order Channel',
  'Customer User ID',
  'Watchlist Filters',
  'Recipient Country',
  'Payment Type',
  'Disbursement Type',
  'Operation System',
  'Device Type',
  'Device Session ID',
  'Device Interface',
] as const;

/** The type structure of a JSON value (keys and primitive types), to compare "shapes". */
export function shapeOf(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shapeOf);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => x !== undefined)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, shapeOf(x)]),
    );
  }
  return v === null ? 'null' : typeof v;
}
