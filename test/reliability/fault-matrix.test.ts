import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../server/helpers.js';
import {
  type CallOutcome,
  capture,
  type Endpoint,
  earlySessionComplete,
  FAULTS,
  type Fault,
  type FaultRig,
  limiter,
  type Page,
  Person,
  parsePage,
  RECOVERS_BY_ITSELF,
  smsToken,
  startFaultRig,
  TIMES,
  technicalText,
  tokenOfLink,
} from './support.js';

/**
 * The fault matrix: every sandbox fault at every capability step of every shipped flow, driven by a person
 * through real sockets. Whatever Socure does, the person never sees a 5xx or technical text; transient faults
 * (429, 500, 503, reset) and a slow answer end exactly as without them; a contract breach (malformed,
 * badscore, baddecision, noreference) takes the flow's error path: a form step shows its form again with a
 * plain banner (and the person's second try goes through), any other step a "failed" page with the support
 * reference.
 *
 * Placement: a flow sends the session's customerUserId at every step, so `fault-<kind>-x<N>` alone only ever
 * reaches a session's first Socure call(s). The relay in support.ts swaps in the magic customerUserId on one
 * step's calls only, and the sandbox plays the fault (ID+: idplus/magic.ts; DocV requests: docv/faults.ts).
 * Not applicable: badscore/baddecision at a DocV request step (its answer has no score nor decision; the
 * sandbox ignores them there) — those cells run and must end normally, with the fault recorded as n/a.
 * Four "direct" cells use the mechanism as documented, with nothing placed: the session's own customerUserId
 * is `fault-503-x5-…`. A DocV request counts its own `-x<N>` budget (the sandbox app gives docv/routes.ts no
 * shared counter), so there the fault also reaches the flow's next step of the other endpoint: the calls
 * column shows it.
 *
 * Every cell checks: each page the person loaded (and each status poll) answered < 500; no page holds technical
 * text (support.ts: technicalText); the placed calls really got the fault; the API reports the same ending;
 * transient cells needed the engine's durable retry (5 failures outlast the client's 3 attempts).
 */

type FlowId = 'docv-qr' | 'docv-sms' | 'idplus-score' | 'step-up';

/** Each shipped flow's capability steps, in order, and the Socure endpoint each calls. */
const STEPS: Record<FlowId, Array<[step: string, endpoint: Endpoint]>> = {
  'docv-qr': [
    ['getUrl', 'docv'],
    ['fetchResult', 'idplus'],
    ['fetchAgain', 'idplus'],
  ],
  'docv-sms': [
    ['initiate', 'docv'],
    ['complete', 'idplus'],
    ['fetchAgain', 'idplus'],
  ],
  'idplus-score': [['score', 'idplus']],
  'step-up': [
    ['score', 'idplus'],
    ['getUrl', 'docv'],
    ['rescore', 'idplus'],
  ],
};

/** Steps whose failure comes back to the person's form (the node's onError is a screen). */
const FORM_STEPS = new Set(['docv-sms/initiate', 'idplus-score/score', 'step-up/score']);

/** What each flow ends with, for a person who does everything right (stock persona; capture accepted). */
const NORMAL: Record<FlowId, { outcome: string; title: string }> = {
  'docv-qr': { outcome: 'verified', title: "You're verified" },
  'docv-sms': { outcome: 'verified', title: "You're verified" },
  'idplus-score': { outcome: 'verified', title: 'Decision: accept' },
  'step-up': { outcome: 'verified', title: "You're verified" },
};

interface Cell {
  n: number;
  flow: FlowId;
  step: string;
  endpoint: Endpoint;
  fault: Fault | 'none';
  /** The session's own customerUserId is the magic one (no placement): it reaches the first call(s) only. */
  direct?: boolean;
}

interface Row {
  cell: Cell;
  outcome: string;
  pages: number;
  maxStatus: number;
  recovered: string;
  calls: string;
  /** Durable step retries the engine scheduled (timeline `retry_scheduled`). */
  retries: number;
  ms: number;
  error?: string;
}

const run = Date.now().toString(36);
const cells: Cell[] = [];
for (const flow of Object.keys(STEPS) as FlowId[]) {
  cells.push({ n: cells.length, flow, step: '-', endpoint: 'idplus', fault: 'none' });
  for (const [step, endpoint] of STEPS[flow])
    for (const fault of FAULTS) cells.push({ n: cells.length, flow, step, endpoint, fault });
}
// As the README documents it: `fault-503-x5-…` as the session's customerUserId, nothing placed.
for (const flow of Object.keys(STEPS) as FlowId[]) {
  const [step, endpoint] = STEPS[flow][0]!;
  cells.push({ n: cells.length, flow, step: `${step} (direct)`, endpoint, fault: '503', direct: true });
}

const notApplicable = (c: Cell) =>
  c.endpoint === 'docv' && (c.fault === 'badscore' || c.fault === 'baddecision');
const plainCuid = (c: Cell) => `fm-${run}-${c.n}`;
const magicOf = (c: Cell) => `fault-${c.fault}-x${TIMES[c.fault as Fault]}-${plainCuid(c)}`;
const cuidOf = (c: Cell) => (c.direct ? magicOf(c) : plainCuid(c));

let rig: FaultRig;
const rows: Row[] = [];
const slot = limiter(4);
const started = Date.now();

beforeAll(async () => {
  rig = await startFaultRig();
});
afterAll(async () => {
  await rig?.close();
  printSummary();
});

/**
 * A person goes through the cell's flow. `at(step, key)` is called where each step is about to run: the cell's
 * own step gets the fault placed (keyed by customerUserId, or by the DocV token for a call that has none);
 * reaching any other step clears it, so the fault lands on exactly one step.
 */
async function drive(cell: Cell, person: Person): Promise<{ id: string; end: Page; resubmitted: boolean }> {
  const cuid = cuidOf(cell);
  if (cell.direct) rig.relay.watch(cuid);
  const placed = new Set<string>();
  const at = (steps: string[], key: string) => {
    for (const k of placed) rig.relay.clear(k);
    placed.clear();
    if (cell.fault !== 'none' && !cell.direct && steps.includes(cell.step)) {
      rig.relay.place(key, cell.endpoint, magicOf(cell));
      placed.add(key);
    }
  };
  let resubmitted = false;
  /** A form the failed step came back to: its banner must be plain, with the support reference; then retry. */
  const retryForm = async (path: string, id: string, page: Page, next: (p: Page) => boolean) => {
    expect(page.banner, `a banner on "${page.title}"`).toBeDefined();
    expect(page.banner).toContain(`Support reference: ${id}`);
    expect(technicalText(page), page.banner).toEqual([]);
    resubmitted = true;
    const again = await person.submit(path, page);
    return next(again) || again.kind !== 'wait' ? again : person.until(path, next, 'the page after a retry');
  };
  const ended = (p: Page) => p.kind === 'end';
  const finish = async (path: string, id: string) => ({
    id,
    end: await person.until(path, ended, 'the result page'),
    resubmitted,
  });

  switch (cell.flow) {
    case 'docv-qr': {
      at(['getUrl'], cuid);
      const { id, path } = await createSession(rig.t, { flow: 'docv-qr', customerUserId: cuid });
      const prompt = await person.until(path, (p) => ended(p) || !!p.link, 'the QR code page');
      if (ended(prompt)) return { id, end: prompt, resubmitted };
      const token = tokenOfLink(prompt.link!)!;
      if (cell.step === 'fetchAgain') {
        at(['fetchResult'], cuid);
        await earlySessionComplete(rig, token);
        const checking = await person.until(
          path,
          (p) => ended(p) || p.title === 'Checking your documents',
          'the "checking" page',
        );
        if (ended(checking)) return { id, end: checking, resubmitted };
      }
      at(['fetchResult', 'fetchAgain'], cuid);
      await capture(rig, token);
      return finish(path, id);
    }
    case 'docv-sms': {
      const phone = `+1347555${String(2000 + cell.n).padStart(4, '0')}`;
      const { id, path } = await createSession(rig.t, {
        flow: 'docv-sms',
        customerUserId: cuid,
        input: { mobileNumber: phone },
      });
      const form = await person.open(path);
      at(['initiate'], cuid);
      const sent = (p: Page) => ended(p) || p.title === 'Check Your Device';
      let page = await person.submit(path, form);
      if (!sent(page)) page = await person.until(path, sent, 'the "Check Your Device" page');
      if (page.kind === 'form') page = await retryForm(path, id, page, sent);
      if (ended(page)) return { id, end: page, resubmitted };
      expect(page.title).toBe('Check Your Device');
      const token = await smsToken(rig, phone);
      if (cell.step === 'fetchAgain') {
        at(['complete'], token);
        await earlySessionComplete(rig, token);
        const checking = await person.until(
          path,
          (p) => ended(p) || p.title === 'Checking your documents',
          'the "checking" page',
        );
        if (ended(checking)) return { id, end: checking, resubmitted };
      }
      at(['complete', 'fetchAgain'], token);
      await capture(rig, token);
      return finish(path, id);
    }
    case 'idplus-score': {
      const { id, path } = await createSession(rig.t, { flow: 'idplus-score', customerUserId: cuid });
      const form = await person.open(path);
      at(['score'], cuid);
      let page = await person.submit(path, form);
      if (!ended(page)) page = await person.until(path, ended, 'the result page');
      if (page.kind === 'form') page = await retryForm(path, id, page, ended);
      return {
        id,
        end: page.kind === 'end' ? page : await person.until(path, ended, 'the result'),
        resubmitted,
      };
    }
    case 'step-up': {
      const { id, path } = await createSession(rig.t, { flow: 'step-up', customerUserId: cuid });
      const form = await person.open(path);
      at(['score', 'getUrl'], cuid);
      const prompted = (p: Page) => ended(p) || !!p.link;
      // Refer: ID+ asks for more, so the flow goes on to the document check and the second score.
      let page = await person.submit(path, form, { surName: 'Refer' });
      if (!prompted(page)) page = await person.until(path, prompted, 'the QR code page');
      if (page.kind === 'form') page = await retryForm(path, id, page, prompted);
      if (ended(page)) return { id, end: page, resubmitted };
      at(['rescore'], cuid);
      await capture(rig, tokenOfLink(page.link!)!);
      return finish(path, id);
    }
  }
}

/** "503×5, ok": what the sandbox answered the calls that carried the fault. */
function describeCalls(outcomes: Array<CallOutcome | undefined>): string {
  const parts: string[] = [];
  for (const o of outcomes) {
    const last = parts.at(-1);
    const m = last ? /^(.+?)(?:×(\d+))?$/.exec(last) : null;
    if (m && m[1] === (o ?? '?')) parts[parts.length - 1] = `${m[1]}×${Number(m[2] ?? 1) + 1}`;
    else parts.push(o ?? '?');
  }
  return parts.join(', ');
}

describe('what a person must never read', () => {
  const page = (body: string) =>
    parsePage(200, `<main class="card"><h1>Something went wrong</h1>${body}</main>`);
  it.each([
    ['an error class', 'SocureServerError: Socure answered 503'],
    ['an undici code', 'fetch failed UND_ERR_SOCKET'],
    ['a socket code', 'read ECONNRESET'],
    ['a stack frame', 'at runCapability (/work/src/flows/engine.ts:441:20)'],
    ['a URL', 'see http://127.0.0.1:4010/api/3.0/EmailAuthScore'],
    ['a response path', 'fraud.scores.0.score: score above 1'],
    ['a status', 'Socure answered status 503'],
    ['a sandbox error body', 'Service temporarily unavailable'],
    ['JSON', '{"status":"Error","msg":"x"}'],
    ['an unresolved reference', 'Hello {{form.firstName}}'],
    ['the vendor name outside the flow texts', 'Socure did not answer.'],
  ])('catches %s', (_what, text) => {
    expect(technicalText(page(`<p>${text}</p>`))).not.toEqual([]);
  });
  it('looks into the markup too, but not into the QR code', () => {
    expect(technicalText(page('<p data-x="SocureTimeoutError">Plain.</p>'))).not.toEqual([]);
    expect(technicalText(page('<p>Plain.</p><!-- at run (/src/x.ts:1:2) -->'))).not.toEqual([]);
    const qr = '<img class="qr" src="data:image/png;base64,QUJDRXJyb3JFQ09OTlJFU0VU+/TypeError=">';
    expect(
      technicalText(page(`${qr}<p><a class="link" href="http://127.0.0.1:4010/capture/t">Open</a></p>`)),
    ).toEqual([]);
  });
  it("passes the shipped flows' own texts, which name Socure", () => {
    const plain = page(
      '<h1>Socure Document Verification</h1><p>Socure accepted this identity.</p><p>Support reference: <code>0b6c</code></p>',
    );
    expect(technicalText(plain)).toEqual([]);
  });
});

describe.concurrent('fault matrix: every sandbox fault at every step of every shipped flow', () => {
  it.each(cells.map((c) => [`${c.flow} ${c.step} ${c.fault}`, c] as const))(
    '%s',
    async (_name, cell) =>
      slot(async () => {
        const person = new Person(rig.t);
        const t0 = Date.now();
        const row: Row = {
          cell,
          outcome: '?',
          pages: 0,
          maxStatus: 0,
          recovered: '?',
          calls: '',
          retries: 0,
          ms: 0,
        };
        rows.push(row);
        try {
          const { id, end, resubmitted } = await drive(cell, person);
          row.outcome = `${end.outcome}${resubmitted ? ' (after a banner and a retry)' : ''}`;
          const calls = cell.fault === 'none' ? [] : rig.relay.callsOf(magicOf(cell)).map((c) => c.outcome);
          row.calls = cell.fault === 'none' ? '' : describeCalls(calls);
          const timeline = await rig.t.service.store.listTimeline(id);
          row.retries = timeline.filter((e) => e.type === 'retry_scheduled').length;

          // The app reads the same ending through the sessions API.
          const api = await rig.t.api(`/api/sessions/${id}`);
          expect(api.status).toBe(200);
          expect(api.json()).toMatchObject({ status: 'completed', outcome: end.outcome });

          // Never a 5xx, never technical text, on any page the person loaded.
          expect(person.maxStatus, 'the highest status the person got').toBeLessThan(500);
          for (const page of person.pages)
            expect(technicalText(page), `technical text on "${page.title}"`).toEqual([]);
          expect(end.kind).toBe('end');

          if (cell.fault === 'none') {
            expect(end).toMatchObject(NORMAL[cell.flow]);
            row.recovered = '—';
            return;
          }
          // The fault really hit this step: the placed calls got it, TIMES[fault] times.
          const want = TIMES[cell.fault];
          if (notApplicable(cell)) {
            expect(calls[0], 'a DocV request ignores a score/decision fault').toBe('ok');
          } else {
            expect(calls.slice(0, want), `what the sandbox answered at ${cell.step}`).toEqual(
              Array(want).fill(cell.fault),
            );
          }

          if (RECOVERS_BY_ITSELF.has(cell.fault) || notApplicable(cell)) {
            // Same end as without the fault, and no retry asked of the person.
            expect(end).toMatchObject(NORMAL[cell.flow]);
            expect(resubmitted).toBe(false);
            if (!notApplicable(cell) && cell.fault !== 'slow') {
              expect(calls.at(-1), 'the call that went through').toBe('ok');
              // 5 failures outlast the client's 3 attempts: the engine's durable retry finished the job.
              expect(row.retries, 'durable step retries').toBeGreaterThanOrEqual(1);
            }
            row.recovered = notApplicable(cell) ? 'n/a (ignored)' : 'yes, by itself';
          } else if (FORM_STEPS.has(`${cell.flow}/${cell.step}`)) {
            // Back on the form with a plain banner; the person's second try goes through.
            expect(resubmitted, 'the form came back with a banner').toBe(true);
            expect(end).toMatchObject(NORMAL[cell.flow]);
            row.recovered = 'after the person retried';
          } else {
            expect(end.outcome).toBe('failed');
            expect(end.title).toBe('Something went wrong');
            expect(end.text).toContain(`Support reference: ${id}`);
            row.recovered = 'no: failed page with support reference';
          }
          row.ms = Date.now() - t0;
          expect(row.ms, 'the cell took too long').toBeLessThan(15_000);
        } catch (err) {
          row.error = err instanceof Error ? err.message.split('\n')[0] : String(err);
          throw err;
        } finally {
          row.ms = Date.now() - t0;
          row.pages = person.pages.length;
          row.maxStatus = person.maxStatus;
        }
      }),
    40_000,
  );
});

function printSummary(): void {
  const sorted = [...rows].sort((a, b) => a.cell.n - b.cell.n);
  const lines = [
    '| flow | step | fault | outcome | pages | max status | recovered | calls carrying the fault (sandbox answers) | step retries | ms |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...sorted.map(
      (r) =>
        `| ${r.cell.flow} | ${r.cell.step} | ${r.cell.fault === 'none' ? '(none)' : `${r.cell.fault}-x${TIMES[r.cell.fault]}`} | ${r.error ? `**FAILED**: ${r.error.replace(/\|/g, '\\|')}` : r.outcome} | ${r.pages} | ${r.maxStatus} | ${r.recovered} | ${r.calls} | ${r.retries} | ${r.ms} |`,
    ),
  ];
  const failed = sorted.filter((r) => r.error).length;
  lines.push(
    '',
    `${sorted.length} cells (${sorted.filter((r) => r.cell.fault !== 'none').length} faulted, 4 without a fault), ${failed} failed; ` +
      `max status ${Math.max(0, ...sorted.map((r) => r.maxStatus))}; ` +
      `slowest cell ${Math.max(0, ...sorted.map((r) => r.ms))} ms; wall ${Date.now() - started} ms`,
  );
  console.log(`\nFault matrix\n\n${lines.join('\n')}\n`);
}
