import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLEAN_PERSON } from '../sandbox/helpers.js';
import {
  anyMethod,
  bodyFor,
  contentType,
  formValues,
  json,
  jsonText,
  methodFor,
  mutatedForm,
  mutatedJson,
  queryString,
  requestOf,
  segment,
  withHeaders,
} from './arbitraries.js';
import type { RawRequest } from './http.js';
import { DEAD_END, SandboxRig } from './sandbox-rig.js';
import { FUZZ_TIMEOUT_MS, fuzz } from './settings.js';
import { checkSandboxAnswer } from './shape.js';
import { printTallies, tally } from './stats.js';

/**
 * Every route of the offline sandbox (src/sandbox: ID+, reason codes, DocV requests, the capture app, the
 * transaction helpers, clock, SMS outbox, admin pages and admin API) over real sockets. Never a 5xx; a 4xx is
 * Socure's error body ({status:"Error", referenceId, msg, data?.parameters}), or an HTML page on the pages.
 */
const CASES = { socureApi: 600, capture: 400, admin: 400, helpers: 250 };

let rig: SandboxRig;
let heapBefore = 0;
beforeAll(async () => {
  rig = await SandboxRig.start();
  heapBefore = process.memoryUsage().heapUsed;
});
afterAll(async () => {
  printTallies();
  await rig?.close();
});

async function fuzzRoutes(name: string, numRuns: number, req: fc.Arbitrary<RawRequest>) {
  let n = 0;
  await fc.assert(
    fc.asyncProperty(fc.nat(), req, async (pick, r) => {
      // Transactions end as the fuzzer drives them (or advances the clock): keep a live one coming.
      if (++n % 150 === 0) await rig.newTransaction();
      const { req: sent, res } = await rig.send(r, pick);
      tally(name, res.status);
      checkSandboxAnswer(sent, res);
    }),
    fuzz(numRuns),
  );
  await rig.expectHealthy();
}

const noBody = bodyFor({});
const withQuery = (paths: fc.Arbitrary<string>) => fc.tuple(paths, queryString).map(([p, q]) => p + q);
const key = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom('SocureApiKey $KEY', 'socureapikey   $KEY ', 'SocureApiKey $PROD'),
  },
  { weight: 1, arbitrary: fc.constant(undefined) },
  fc.constantFrom(
    'SocureApiKey $SDK',
    'SocureApiKey',
    'Bearer $KEY',
    '$KEY',
    'SocureApiKey $KEY $KEY',
    'SocureApiKey x',
  ),
);

/** A multipart upload, well formed or not: boundaries, part headers, closing delimiter, bytes. */
const multipart = fc
  .record({
    declared: fc.constantFrom('fuzz', '"fuzz"', 'other', ''),
    filename: fc.constantFrom('filename="a.png"', "filename*=UTF-8''a.png", ''),
    partType: fc.constantFrom('image/png', 'image/jpeg', 'text/plain', '', 'image/'),
    content: fc.uint8Array({ maxLength: 64 }),
    closing: fc.boolean(),
    lf: fc.boolean(),
  })
  .map(({ declared, filename, partType, content, closing, lf }) => {
    const nl = lf ? '\n' : '\r\n';
    const head = `--fuzz${nl}content-disposition: form-data; name="image"; ${filename}${nl}${partType ? `content-type: ${partType}${nl}` : ''}${nl}`;
    return {
      contentType: `multipart/form-data; boundary=${declared}`,
      body: Buffer.concat([
        Buffer.from(head),
        Buffer.from(content),
        Buffer.from(`${nl}--fuzz${closing ? '--' : ''}${nl}`),
      ]),
    };
  });

describe('fuzz: sandbox routes (real sockets)', () => {
  it(
    `Socure API: ID+, reason codes, DocV requests, with and without the key: ${CASES.socureApi} cases`,
    async () => {
      const idPlus = { modules: ['kyc', 'fraud', 'decision'], customerUserId: 'fuzz-cu', ...CLEAN_PERSON };
      const docv = {
        config: {
          documentType: 'license',
          sendMessage: true,
          redirect: { method: 'GET', url: 'http://localhost/done' },
        },
        customerUserId: 'fuzz-cu',
        mobileNumber: '+13475550100',
        surName: 'Expired',
      };
      const odd = bodyFor({
        modules: json(['kyc'], ['documentverification'], ['watchliststandard', 'watchlistplus'], 'kyc', []),
        docvTransactionToken: json('$TOKEN', 'nope'),
        config: jsonText,
        verificationLevel: json(1, 2, 3, 4, '2'),
        ...Object.fromEntries(Object.keys(CLEAN_PERSON).map((k) => [k, jsonText])),
      });
      const body = (base: Record<string, unknown>) =>
        fc.oneof(
          {
            weight: 2,
            arbitrary: fc.record({ contentType: fc.constant('application/json'), body: mutatedJson(base) }),
          },
          { weight: 1, arbitrary: odd },
        );
      const routes = fc.oneof(
        requestOf(methodFor('POST'), withQuery(fc.constant('/api/3.0/EmailAuthScore')), body(idPlus)),
        requestOf(
          methodFor('POST'),
          fc.constantFrom('/api/5.0/documents/request', '/api/3.0/documents/request'),
          body(docv),
        ),
        requestOf(methodFor('GET'), withQuery(fc.constant('/api/3.0/reasoncodes')), noBody),
        requestOf(
          anyMethod,
          fc.tuple(segment, segment).map(([a, b]) => `/api/${a}/${b}`),
          odd,
        ),
      );
      await fuzzRoutes('socure api', CASES.socureApi, withHeaders(routes, { authorization: key }));
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    `capture app: pages and every step, uploads well formed or not: ${CASES.capture} cases`,
    async () => {
      const token = fc.oneof({ weight: 6, arbitrary: fc.constant('$TOKEN') }, segment);
      const step = fc.oneof(
        {
          weight: 6,
          arbitrary: fc.constantFrom('consent', 'document-type', 'front', 'back', 'selfie', 'submit'),
        },
        segment,
      );
      const fields = {
        consent: formValues('accept', 'decline'),
        documentType: formValues('license', 'passport'),
        outcome: formValues('auto', 'accept', 'reject', 'expired'),
      };
      const stepBody = fc.oneof(
        { weight: 2, arbitrary: multipart },
        {
          weight: 2,
          arbitrary: fc.record({
            contentType: fc.constant('application/x-www-form-urlencoded'),
            body: mutatedForm({ consent: 'accept', documentType: 'license', outcome: 'auto' }),
          }),
        },
        {
          weight: 1,
          arbitrary: fc.record({
            contentType: contentType,
            body: fc.uint8Array({ maxLength: 64 }).map(Buffer.from),
          }),
        },
        {
          weight: 1,
          arbitrary: bodyFor({ consent: json('accept', true), documentType: json('passport', 1) }, fields),
        },
      );
      const routes = fc.oneof(
        requestOf(methodFor('GET'), withQuery(token.map((t) => `/capture/${t}`)), noBody),
        requestOf(
          methodFor('POST'),
          fc.tuple(token, step).map(([t, s]) => `/capture/${t}/${s}`),
          stepBody,
        ),
      );
      await fuzzRoutes('capture', CASES.capture, routes);
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    `admin pages and admin API (subscriptions, knobs, tests, allowlist, keys): ${CASES.admin} cases`,
    async () => {
      const sub = fc.oneof({ weight: 4, arbitrary: fc.constant('$SUB') }, segment);
      const subscription = {
        url: formValues(DEAD_END, 'ftp://x', 'not a url', ''),
        name: formValues('fuzz', 'x'.repeat(101)),
        secret: formValues('s3cret', 'has space', ''),
        environment: formValues('sandbox', 'production', 'nope'),
        subscriptionType: formValues('Document Verification', 'Other'),
        certificate: formValues('', 'pem'),
        duplicate: formValues('true', 'off', 'maybe'),
        outOfOrder: formValues('1', 'no'),
        delayMs: formValues('0', '10', '-1', '600001', '1.5'),
        entry: formValues('example.com', '10.0.0.1', 'http://x', '', 'a..b'),
      };
      const jsonSubscription = bodyFor(
        {
          url: json(DEAD_END, 'ftp://x', 5),
          secret: json('s3cret', 7, null),
          environment: json('sandbox', 'nope'),
          duplicate: json(true, 'true', 2),
          delayMs: json(0, -1, 1.5, '10'),
          entry: json('example.com', 3),
        },
        subscription,
      );
      const routes = fc.oneof(
        requestOf(
          methodFor('GET'),
          withQuery(
            fc.constantFrom('/admin', '/admin/api/keys', '/admin/api/allowlist', '/admin/api/subscriptions'),
          ),
          noBody,
        ),
        requestOf(
          methodFor('POST'),
          fc.constantFrom(
            '/admin/webhooks',
            '/admin/allowlist',
            '/admin/allowlist/delete',
            '/admin/api/subscriptions',
            '/admin/api/allowlist',
          ),
          jsonSubscription,
        ),
        requestOf(
          methodFor('POST'),
          fc
            .tuple(sub, fc.constantFrom('knobs', 'test', 'delete'))
            .map(([s, a]) => `/admin/webhooks/${s}/${a}`),
          jsonSubscription,
        ),
        requestOf(
          methodFor('POST'),
          fc
            .tuple(sub, fc.constantFrom('knobs', 'test'))
            .map(([s, a]) => `/admin/api/subscriptions/${s}/${a}`),
          jsonSubscription,
        ),
        requestOf(
          methodFor('GET'),
          fc
            .tuple(sub, fc.constantFrom('', '/deliveries'))
            .map(([s, a]) => `/admin/api/subscriptions/${s}${a}`),
          noBody,
        ),
        requestOf(
          methodFor('GET'),
          sub.map((s) => `/admin/webhooks/${s}`),
          noBody,
        ),
        requestOf(
          methodFor('DELETE'),
          fc.oneof(
            segment.map((e) => `/admin/api/allowlist/${e}`),
            fc
              .oneof({ weight: 1, arbitrary: fc.constant('$SUB') }, { weight: 4, arbitrary: segment })
              .map((s) => `/admin/api/subscriptions/${s}`),
          ),
          noBody,
        ),
        requestOf(
          anyMethod,
          segment.map((s) => `/admin/${s}`),
          jsonSubscription,
        ),
      );
      await fuzzRoutes('admin', CASES.admin, routes);
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    `transaction helpers, clock, SMS outbox, stylesheet and unknown paths: ${CASES.helpers} cases`,
    async () => {
      const token = fc.oneof({ weight: 4, arbitrary: fc.constant('$TOKEN') }, segment);
      const helperBody = bodyFor(
        {
          scenario: json('complete-accept', 'decline', 'expire', 'upload-failed', 'nope', 1),
          duplicate: json(true, 'yes', 3),
          delayMs: json(5, -5, '7'),
          ms: json(1000, 0, -1, 1.5, '60000', 1e15),
        },
        {
          scenario: formValues('complete-reject', 'decline', ''),
          ms: formValues('1000', '', 'x', '-1'),
          outOfOrder: formValues('on', 'maybe'),
        },
      );
      const routes = fc.oneof(
        requestOf(
          methodFor('GET'),
          token.map((t) => `/sandbox/transactions/${t}`),
          noBody,
        ),
        requestOf(
          methodFor('POST'),
          fc
            .tuple(token, fc.constantFrom('trigger', 'knobs'))
            .map(([t, a]) => `/sandbox/transactions/${t}/${a}`),
          helperBody,
        ),
        requestOf(
          methodFor('GET'),
          withQuery(
            fc.constantFrom('/sandbox/clock', '/sandbox/sms', '/sandbox/outbox', '/sandbox/assets/style.css'),
          ),
          noBody,
        ),
        // Small advances only: a year-long jump would expire the transactions the other cases drive.
        requestOf(methodFor('POST'), fc.constant('/sandbox/clock/advance'), helperBody),
        requestOf(anyMethod, withQuery(fc.tuple(segment, segment).map(([a, b]) => `/${a}/${b}`)), helperBody),
      );
      await fuzzRoutes('helpers', CASES.helpers, routes);
    },
    FUZZ_TIMEOUT_MS,
  );

  it('after the run: still answering, and the heap grew by less than 200 MB', async () => {
    await rig.expectHealthy();
    (globalThis as { gc?: () => void }).gc?.();
    expect((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20).toBeLessThan(200);
  });
});
