import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capabilities } from '../../src/connector/manifest.js';
import { FlowDefinitionError, loadFlows } from '../../src/flows/index.js';
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
    expect([...flows.keys()].sort()).toEqual(['docv-qr', 'docv-sms', 'idplus-score', 'step-up']);
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
