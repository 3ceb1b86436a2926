import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildTestDelivery,
  createNodeWebhookHandler,
  DOCV_EVENT_TYPES,
  getHeader,
  parseDelivery,
  verifyAndParse,
  WebhookAuthenticationError,
  WebhookPayloadError,
} from '../../src/webhooks/index.js';
import {
  anyMethod,
  contentType,
  json,
  jsonText,
  mutatedJson,
  objectText,
  oddString,
  printable,
} from './arbitraries.js';
import { send } from './http.js';
import { FUZZ_TIMEOUT_MS, fuzz } from './settings.js';
import { returnsOrThrows } from './typed-errors.js';

/**
 * The webhook receiver library (src/webhooks): verifyAndParse / parseDelivery / getHeader on generated headers
 * and bodies — a delivery or a WebhookAuthenticationError / WebhookPayloadError, never anything else — and
 * createNodeWebhookHandler over a real socket: never a 5xx (onDelivery never throws here), 4xx are {error}.
 */
const CASES = { verify: 1_500, headers: 400, node: 300 };
const SECRETS = ['s3cret', 'rotated-secret'];

const event = objectText({
  eventType: json(...DOCV_EVENT_TYPES, 'NEW_EVENT', '', 5),
  referenceId: json('ref', 1, null),
  docvTransactionToken: json('tok', ''),
  docVTransactionToken: json('tok2'),
  customerUserId: json('cu', 12, 1.5, -0),
  created: json('2024-01-01T00:00:00Z', 'yesterday'),
  data: objectText({ uuid: json('u'), documentVerification: jsonText, docvTransactionToken: json('t') }),
});
const real = fc
  .record({
    eventType: fc.constantFrom(...DOCV_EVENT_TYPES, 'NEW_EVENT'),
    docvTransactionToken: fc.constantFrom('tok', 'x'),
  })
  .chain((o) => mutatedJson({ ...buildTestDelivery(o) }));
const bodyText = fc.oneof(
  { weight: 2, arbitrary: real },
  {
    weight: 2,
    arbitrary: objectText({
      id: json('d-1', 3, '', 1.5),
      event,
      environmentName: json('Sandbox', 3),
      origId: json('o'),
    }),
  },
  { weight: 1, arbitrary: jsonText },
  { weight: 1, arbitrary: oddString },
);
const rawBody = fc.oneof(
  { weight: 4, arbitrary: bodyText },
  { weight: 1, arbitrary: bodyText.map((t) => Buffer.from(t)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 80 }) },
  { weight: 1, arbitrary: fc.constantFrom('\ufeff{"id":"x","event":{"eventType":"APP_OPENED"}}', '') },
);
const authorization = fc.oneof(
  fc.constantFrom(
    's3cret',
    'Bearer s3cret',
    'Bearer  rotated-secret ',
    'wrong',
    '',
    ' ',
    'Bearer',
    's3cret s3cret',
  ),
  printable(20),
);
const headers = fc.oneof(
  fc.record({ authorization }, { requiredKeys: [] }),
  fc.record({ Authorization: fc.array(authorization, { maxLength: 3 }) }),
  fc.dictionary(
    fc.constantFrom('authorization', 'AUTHORIZATION', 'content-type', '__proto__', 'toString'),
    fc.oneof(authorization, fc.constant(undefined)),
  ),
  authorization.map((a) => new Headers({ authorization: a.replace(/[^\t\x20-\x7e]/g, '') })),
);

let server: Server;
let origin = '';
beforeAll(async () => {
  server = createServer(
    createNodeWebhookHandler({ secrets: SECRETS, onDelivery: () => undefined, maxBodyBytes: 64 * 1024 }),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

describe('fuzz: webhook receiver library', () => {
  it(
    `verifyAndParse and parseDelivery: ${CASES.verify} deliveries, a delivery or a WebhookError subclass`,
    () => {
      fc.assert(
        fc.property(
          headers,
          rawBody,
          fc.constantFrom(SECRETS, [], 's3cret', undefined),
          (h, body, secrets) => {
            const delivery = returnsOrThrows(
              () => verifyAndParse({ headers: h, rawBody: body, secrets }),
              [WebhookAuthenticationError, WebhookPayloadError],
              { h, body },
            );
            if (delivery) {
              expect(typeof delivery.id).toBe('string');
              expect(typeof delivery.eventType).toBe('string');
            }
            returnsOrThrows(() => parseDelivery(body), [WebhookPayloadError], body);
          },
        ),
        fuzz(CASES.verify),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    `getHeader: ${CASES.headers} header objects, a string or undefined`,
    () => {
      fc.assert(
        fc.property(headers, fc.constantFrom('authorization', 'Authorization', 'x'), (h, name) => {
          const v = getHeader(h, name);
          expect(v === undefined || typeof v === 'string').toBe(true);
        }),
        fuzz(CASES.headers),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    `createNodeWebhookHandler over a socket: ${CASES.node} requests, never 5xx, 4xx are {error}`,
    async () => {
      const req = fc.record({
        method: fc.oneof({ weight: 4, arbitrary: fc.constant('POST') }, anyMethod),
        body: fc.oneof(
          bodyText,
          fc.uint8Array({ maxLength: 80 }).map((b) => Buffer.from(b)),
          fc.constant('x'.repeat(70_000)),
        ),
        authorization: fc.option(
          authorization.map((a) => a.replace(/[^\t\x20-\x7e]/g, '')),
          { nil: undefined },
        ),
        type: fc.option(contentType, { nil: undefined }),
      });
      await fc.assert(
        fc.asyncProperty(req, async ({ method, body, authorization: auth, type }) => {
          const h: Record<string, string> = {};
          if (auth !== undefined) h.authorization = auth;
          if (type !== undefined) h['content-type'] = type;
          const res = await send(origin, {
            method,
            path: '/hook',
            headers: h,
            body: method === 'HEAD' ? undefined : body,
          });
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400 && method !== 'HEAD')
            expect(typeof JSON.parse(res.text).error).toBe('string');
        }),
        fuzz(CASES.node),
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
