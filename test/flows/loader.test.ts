import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capabilities } from '../../src/connector/manifest.js';
import {
  describeCustomFlow,
  FlowDefinitionError,
  loadFlowSet,
  loadFlows,
  SHIPPED_FLOWS_DIR,
} from '../../src/flows/index.js';
import { SHIPPED_FLOW_IDS } from '../support/shipped-flows.js';
import { FLOWS_DIR, tempDir } from './support.js';

const CAPABILITY_IDS = new Set(Object.keys(capabilities));

let tmp: ReturnType<typeof tempDir>;
let n = 0;
beforeAll(() => {
  tmp = tempDir('socure-loader-');
});
afterAll(() => tmp.cleanup());

/** A directory holding the given files (objects are written as JSON, strings as they are). */
function dirWith(files: Record<string, unknown>): string {
  const dir = join(tmp.dir, `case-${++n}`);
  mkdirSync(dir);
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

/** A small valid flow; `nodes` are merged over its own. */
function flow(nodes: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return {
    id: 'small',
    title: 'Small',
    start: 'getUrl',
    nodes: {
      getUrl: {
        type: 'capability',
        capability: 'getVerificationUrl',
        input: { apiVersion: 'v5' },
        next: 'prompt',
      },
      prompt: {
        type: 'wait',
        title: 'Wait',
        challenge: { docvTransactionToken: '{{getUrl.docvTransactionToken}}' },
        events: ['VERIFICATION_COMPLETED'],
        timeout: '5m',
        branches: { resolved: 'done', timeout: 'done' },
      },
      done: {
        type: 'end',
        outcome: 'verified',
        title: 'Done',
        result: { token: '{{getUrl.docvTransactionToken}}' },
      },
      ...nodes,
    },
    ...extra,
  };
}

/** Loads a directory holding one bad flow file and returns the error it gives. */
async function failure(content: unknown, name = 'bad.json'): Promise<FlowDefinitionError> {
  const dir = dirWith({ [name]: content });
  const error = await loadFlows(dir, CAPABILITY_IDS).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FlowDefinitionError);
  const e = error as FlowDefinitionError;
  expect(e.file).toBe(join(dir, name));
  expect(e.message).toContain(join(dir, name));
  return e;
}

describe('loadFlows: the shipped flows', () => {
  it('loads every shipped flow with every capability it names', async () => {
    const flows = await loadFlows(FLOWS_DIR, CAPABILITY_IDS);
    // Read from the flows directory: other flows are added over time (riskos-onboarding among them).
    expect([...flows.keys()].sort()).toEqual([...SHIPPED_FLOW_IDS]);
    expect(SHIPPED_FLOW_IDS).toEqual(
      expect.arrayContaining(['docv-qr', 'idplus-score', 'riskos-onboarding', 'step-up']),
    );
    for (const f of flows.values()) {
      expect(f.nodes[f.start], f.id).toBeDefined();
      expect(f.ttl).toBe(3_600_000);
      expect(
        Object.values(f.nodes).some((node) => node.type === 'end'),
        f.id,
      ).toBe(true);
    }
    const prompt = flows.get('docv-qr')!.nodes.prompt!;
    expect(prompt.type === 'wait' && prompt.timeout).toBe(30 * 60_000);
  });

  it('loads a valid inline flow and applies defaults', async () => {
    const flows = await loadFlows(dirWith({ 'small.json': flow() }), CAPABILITY_IDS);
    const small = flows.get('small')!;
    expect(small.ttl).toBe(3_600_000);
    expect(small.nodes.getUrl).toMatchObject({ type: 'capability', input: { apiVersion: 'v5' } });
  });

  it('ignores files that are not .json', async () => {
    const flows = await loadFlows(
      dirWith({ 'small.json': flow(), 'README.md': '# not a flow', 'x.json.bak': '{' }),
      CAPABILITY_IDS,
    );
    expect([...flows.keys()]).toEqual(['small']);
  });
});

describe('loadFlows: bad flows name the file, the node and the field', () => {
  it('an unknown node type', async () => {
    const e = await failure(flow({ done: { type: 'finish', outcome: 'verified', title: 'x' } }));
    expect(e.nodeId).toBe('done');
    expect(e.field).toBe('type');
    expect(e.message).toMatch(/node "done": type: /);
  });

  it('a missing next', async () => {
    const e = await failure(flow({ getUrl: { type: 'capability', capability: 'getVerificationUrl' } }));
    expect([e.nodeId, e.field]).toEqual(['getUrl', 'next']);
  });

  it('a next to a node that does not exist', async () => {
    const e = await failure(
      flow({ getUrl: { type: 'capability', capability: 'getVerificationUrl', next: 'nowhere' } }),
    );
    expect([e.nodeId, e.field]).toEqual(['getUrl', 'next']);
    expect(e.message).toContain('no node "nowhere"');
  });

  it('a branch, onError or wait branch to a node that does not exist', async () => {
    const branch = await failure(
      flow({
        done: {
          type: 'branch',
          value: '{{getUrl.url}}',
          cases: { a: 'prompt', b: 'ghost' },
          default: 'prompt',
        },
      }),
    );
    expect([branch.nodeId, branch.field]).toEqual(['done', 'cases.b']);
    const rule = await failure(
      flow({
        done: {
          type: 'branch',
          rules: [{ if: { value: '{{getUrl.url}}', exists: true }, next: 'ghost' }],
          default: 'prompt',
        },
      }),
    );
    expect([rule.nodeId, rule.field]).toEqual(['done', 'rules.0.next']);
    const onError = await failure(
      flow({
        getUrl: { type: 'capability', capability: 'getVerificationUrl', next: 'prompt', onError: 'ghost' },
      }),
    );
    expect([onError.nodeId, onError.field]).toEqual(['getUrl', 'onError']);
    const wait = await failure(
      flow({
        prompt: {
          ...(flow().nodes.prompt as object),
          branches: { resolved: 'done', timeout: 'done', expired: 'ghost' },
        },
      }),
    );
    expect([wait.nodeId, wait.field]).toEqual(['prompt', 'branches.expired']);
  });

  it('a screen whose errorFrom names no node', async () => {
    const e = await failure(
      flow({ done: { type: 'screen', title: 'Form', errorFrom: 'ghost', next: 'prompt' } }),
    );
    expect([e.nodeId, e.field]).toEqual(['done', 'errorFrom']);
  });

  it('an unknown capability', async () => {
    const e = await failure(
      flow({ getUrl: { type: 'capability', capability: 'getScores', next: 'prompt' } }),
    );
    expect([e.nodeId, e.field]).toEqual(['getUrl', 'capability']);
    expect(e.message).toContain('unknown capability "getScores"');
    expect(e.message).toContain('getScore'); // lists the known ones
  });

  it('a reference to an unknown root', async () => {
    const e = await failure(
      flow({
        done: { type: 'end', outcome: 'verified', title: 'Done', result: { deep: { x: '{{nope.x}}' } } },
      }),
    );
    expect(e.nodeId).toBe('done');
    expect(e.field).toBe('result.deep.x');
    expect(e.message).toContain('{{nope');
  });

  it('a reference to an unknown root in a screen field default', async () => {
    const e = await failure(
      flow({
        done: {
          type: 'screen',
          title: 'Form',
          fields: [
            { name: 'a', label: 'A' },
            { name: 'b', label: 'B', default: 'x {{nope.b}}' },
          ],
          next: 'prompt',
        },
      }),
    );
    expect([e.nodeId, e.field]).toEqual(['done', 'fields.1.default']);
  });

  it('a reference to an unknown root in a list of defaults', async () => {
    const e = await failure(
      flow({
        done: {
          type: 'screen',
          title: 'Form',
          fields: [{ name: 'c', label: 'C', default: ['{{input.c}}', '{{nope.c}}', 'US'], demo: 'US' }],
          next: 'prompt',
        },
      }),
    );
    expect([e.nodeId, e.field]).toEqual(['done', 'fields.0.default.1']);
  });

  it('a bad duration', async () => {
    const e = await failure(flow({ prompt: { ...(flow().nodes.prompt as object), timeout: '5 minutes' } }));
    expect([e.nodeId, e.field]).toEqual(['prompt', 'timeout']);
    expect(e.message).toContain('duration');
    const ttl = await failure(flow({}, { ttl: 'forever' }));
    expect([ttl.nodeId, ttl.field]).toEqual([undefined, 'ttl']);
  });

  it('a wait without challenge keys', async () => {
    const e = await failure(flow({ prompt: { ...(flow().nodes.prompt as object), challenge: {} } }));
    expect([e.nodeId, e.field]).toEqual(['prompt', 'challenge']);
    expect(e.message).toContain('correlation key');
  });

  it('a wait without events, or with an event Socure does not send', async () => {
    const none = await failure(flow({ prompt: { ...(flow().nodes.prompt as object), events: [] } }));
    expect([none.nodeId, none.field]).toEqual(['prompt', 'events']);
    const unknown = await failure(flow({ prompt: { ...(flow().nodes.prompt as object), events: ['DONE'] } }));
    expect([unknown.nodeId, unknown.field]).toEqual(['prompt', 'events.0']);
  });

  it('an unknown property of a node', async () => {
    const e = await failure(flow({ done: { type: 'end', outcome: 'verified', title: 'Done', nxt: 'x' } }));
    expect(e.nodeId).toBe('done');
    expect(e.message).toMatch(/nxt/);
  });

  it('invalid JSON', async () => {
    const e = await failure('{ "id": "small", ');
    expect(e.nodeId).toBeUndefined();
    expect(e.message).toContain('not valid JSON');
  });

  it('a flow id used twice names the second file and the field', async () => {
    const dir = dirWith({ 'a.json': flow(), 'b.json': flow() });
    const e = (await loadFlows(dir, CAPABILITY_IDS).catch((x: unknown) => x)) as FlowDefinitionError;
    expect(e).toBeInstanceOf(FlowDefinitionError);
    expect(e.file).toBe(join(dir, 'b.json'));
    expect(e.field).toBe('id');
    expect(e.message).toContain('"small" is used twice');
  });

  it('a start node that does not exist', async () => {
    const e = await failure(flow({}, { start: 'begin' }));
    expect([e.nodeId, e.field]).toEqual([undefined, 'start']);
    expect(e.message).toContain('no node "begin"');
  });

  it('a missing flows directory', async () => {
    const missing = join(tmp.dir, 'does-not-exist');
    const e = (await loadFlows(missing, CAPABILITY_IDS).catch((x: unknown) => x)) as FlowDefinitionError;
    expect(e).toBeInstanceOf(FlowDefinitionError);
    expect(e.message).toContain('ENOENT');
  });
});

describe('loadFlowSet: FLOWS_DIR adds to the shipped flows', () => {
  const SHIPPED = SHIPPED_FLOW_IDS;
  const shippedJson = (name: string) => JSON.parse(readFileSync(join(FLOWS_DIR, name), 'utf8'));

  it("SHIPPED_FLOWS_DIR is the package's flows/ directory", () => {
    expect(SHIPPED_FLOWS_DIR).toBe(FLOWS_DIR.replace(/\/$/, ''));
  });

  it('without a custom directory, or with the shipped one however spelled: the shipped flows alone', async () => {
    for (const dir of [undefined, FLOWS_DIR, `${FLOWS_DIR}/`, join(FLOWS_DIR, '..', 'flows')]) {
      const { flows, custom } = await loadFlowSet(dir, CAPABILITY_IDS, FLOWS_DIR);
      expect([...flows.keys()], String(dir)).toEqual(SHIPPED);
      expect(custom).toEqual([]);
    }
    const link = join(tmp.dir, 'flows-link');
    symlinkSync(FLOWS_DIR, link);
    expect((await loadFlowSet(link, CAPABILITY_IDS, FLOWS_DIR)).custom).toEqual([]);
  });

  it('adds a new flow after the shipped ones and names it', async () => {
    const dir = dirWith({ 'small.json': flow() });
    const { flows, custom } = await loadFlowSet(dir, CAPABILITY_IDS, FLOWS_DIR);
    expect([...flows.keys()]).toEqual([...SHIPPED, 'small']);
    expect(custom).toEqual([{ id: 'small', file: join(dir, 'small.json'), overrides: undefined }]);
    expect(describeCustomFlow(custom[0]!)).toBe(
      `flow "small" added from ${join(dir, 'small.json')} (FLOWS_DIR)`,
    );
  });

  it('a flow with a shipped id replaces the shipped one (keeping its place) and says so', async () => {
    const dir = dirWith({
      'mine.json': { ...shippedJson('step-up.json'), title: 'Our step-up' },
      'small.json': flow(),
    });
    const { flows, custom } = await loadFlowSet(dir, CAPABILITY_IDS, FLOWS_DIR);
    expect([...flows.keys()]).toEqual([...SHIPPED, 'small']);
    expect(flows.get('step-up')!.title).toBe('Our step-up');
    expect(flows.get('docv-qr')!.title).toEqual(shippedJson('docv-qr.json').title);
    expect(custom.map((c) => [c.id, c.overrides])).toEqual([
      ['step-up', join(FLOWS_DIR, 'step-up.json')],
      ['small', undefined],
    ]);
    expect(describeCustomFlow(custom[0]!)).toBe(
      `flow "step-up" from ${join(dir, 'mine.json')} overrides the shipped flow "step-up" (FLOWS_DIR)`,
    );
  });

  it('an error in a custom flow names its file, node and field', async () => {
    const dir = dirWith({
      'good.json': flow(),
      'bad.json': {
        ...flow({ done: { type: 'end', outcome: 'verified', title: 'Done', result: { x: '{{nope.x}}' } } }),
        id: 'bad',
      },
    });
    const e = (await loadFlowSet(dir, CAPABILITY_IDS, FLOWS_DIR).catch(
      (x: unknown) => x,
    )) as FlowDefinitionError;
    expect(e).toBeInstanceOf(FlowDefinitionError);
    expect([e.file, e.nodeId, e.field]).toEqual([join(dir, 'bad.json'), 'done', 'result.x']);
    expect(e.message).toContain(join(dir, 'bad.json'));
  });

  it('an id used twice inside FLOWS_DIR is refused, naming both files', async () => {
    const dir = dirWith({ 'a.json': flow(), 'b.json': flow() });
    const e = (await loadFlowSet(dir, CAPABILITY_IDS, FLOWS_DIR).catch(
      (x: unknown) => x,
    )) as FlowDefinitionError;
    expect(e.file).toBe(join(dir, 'b.json'));
    expect(e.message).toContain(join(dir, 'a.json'));
  });

  it('a FLOWS_DIR that does not exist is an error naming it', async () => {
    const missing = join(tmp.dir, 'no-such-flows');
    const e = (await loadFlowSet(missing, CAPABILITY_IDS, FLOWS_DIR).catch(
      (x: unknown) => x,
    )) as FlowDefinitionError;
    expect(e).toBeInstanceOf(FlowDefinitionError);
    expect(e.message).toContain(missing);
    expect(e.message).toContain('ENOENT');
  });

  it('the worked example of docs/flows.md loads', async () => {
    const dir = dirWith({
      'example.json': readFileSync(
        join(FLOWS_DIR, '..', 'docs', 'examples', 'idplus-autoreject-else-docv.json'),
        'utf8',
      ),
    });
    const { custom } = await loadFlowSet(dir, CAPABILITY_IDS, FLOWS_DIR);
    expect(custom.map((c) => c.id)).toEqual(['idplus-autoreject-else-docv']);
  });
});

describe('loadFlows: bad reason-code conditions name the node and the field', () => {
  const branchWith = (condition: unknown) =>
    flow({
      done: {
        type: 'branch',
        rules: [
          { if: { value: '{{getUrl.url}}', exists: true }, next: 'prompt' },
          { if: condition, next: 'prompt' },
        ],
        default: 'prompt',
      },
    });

  it('an empty list of codes', async () => {
    const e = await failure(branchWith({ value: '{{getUrl.codes}}', hasAnyOf: [] }));
    expect([e.nodeId, e.field]).toEqual(['done', 'rules.1.if.hasAnyOf']);
  });

  it('codes that are not text', async () => {
    const e = await failure(branchWith({ value: '{{getUrl.codes}}', hasNoneOf: ['R202', 7] }));
    expect([e.nodeId, e.field]).toEqual(['done', 'rules.1.if.hasNoneOf.1']);
  });

  it('a list of codes given as one text', async () => {
    const e = await failure(branchWith({ value: '{{getUrl.codes}}', hasAnyOf: 'R202' }));
    expect([e.nodeId, e.field]).toEqual(['done', 'rules.1.if.hasAnyOf']);
  });

  it('hasAnyOf mixed with equals, in, exists, gte or lte', async () => {
    const e = await failure(branchWith({ value: '{{getUrl.codes}}', hasAnyOf: ['R202'], equals: 'x' }));
    expect([e.nodeId, e.field]).toEqual(['done', 'rules.1.if.equals']);
    expect(e.message).toContain('hasAnyOf cannot be combined with equals');
  });

  it('a list of values without hasAnyOf / hasNoneOf', async () => {
    const e = await failure(branchWith({ value: ['{{getUrl.a}}', '{{getUrl.b}}'], equals: 'x' }));
    expect([e.nodeId, e.field]).toEqual(['done', 'rules.1.if.value']);
    expect(e.message).toContain('only for hasAnyOf / hasNoneOf');
  });

  it('no operator at all names every operator', async () => {
    const e = await failure(branchWith({ value: '{{getUrl.codes}}' }));
    expect([e.nodeId, e.field]).toEqual(['done', 'rules.1.if']);
    expect(e.message).toContain('hasAnyOf, hasNoneOf');
  });

  it('a misspelt operator', async () => {
    const e = await failure(branchWith({ value: '{{getUrl.codes}}', hasAnyof: ['R202'] }));
    expect([e.nodeId, e.field?.startsWith('rules.1.if')]).toEqual(['done', true]);
    expect(e.message).toContain('hasAnyof');
  });

  it('a reference to an unknown root inside a list of values', async () => {
    const e = await failure(
      branchWith({ value: ['{{getUrl.codes}}', '{{scroe.codes}}'], hasAnyOf: ['R202'] }),
    );
    expect([e.nodeId, e.field]).toEqual(['done', 'rules.1.if.value.1']);
  });

  it('accepts a list of references with hasAnyOf and hasNoneOf together', async () => {
    const flows = await loadFlows(
      dirWith({
        'small.json': branchWith({
          value: ['{{getUrl.a}}', '{{getUrl.b}}'],
          hasAnyOf: ['R202'],
          hasNoneOf: ['R1'],
        }),
      }),
      CAPABILITY_IDS,
    );
    expect(flows.get('small')).toBeDefined();
  });
});
