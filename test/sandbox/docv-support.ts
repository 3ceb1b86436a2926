import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { type RunningSandbox, type SandboxOptions, startSandbox } from '../../src/sandbox/index.js';
import { type SocureWebhookDelivery, verifyAndParse } from '../../src/webhooks/index.js';

/** What a local receiver saw: one entry per HTTP request, with the raw body for verifyAndParse. */
export interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests walk the delivery JSON
  body: any;
  at: number;
}

/** How the receiver answers request n (0-based): a status code, or 'hang' (never answers). */
export type Plan = (n: number, body: { event?: { eventType?: string } }) => number | 'hang';

export interface Receiver {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

/** A node:http receiver on port 0 that records every delivery and answers as `plan` says. */
export async function startReceiver(plan: Plan = () => 200): Promise<Receiver> {
  const received: Received[] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      received.push({ headers: req.headers, raw, body, at: Date.now() });
      const answer = plan(n++, (body ?? {}) as { event?: { eventType?: string } });
      if (answer === 'hang') return;
      res.statusCode = answer;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ received: answer < 300 }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/socure`,
    received,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export interface Http {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests walk response JSON
  json: any;
}

/** One real HTTP request (undici), redirects not followed, never throwing on a status. */
export async function http(
  url: string,
  init: { method?: string; body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<Http> {
  const res = await request(url, {
    method: (init.method ?? (init.body === undefined ? 'GET' : 'POST')) as 'GET',
    headers: init.headers,
    body: init.body,
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
  return { status: res.statusCode, headers: res.headers, text, json };
}

export const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  http(url, { body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });

export const postForm = (url: string, fields: Record<string, string>) =>
  http(url, {
    body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });

/** A multipart/form-data body with one file field, as a browser form sends it. */
export function multipartImage(bytes: Buffer, filename = 'photo.png', type = 'image/png') {
  const boundary = `----sandboxtest${Math.random().toString(16).slice(2)}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    body: Buffer.concat([head, bytes, tail]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

export const SECRET = 'whsec-sandbox-test-secret';

export interface Rig {
  sandbox: RunningSandbox;
  receiver: Receiver;
  key: string;
  close(): Promise<void>;
}

/** A sandbox (fast retries) with one webhook subscription (with SECRET) pointing at a fresh receiver. */
export async function startRig(plan?: Plan, options: SandboxOptions = {}): Promise<Rig> {
  const receiver = await startReceiver(plan);
  const sandbox = await startSandbox({
    port: 0,
    deliveryRetryBaseMs: 50,
    webhooks: [{ url: receiver.url, secret: SECRET, name: 'test receiver' }],
    ...options,
  });
  return {
    sandbox,
    receiver,
    key: sandbox.keys.sandbox.idPlusKey,
    close: async () => {
      await sandbox.close();
      await receiver.close();
    },
  };
}

/** POST a document request (v5 by default) with the sandbox ID+ key. */
export function docvRequest(
  rig: { sandbox: RunningSandbox },
  body: unknown,
  version: 'v5' | 'v3' = 'v5',
  key?: string,
) {
  const path = version === 'v5' ? '/api/5.0/documents/request' : '/api/3.0/documents/request';
  return postJson(`${rig.sandbox.url}${path}`, body, {
    authorization: `SocureApiKey ${key ?? rig.sandbox.keys.sandbox.idPlusKey}`,
  });
}

/** ID+ documentverification for a token (or `{documentUuid}`). */
export function docvResult(
  rig: { sandbox: RunningSandbox },
  ref: string | { documentUuid: string },
  key?: string,
) {
  const link = typeof ref === 'string' ? { docvTransactionToken: ref } : ref;
  return postJson(
    `${rig.sandbox.url}/api/3.0/EmailAuthScore`,
    { modules: ['documentverification'], ...link },
    { authorization: `SocureApiKey ${key ?? rig.sandbox.keys.sandbox.idPlusKey}` },
  );
}

/** Walks the capture app over HTTP like a no-JS browser: GET, then one POST per step, following 303s. */
export async function captureOverHttp(
  base: string,
  url: string,
  opts: { documentType?: 'license' | 'passport'; outcome?: string; skipTypeStep?: boolean } = {},
) {
  const token = url.split('/capture/')[1]!;
  const step = (name: string) => `${base}/capture/${token}/${name}`;
  const pages: Http[] = [await http(url)];
  const expect303 = (res: Http, what: string) => {
    if (res.status !== 303)
      throw new Error(`${what}: expected 303, got ${res.status}: ${res.text.slice(0, 300)}`);
    return res;
  };
  expect303(await postForm(step('consent'), { consent: 'accept' }), 'consent');
  if (!opts.skipTypeStep) {
    expect303(
      await postForm(step('document-type'), { documentType: opts.documentType ?? 'license' }),
      'type',
    );
  }
  const sides = opts.documentType === 'passport' ? ['front', 'selfie'] : ['front', 'back', 'selfie'];
  for (const side of sides) {
    pages.push(await http(url));
    const image = multipartImage(Buffer.from(`fake ${side} image bytes`));
    expect303(await http(step(side), { body: image.body, headers: image.headers }), side);
  }
  pages.push(await http(url));
  const submitted = await postForm(step('submit'), { outcome: opts.outcome ?? 'auto' });
  return { token, pages, submitted, done: await http(url) };
}

/** The deliveries of one transaction, each verified and parsed by the real receiver code. */
export function deliveriesOf(
  receiver: Receiver,
  referenceId: string,
  secret = SECRET,
): SocureWebhookDelivery[] {
  return receiver.received
    .filter((r) => r.body?.origId === referenceId)
    .map((r) => verifyAndParse({ headers: r.headers, rawBody: r.raw, secrets: secret }));
}

export const typesOf = (deliveries: Array<{ eventType: string }>) => deliveries.map((d) => d.eventType);

export const FULL_SEQUENCE = [
  'WAITING_FOR_USER_TO_REDIRECT',
  'APP_OPENED',
  'DOCUMENT_FRONT_UPLOADED',
  'DOCUMENT_BACK_UPLOADED',
  'DOCUMENT_SELFIE_UPLOADED',
  'DOCUMENTS_UPLOADED',
  'VERIFICATION_COMPLETED',
  'SESSION_COMPLETE',
];
