import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { PERSONA_FORM } from '../server/helpers.js';
import {
  bodyFor,
  extraHeaders,
  formValues,
  json,
  methodFor,
  mutatedForm,
  mutatedJson,
  requestOf,
  segment,
  withHeaders,
} from './arbitraries.js';
import { ServiceRig } from './service-rig.js';
import { FUZZ_TIMEOUT_MS, fuzz } from './settings.js';
import { checkServiceAnswer } from './shape.js';
import { printTallies, tally } from './stats.js';

/**
 * The service's forms over real sockets: POST /s/:id/:sig/submit (the idplus-score screen, claimed by the
 * fuzzer's browser) and POST /flows/:id/start. Most bodies are a valid submission with a field or two made odd
 * (objects, {"toString":1}, 20,000 nested arrays, huge strings, repeated keys, bad bytes), so they get past
 * the CSRF and node checks to the form validation and, when valid, through the flow to ID+.
 */
const CASES = { submit: 800, start: 100 };

let rig: ServiceRig;
beforeAll(async () => {
  rig = await ServiceRig.start({ rateLimitApiPerMinute: 1e9, rateLimitPagesPerMinute: 1e9 });
});
afterAll(async () => {
  printTallies();
  await rig?.close();
});

const FORM = { csrf: '$CSRF', node: 'form', ...PERSONA_FORM };
const cookie = fc.oneof(
  { weight: 12, arbitrary: fc.constant('$COOKIE') },
  { weight: 1, arbitrary: fc.constant('$OTHER_COOKIE') },
  { weight: 1, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('sc_browser=', 'sc_browser=%ff', 'sc_browser=a; sc_browser=b', '=;='),
  },
);

const submitPath = fc
  .tuple(
    fc.oneof(
      { weight: 12, arbitrary: fc.constant('$ID') },
      { weight: 1, arbitrary: fc.constant('$OTHER_ID') },
      segment,
    ),
    fc.oneof(
      { weight: 12, arbitrary: fc.constant('$SIG') },
      { weight: 1, arbitrary: fc.constantFrom('$OTHER_SIG', '$SIGA', 'A$SIG') },
      segment,
    ),
  )
  .map(([id, sig]) => `/s/${id}/${sig}/submit`);

const submitBody = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ contentType: fc.constant('application/json'), body: mutatedJson(FORM) }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      contentType: fc.constant('application/x-www-form-urlencoded'),
      body: mutatedForm(FORM),
    }),
  },
  {
    weight: 1,
    arbitrary: bodyFor(
      { csrf: json('$CSRF', '$OTHER_CSRF', '$START_CSRF'), node: json('form', 'score', '') },
      { csrf: formValues('$CSRF', '$OTHER_CSRF'), node: formValues('form') },
    ),
  },
);

const submitRequest = withHeaders(requestOf(methodFor('POST'), submitPath, submitBody, extraHeaders), {
  cookie,
});

describe('fuzz: service forms (real sockets)', () => {
  it(
    `POST /s/:id/:sig/submit: ${CASES.submit} cases, never 5xx, 4xx pages are HTML`,
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat(), fc.nat(), submitRequest, async (i, j, req) => {
          const k = i % rig.screens.length;
          const own = rig.screens[k]!;
          const { req: sent, res } = await rig.send(req, own, rig.screens[j % rig.screens.length]!);
          tally('submit', res.status);
          checkServiceAnswer(sent, res);
          // A valid submission moved the session on: later forms of it are stale, so take a fresh one.
          if (res.status === 303 && (await rig.t.service.store.getSession(own.id))?.status !== 'input')
            await rig.refreshScreen(k);
        }),
        fuzz(CASES.submit),
      );
      await rig.expectHealthy();
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    `POST /flows/:id/start: ${CASES.start} cases from 40 client IPs`,
    async () => {
      const flow = fc.oneof(
        { weight: 6, arbitrary: fc.constant('idplus-score') },
        { weight: 1, arbitrary: fc.constantFrom('docv-qr', 'step-up', 'nope') },
        segment,
      );
      const req = withHeaders(
        requestOf(
          methodFor('POST'),
          flow.map((f) => `/flows/${f}/start`),
          bodyFor({ csrf: json('$START_CSRF', '$CSRF') }, { csrf: formValues('$START_CSRF', '') }),
        ),
        { cookie },
      );
      await fc.assert(
        // From 40 loopback addresses, so the route's own 30/min per-IP limit leaves most cases to the handler.
        fc.asyncProperty(req, fc.nat(39), async (r, ip) => {
          const s = rig.screens[0]!;
          const { req: sent, res } = await rig.send(r, s, s, `127.0.0.${ip + 2}`);
          tally('start', res.status);
          checkServiceAnswer(sent, res);
        }),
        fuzz(CASES.start),
      );
      await rig.expectHealthy();
    },
    FUZZ_TIMEOUT_MS,
  );
});
