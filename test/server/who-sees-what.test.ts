import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FLOWS_DIR } from '../../src/server/config.js';
import {
  createSession,
  PERSONA_FORM,
  startRealKeyService,
  startTestService,
  submitScreen,
  type TestService,
  triggerSandbox,
  waitForCompletion,
  waitToken,
} from './helpers.js';

/**
 * Issue 9, "Who sees what": the sessions API leaves the person's data out unless asked (`?include=input`), and
 * result pages show Socure's scores and reason codes only on the embedded sandbox or when a flow asks for them.
 */

/** Distinctive values a person types (surname "Sanctioned" is the sandbox's OFAC hit: Socure names them back). */
const TYPED = {
  firstName: 'Quintessa',
  surName: 'Sanctioned',
  dob: '1968-11-23',
  nationalId: '521-44-8391',
  email: 'qvandermeer.test@example.org',
  mobileNumber: '+12025550187',
  physicalAddress: '8817 Juniper Hollow Road',
  city: 'Wolfeboro',
  state: 'NH',
  zip: '03894',
  country: 'US',
};
/** Each typed value in every common form it could be written back in. */
const TYPED_FORMS = [
  'Quintessa',
  'Sanctioned',
  '1968-11-23',
  '11/23/1968',
  '19681123',
  '521-44-8391',
  '521448391',
  'qvandermeer',
  '2025550187',
  '202-555-0187',
  'Juniper Hollow',
  'Wolfeboro',
  '03894',
];
/** What the app passes as the session's input. */
const API_INPUT = { mobileNumber: '+13125550163', email: 'ottoline.farquharson@example.net' };

type SessionAnswer = {
  status: string;
  outcome: string | null;
  result: Record<string, unknown> | null;
  timeline: Array<{ type: string; detail: Record<string, unknown> }>;
  input?: Record<string, unknown>;
  omitted?: string[];
};

const OFAC_NAME = '/result/scores/globalWatchlist/matches/OFAC SDN List/0/comments/name';

let t: TestService;
beforeAll(async () => {
  t = await startTestService();
});
afterAll(async () => {
  await t?.close();
});

/** An idplus-score session started by the app (with `API_INPUT`) whose form the person filled with `TYPED`. */
async function scoredSession(): Promise<string> {
  const { id, path } = await createSession(t, {
    flow: 'idplus-score',
    customerUserId: 'who-sees-what-1',
    input: API_INPUT,
  });
  expect((await submitScreen(t, path, TYPED)).status).toBe(303);
  const session = await waitForCompletion(t, id);
  expect(session.outcome).toBe('rejected');
  return id;
}

describe('GET /api/sessions/{id}: the person’s data only when asked', () => {
  let id: string;
  beforeAll(async () => {
    id = await scoredSession();
  });

  it('by default: the outcome and result without the input or any value the person typed', async () => {
    const res = await t.api(`/api/sessions/${id}`);
    expect(res.status).toBe(200);
    const body = res.json<SessionAnswer>();
    expect(body).not.toHaveProperty('input');
    expect(body.outcome).toBe('rejected');
    // Socure's verdict stays: the decision, the reason codes (R180: OFAC hit), the reference id.
    const result = body.result as { decision: string; referenceId: string; scores: Record<string, unknown> };
    expect(result.decision).toBe('reject');
    expect(result.referenceId).toMatch(/^[0-9a-f-]{36}$/);
    const watchlist = result.scores.globalWatchlist as {
      reasonCodes: string[];
      matches: Record<string, Array<Record<string, unknown>>>;
    };
    expect(watchlist.reasonCodes).toContain('R180');
    // Socure named the person in its watchlist match: that name is left out, and `omitted` says where.
    const match = watchlist.matches['OFAC SDN List']![0]!;
    expect(match.comments).toMatchObject({ offense: ['Specially Designated National'] });
    expect(match.comments).not.toHaveProperty('name');
    expect(body.omitted).toContain(OFAC_NAME);
    const text = res.text.toLowerCase();
    for (const value of [...TYPED_FORMS, ...Object.values(API_INPUT), '3125550163', 'ottoline']) {
      expect(text, value).not.toContain(value.toLowerCase());
    }
  });

  it('?include=input: the input, and the result whole', async () => {
    const res = await t.api(`/api/sessions/${id}?include=input`);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json<SessionAnswer>();
    expect(body.input).toEqual(API_INPUT);
    expect(body).not.toHaveProperty('omitted');
    const scores = (body.result as { scores: Record<string, unknown> }).scores;
    expect(scores).toMatchObject({
      globalWatchlist: { matches: { 'OFAC SDN List': [{ comments: { name: ['Quintessa Sanctioned'] } }] } },
    });
  });

  it('a DocV result leaves out the document’s data (name, date of birth, address, number) unless asked', async () => {
    const { id: docv } = await createSession(t, { flow: 'docv-qr', customerUserId: 'who-sees-what-2' });
    await triggerSandbox(t, await waitToken(t, docv), 'complete-accept');
    await waitForCompletion(t, docv);

    const full = (await t.api(`/api/sessions/${docv}?include=input`)).json<SessionAnswer>();
    const documentData = (full.result as { documentData: Record<string, string> }).documentData;
    expect(documentData).toMatchObject({ firstName: PERSONA_FORM.firstName, dob: PERSONA_FORM.dob });
    expect(full.input).toEqual({});

    const res = await t.api(`/api/sessions/${docv}`);
    const body = res.json<SessionAnswer>();
    expect(body.result).toMatchObject({ decision: 'accept', documentType: { type: 'Drivers License' } });
    expect(body.result).not.toHaveProperty('documentData');
    expect(body.omitted).toEqual(['/result/documentData']);
    for (const value of [
      documentData.surName!,
      documentData.documentNumber!,
      documentData.dob!,
      PERSONA_FORM.physicalAddress,
    ]) {
      expect(res.text, value).not.toContain(value);
    }
  });

  it('400 for any include but "input" (after the key check: 401 without it)', async () => {
    for (const query of [
      '?include=inputs',
      '?include=',
      '?include=result',
      '?include=INPUT',
      '?include=input&include=input',
    ]) {
      const res = await t.api(`/api/sessions/${id}${query}`);
      expect(res.status, query).toBe(400);
      expect(res.json(), query).toEqual({
        error: 'invalid_request',
        message: 'include: the only value it takes is "input", once',
      });
      expect(res.text).not.toContain('Quintessa');
    }
    expect((await t.http(`/api/sessions/${id}?include=bogus`)).status).toBe(401);
    // The query is checked before the session is looked up.
    expect((await t.api('/api/sessions/00000000-0000-0000-0000-000000000000?include=x')).status).toBe(400);
  });

  it('the OpenAPI document has the include parameter, says inputs are omitted, and both answers match it', async () => {
    const doc = (await t.http('/api/openapi.json')).json<{
      paths: Record<
        string,
        Record<
          string,
          {
            description?: string;
            parameters: Array<{
              name: string;
              in: string;
              required: boolean;
              schema: Record<string, unknown>;
            }>;
            responses: Record<string, { content: Record<string, { schema: Record<string, unknown> }> }>;
          }
        >
      >;
    }>();
    const read = doc.paths['/api/sessions/{id}']!.get!;
    expect(read.parameters).toContainEqual(
      expect.objectContaining({
        name: 'include',
        in: 'query',
        required: false,
        schema: expect.objectContaining({ type: 'string', enum: ['input'] }),
      }),
    );
    expect(read.description).toMatch(/leaves out the person's data/);
    expect(read.description).toContain('?include=input');
    expect(Object.keys(read.responses).sort()).toEqual(['200', '400', '401', '404']);
    const { $schema: _, ...schema } = read.responses['200']!.content['application/json']!.schema;
    expect(schema).toMatchObject({ properties: { input: { type: 'object' }, omitted: { type: 'array' } } });
    const ajv = new Ajv2020.default({ strict: false, logger: false });
    ajv.addFormat('uri', true).addFormat('date-time', true);
    const validate = ajv.compile(schema);
    for (const query of ['', '?include=input']) {
      const body = (await t.api(`/api/sessions/${id}${query}`)).json();
      expect(validate(body), `${query} ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });
});

/** A flows directory: the shipped flows plus a copy of idplus-score under `id` with `showScoreDetails`. */
function flowsWith(id: string, showScoreDetails: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'who-sees-what-flows-'));
  cpSync(DEFAULT_FLOWS_DIR, dir, { recursive: true });
  const flow = JSON.parse(readFileSync(join(DEFAULT_FLOWS_DIR, 'idplus-score.json'), 'utf8'));
  writeFileSync(join(dir, `${id}.json`), JSON.stringify({ ...flow, id, showScoreDetails }));
  return dir;
}

/** Runs `flow` through its form with the stock persona; its result page and the reason codes Socure gave. */
async function scoredPage(s: TestService, flow: string): Promise<{ page: string; codes: string[] }> {
  const { id, path } = await createSession(s, { flow, customerUserId: `page-${flow}` });
  expect((await submitScreen(s, path, PERSONA_FORM)).status).toBe(303);
  await waitForCompletion(s, id);
  const page = await s.http(path);
  expect(page.status).toBe(200);
  expect(page.text).toContain('Decision: accept');
  const raw = (await s.service.store.getSessionData(id))!.outputs.score as { rawResponse: unknown };
  const codes = [...JSON.stringify(raw.rawResponse).matchAll(/"([IR]\d{3})"/g)].map((m) => m[1]!);
  expect(codes.length).toBeGreaterThan(2);
  return { page: page.text, codes: [...new Set(codes)] };
}

function expectDetails(page: string, codes: string[], shown: boolean) {
  for (const text of ['ID+ result', '<table', 'Reference ID', ...codes.map((c) => `<code>${c}</code>`)]) {
    if (shown) expect(page, text).toContain(text);
    else expect(page, text).not.toContain(text);
  }
}

describe('result pages with a real Socure key: no scores or reason codes unless the flow asks', () => {
  let real: TestService;
  let flowsDir: string;
  beforeAll(async () => {
    // "Real Socure": a sandbox of its own, configured like Socure with a key (the service embeds none).
    flowsDir = flowsWith('idplus-score-demo', true);
    real = await startRealKeyService({ flowsDir, webhookSecrets: ['who-sees-what-secret'] });
    expect(real.service.sandbox).toBeUndefined();
  });
  afterAll(async () => {
    await real?.close();
    rmSync(flowsDir, { recursive: true, force: true });
  });

  it('a shipped flow’s result page hides them', async () => {
    const { page, codes } = await scoredPage(real, 'idplus-score');
    expectDetails(page, codes, false);
  });

  it('a flow with showScoreDetails: true shows them', async () => {
    const { page, codes } = await scoredPage(real, 'idplus-score-demo');
    expectDetails(page, codes, true);
  });
});

describe('result pages on the embedded sandbox: the demo shows them unless the flow says no', () => {
  let quiet: TestService;
  let flowsDir: string;
  beforeAll(async () => {
    flowsDir = flowsWith('idplus-score-quiet', false);
    quiet = await startTestService({ flowsDir });
    expect(quiet.service.sandbox).toBeDefined();
  });
  afterAll(async () => {
    await quiet?.close();
    rmSync(flowsDir, { recursive: true, force: true });
  });

  it('a shipped flow shows them', async () => {
    const { page, codes } = await scoredPage(quiet, 'idplus-score');
    expectDetails(page, codes, true);
  });

  it('a flow with showScoreDetails: false hides them', async () => {
    const { page, codes } = await scoredPage(quiet, 'idplus-score-quiet');
    expectDetails(page, codes, false);
  });
});
