import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyFor, json, methodFor, requestOf, segment, withHeaders } from './arbitraries.js';
import { ServiceRig } from './service-rig.js';
import { FUZZ_TIMEOUT_MS, fuzz, runs } from './settings.js';
import { checkServiceAnswer } from './shape.js';

/**
 * The service with its default per-IP rate limits (600/min on pages and anonymous API calls, 30/min on
 * starting a flow): enough requests from one address to pass them, so 429 answers are checked too — an HTML
 * page on pages, {error: "rate_limited"} JSON under /api/ — and never a 5xx.
 */
const CASES = 800;

let rig: ServiceRig;
beforeAll(async () => {
  rig = await ServiceRig.start();
});
afterAll(() => rig?.close());

describe('fuzz: default rate limits', () => {
  it(
    `${CASES} cases from one client over pages, the anonymous API and flow starts`,
    async () => {
      const seen = { html429: 0, json429: 0 };
      // Mostly the API, whose anonymous budget (600/min) is its own: ~690 calls pass it; flow starts pass 30/min.
      const routes = fc.oneof(
        requestOf(
          methodFor('GET'),
          fc.constantFrom('/', '/flows/idplus-score', '/s/$ID/$SIG', '/nope'),
          bodyFor({}),
        ),
        requestOf(
          methodFor('POST'),
          fc.constantFrom('/flows/idplus-score/start', '/flows/docv-qr/start'),
          bodyFor({ csrf: json('$START_CSRF') }),
        ),
        {
          weight: 12,
          arbitrary: requestOf(
            fc.constant('GET'),
            fc.oneof(
              fc.constant('/api/sessions/$ID'),
              segment.map((s) => `/api/sessions/${s}`),
            ),
            bodyFor({}),
          ),
        },
      );
      const req = withHeaders(routes, { cookie: fc.constantFrom('$COOKIE', undefined) });
      await fc.assert(
        fc.asyncProperty(req, async (r) => {
          const s = rig.screens[0]!;
          const { req: sent, res } = await rig.send(r, s, s);
          checkServiceAnswer(sent, res);
          if (res.status === 429 && res.type.startsWith('text/html')) seen.html429++;
          if (res.status === 429 && res.type.startsWith('application/json')) {
            expect(JSON.parse(res.text).error).toBe('rate_limited');
            seen.json429++;
          }
        }),
        fuzz(CASES),
      );
      // Only meaningful at full length: a scaled-down run may stay under the limits.
      if (runs(CASES) >= CASES) {
        expect(seen.html429).toBeGreaterThan(0);
        expect(seen.json429).toBeGreaterThan(0);
      }
      await rig.expectHealthy();
    },
    FUZZ_TIMEOUT_MS,
  );
});
