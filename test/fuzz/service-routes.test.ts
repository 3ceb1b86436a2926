import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestDelivery, DOCV_EVENT_TYPES } from '../../src/webhooks/index.js';
import {
  anyMethod,
  bodyFor,
  json,
  jsonText,
  methodFor,
  mutatedJson,
  objectText,
  queryString,
  requestOf,
  segment,
  withHeaders,
} from './arbitraries.js';
import type { RawRequest } from './http.js';
import { type PoolSession, ServiceRig } from './service-rig.js';
import { FUZZ_TIMEOUT_MS, fuzz } from './settings.js';
import { checkServiceAnswer } from './shape.js';
import { printTallies, tally } from './stats.js';

/**
 * Every public route of the service (src/server/routes) over real sockets, rate limits raised so 429 does not
 * mask the handlers: pages, session pages and their status/event streams, assets, the sessions API with and
 * without the key, Socure's webhook, health. Never a 5xx; 4xx answers are {error} JSON under /api/ and
 * /webhooks/, HTML pages elsewhere; the process still answers /healthz and its heap stays bounded.
 */
const CASES = { pages: 400, sessionPages: 500, api: 600, webhook: 600, health: 100 };

let rig: ServiceRig;
let heapBefore = 0;
beforeAll(async () => {
  rig = await ServiceRig.start({ rateLimitApiPerMinute: 1e9, rateLimitPagesPerMinute: 1e9 });
  heapBefore = process.memoryUsage().heapUsed;
});
afterAll(async () => {
  printTallies();
  await rig?.close();
});

const cookie = fc.oneof(
  { weight: 6, arbitrary: fc.constant('$COOKIE') },
  { weight: 1, arbitrary: fc.constant('$OTHER_COOKIE') },
  { weight: 2, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('sc_browser=', 'sc_browser=%ff', 'sc_browser=a; sc_browser=b', '=;='),
  },
);

/** Runs a property over requests aimed at `pool` sessions; every answer is checked. */
async function fuzzRoutes(
  name: string,
  numRuns: number,
  req: fc.Arbitrary<RawRequest>,
  pool = () => rig.screens,
) {
  await fc.assert(
    fc.asyncProperty(fc.nat(), fc.nat(), req, async (i, j, r) => {
      const sessions: PoolSession[] = pool();
      const own = sessions[i % sessions.length]!;
      const { req: sent, res } = await rig.send(r, own, sessions[j % sessions.length]!);
      tally(name, res.status);
      checkServiceAnswer(sent, res);
    }),
    fuzz(numRuns),
  );
  await rig.expectHealthy();
}

const noBody = bodyFor({});

describe('fuzz: service routes (real sockets)', () => {
  it(
    `pages, flows and assets: ${CASES.pages} cases`,
    async () => {
      const path = fc.oneof(
        fc.constant('/'),
        fc
          .oneof(fc.constantFrom('docv-qr', 'docv-sms', 'idplus-score', 'step-up'), segment)
          .map((f) => `/flows/${f}`),
        fc
          .oneof(fc.constantFrom('style.css', 'wait.js', '..%2fapp.ts', 'STYLE.CSS'), segment)
          .map((a) => `/assets/${a}`),
        fc.tuple(segment, segment).map(([a, b]) => `/${a}/${b}`),
        segment.map((a) => `/${a}`),
        fc.constantFrom('//', '/./', '/flows', '/flows/', '/assets/', '/s/', '/s', '/index.html', '/%2e%2e/'),
      );
      const req = withHeaders(
        requestOf(
          methodFor('GET'),
          fc.tuple(path, queryString).map(([p, q]) => p + q),
          noBody,
        ),
        {
          cookie,
        },
      );
      await fuzzRoutes('pages', CASES.pages, req);
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    `session pages, /status and /events (valid, broken and foreign ids and signatures): ${CASES.sessionPages} cases`,
    async () => {
      const id = fc.oneof({ weight: 8, arbitrary: fc.constant('$ID') }, fc.constant('$OTHER_ID'), segment);
      const sig = fc.oneof(
        { weight: 8, arbitrary: fc.constant('$SIG') },
        fc.constantFrom('$OTHER_SIG', '$SIGA', 'A$SIG', '$SIG%00'),
        segment,
      );
      const suffix = fc.constantFrom(
        '',
        '',
        '/status',
        '/status',
        '/events',
        '/events',
        '/submit',
        '/',
        '/x',
      );
      const path = fc.tuple(id, sig, suffix, queryString).map(([i, s, x, q]) => `/s/${i}/${s}${x}${q}`);
      const req = withHeaders(requestOf(methodFor('GET'), path, noBody), { cookie });
      await fuzzRoutes('session pages', CASES.sessionPages, req, () => [...rig.screens, ...rig.waiting]);
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    `sessions API with and without the key: ${CASES.api} cases`,
    async () => {
      const create = bodyFor({
        flow: json('docv-qr', 'docv-sms', 'idplus-score', 'step-up', 'nope', ''),
        input: fc.oneof(
          objectText({ email: json('a@example.com'), firstName: json('Ada'), n: json(1, true) }),
          jsonText,
        ),
        customerUserId: json('cu-1', '', 'x'.repeat(101), 42),
        returnUrl: json(
          'https://app.example.com/done',
          'javascript:alert(1)',
          'http://[::1]:80/',
          '/relative',
          'ftp://x',
        ),
      });
      const valid = {
        flow: 'idplus-score',
        customerUserId: 'cu-1',
        returnUrl: 'https://app.example.com/done',
      };
      const createBody = fc.oneof(
        create,
        fc.record({ contentType: fc.constant('application/json'), body: mutatedJson(valid) }),
      );
      const withQuery = (paths: fc.Arbitrary<string>) => fc.tuple(paths, queryString).map(([p, q]) => p + q);
      const routes = fc.oneof(
        requestOf(methodFor('POST'), withQuery(fc.constant('/api/sessions')), createBody),
        requestOf(
          methodFor('GET'),
          withQuery(
            fc.oneof({ weight: 3, arbitrary: fc.constant('$ID') }, segment).map((i) => `/api/sessions/${i}`),
          ),
          noBody,
        ),
        requestOf(methodFor('GET'), withQuery(fc.constant('/api/openapi.json')), noBody),
        requestOf(
          anyMethod,
          fc.oneof(
            fc.constantFrom('/api/', '/api', '/api/sessions/', '/api/sessions/$ID/x'),
            segment.map((s) => `/api/${s}`),
          ),
          create,
        ),
      );
      const auth = fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom('Bearer $KEY', 'bearer   $KEY') },
        { weight: 1, arbitrary: fc.constant(undefined) },
        fc.constantFrom('Bearer', 'Bearer wrong', '$KEY', 'Basic $KEY', 'Bearer $KEY $KEY', 'Bearer $KEYx'),
      );
      const req = withHeaders(routes, { authorization: auth });
      await fuzzRoutes('api', CASES.api, req);
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    `Socure webhook route (authenticated or not, odd deliveries): ${CASES.webhook} cases`,
    async () => {
      const event = objectText({
        eventType: json(...DOCV_EVENT_TYPES, 'SOMETHING_NEW', ''),
        referenceId: json('ref-1', 42, ''),
        docvTransactionToken: json('tok-1', 'nope', ''),
        docVTransactionToken: json('tok-2'),
        customerUserId: json('cu-1', 123, 1.5, ''),
        eventId: json('ev-1'),
        created: json('2024-01-01T00:00:00Z', 'not a date'),
        message: json('ok'),
        data: objectText({ uuid: json('u-1'), documentVerification: jsonText, referenceId: json('ref-2') }),
      });
      const odd = bodyFor({
        id: json('d-1', 7, '', 'x'.repeat(300)),
        origId: json('o-1'),
        eventGroup: json('DocvNotification'),
        reason: json('ok'),
        environmentName: json('Sandbox', 'Production'),
        event,
      });
      // A real delivery (as buildTestDelivery makes it, for a waiting session's token or another) with a field
      // or two made odd: it passes authentication and reaches the parser, the inbox and the waiting sessions.
      const real = fc
        .record({
          eventType: fc.constantFrom(...DOCV_EVENT_TYPES, 'SOMETHING_NEW'),
          docvTransactionToken: fc.constantFrom('$TOKEN', 'tok-unknown'),
          customerUserId: fc.constantFrom('cu-1', 'fuzz-docv-qr'),
        })
        .chain((o) => mutatedJson({ ...buildTestDelivery(o) }))
        .map((body) => ({ contentType: 'application/json', body }));
      const delivery = fc.oneof({ weight: 2, arbitrary: odd }, { weight: 1, arbitrary: real });
      const path = fc
        .tuple(
          fc.oneof(
            { weight: 6, arbitrary: fc.constant('$HOOK') },
            fc.constantFrom('$HOOKx', 'x$HOOK'),
            segment,
          ),
          fc.constantFrom('', '', '', '/', '/x'),
        )
        .map(([p, x]) => `/webhooks/socure/${p}${x}`);
      const auth = fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom('$SECRET', 'Bearer $SECRET') },
        { weight: 1, arbitrary: fc.constant(undefined) },
        fc.constantFrom('', 'wrong', 'Bearer', '$SECRET $SECRET', '$SECRETx', 'Basic x $SECRET'),
      );
      const req = withHeaders(requestOf(methodFor('POST'), path, delivery), { authorization: auth });
      await fuzzRoutes('webhook', CASES.webhook, req);
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    `/healthz, /readyz and stray methods: ${CASES.health} cases`,
    async () => {
      const path = fc
        .tuple(fc.constantFrom('/healthz', '/readyz', '/healthz/', '/readyz/x', '/HEALTHZ'), queryString)
        .map(([p, q]) => p + q);
      await fuzzRoutes('health', CASES.health, requestOf(anyMethod, path, noBody));
    },
    FUZZ_TIMEOUT_MS,
  );

  it('after the run: still answers /healthz, and the heap grew by less than 200 MB', async () => {
    await rig.expectHealthy();
    (globalThis as { gc?: () => void }).gc?.();
    const grownMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    expect(grownMb).toBeLessThan(200);
  });
});
