/**
 * FLOWS_DIR adds to the shipped flows (the same id overrides one), and the worked example of docs/flows.md
 * — ID+ with auto-reject on chosen reason codes, else DocV — runs in the real service on the embedded sandbox.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeSchema, SHIPPED_FLOWS_DIR } from '../../src/flows/index.js';
import {
  createSession,
  PERSONA_FORM,
  startTestService,
  submitScreen,
  type TestService,
  triggerSandbox,
  waitForCompletion,
  waitToken,
} from '../server/helpers.js';
import { SHIPPED_FLOW_IDS } from '../support/shipped-flows.js';
import { ROOT } from './support.js';

const EXAMPLE = join(ROOT, 'docs', 'examples', 'idplus-autoreject-else-docv.json');
const FLOW = 'idplus-autoreject-else-docv';

let t: TestService;
let flowsDir: string;

beforeAll(async () => {
  flowsDir = mkdtempSync(join(tmpdir(), 'socure-custom-flows-'));
  cpSync(EXAMPLE, join(flowsDir, 'idplus-autoreject-else-docv.json'));
  // The same id as a shipped flow: replaces it.
  const shipped = JSON.parse(readFileSync(join(SHIPPED_FLOWS_DIR, 'idplus-score.json'), 'utf8'));
  writeFileSync(join(flowsDir, 'my-score.json'), JSON.stringify({ ...shipped, title: 'Our own ID+ check' }));
  t = await startTestService({ flowsDir });
});
afterAll(async () => {
  await t?.close();
  if (flowsDir) rmSync(flowsDir, { recursive: true, force: true });
});

/** Runs the example's form for one person and waits for the session to end or to wait on DocV. */
async function submitPerson(customerUserId: string, form: Record<string, string>) {
  const { id, path } = await createSession(t, { flow: FLOW, customerUserId });
  expect((await submitScreen(t, path, form)).status).toBe(303);
  return { id, path };
}

describe('FLOWS_DIR adds to the shipped flows', () => {
  it('serves every shipped flow, the overridden one from FLOWS_DIR, and the added one', () => {
    const flows = Object.fromEntries(t.service.flows.map((f) => [f.id, f.title]));
    expect(Object.keys(flows).sort()).toEqual([...SHIPPED_FLOW_IDS, FLOW].sort());
    expect(flows['idplus-score']).toBe('Our own ID+ check');
    expect(flows['docv-qr']).toBe('Verify identity documents with a link or QR code');
    expect(flows[FLOW]).toBe('Verify your identity');
  });

  it('names each override and each added flow in a start-up log line', () => {
    const messages = t.logs.lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
    const added = messages.filter((m) => m.includes('(FLOWS_DIR)'));
    expect(added).toHaveLength(2);
    expect(added).toContain(
      `flow "${FLOW}" added from ${join(flowsDir, 'idplus-autoreject-else-docv.json')} (FLOWS_DIR)`,
    );
    expect(added).toContain(
      `flow "idplus-score" from ${join(flowsDir, 'my-score.json')} overrides the shipped flow "idplus-score" (FLOWS_DIR)`,
    );
  });
});

describe('the worked example: ID+ with auto-reject on chosen reason codes, else DocV', () => {
  it('pre-fills its form from the session input', async () => {
    const { path } = await createSession(t, {
      flow: FLOW,
      customerUserId: 'example-prefill',
      input: { firstName: 'Ada', email: 'ada@example.com' },
    });
    const page = await t.http(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain('value="Ada"');
    expect(page.text).toContain('value="ada@example.com"');
  });

  it('a disposable e-mail (emailRisk R557) is rejected by the flow, though Socure only says review', async () => {
    const { id } = await submitPerson('example-disposable', {
      ...PERSONA_FORM,
      email: 'dwayne@mailinator.com',
    });
    const session = await waitForCompletion(t, id);
    expect(session.outcome).toBe('rejected');
    const { result } = (await t.service.store.getSessionData(id))!;
    expect(result).toMatchObject({ decision: 'reject', reason: 'reason_code', socureDecision: 'review' });
    expect((result!.reasonCodes as { emailRisk: string[] }).emailRisk).toContain('R557');
    expect(session.waitToken).toBeNull();
  });

  it('a deceased SSN (fraud R202, another module of the pooled codes) is rejected the same way', async () => {
    const { id } = await submitPerson('example-deceased', { ...PERSONA_FORM, nationalId: '078-05-1120' });
    const session = await waitForCompletion(t, id);
    expect(session.outcome).toBe('rejected');
    const { result } = (await t.service.store.getSessionData(id))!;
    expect(result).toMatchObject({ reason: 'reason_code' });
    expect((result!.reasonCodes as { fraud: string[] }).fraud).toContain('R202');
  });

  it('anyone else goes to DocV, and an accepted document ends verified', async () => {
    const { id, path } = await submitPerson('example-clean', PERSONA_FORM);
    const token = await waitToken(t, id);
    const waiting = await t.http(path);
    expect(waiting.text).toContain('Now photograph your ID');
    const before = await t.service.store.getSessionData(id);
    expect(before!.outputs).not.toHaveProperty('autoRejected');
    await triggerSandbox(t, token, 'complete-accept');
    const session = await waitForCompletion(t, id);
    expect(session.outcome).toBe('verified');
    const { result } = (await t.service.store.getSessionData(id))!;
    expect(result).toMatchObject({ decision: 'accept', docvTransactionToken: token });
  });

  it('a rejected document ends rejected', async () => {
    const { id } = await submitPerson('example-docv-reject', PERSONA_FORM);
    await triggerSandbox(t, await waitToken(t, id), 'complete-reject');
    const session = await waitForCompletion(t, id);
    expect(session.outcome).toBe('rejected');
    expect((await t.service.store.getSessionData(id))!.result).toMatchObject({ docvDecision: 'reject' });
  });
});

describe('docs/flows.md', () => {
  const guide = readFileSync(join(ROOT, 'docs', 'flows.md'), 'utf8');
  const example = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as { nodes: Record<string, unknown> };

  it('every node snippet is a valid node, and the example snippet is the example file', () => {
    const snippets = [...guide.matchAll(/```json\n("[A-Za-z][\w-]*": \{[\s\S]*?)\n```/g)].map(
      (m) => JSON.parse(`{${m[1]}}`) as Record<string, unknown>,
    );
    expect(snippets.length).toBeGreaterThanOrEqual(6);
    for (const snippet of snippets) {
      const [[id, node]] = Object.entries(snippet) as [[string, unknown]];
      expect(nodeSchema.safeParse(node).success, id).toBe(true);
    }
    const screenCodes = snippets.find((s) => 'screenCodes' in s)!;
    expect(screenCodes.screenCodes).toEqual(example.nodes.screenCodes);
  });
});
