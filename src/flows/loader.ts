import { readdir, readFile, realpath } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { type Flow, type FlowNode, flowSchema } from './definition.js';
import { referencesIn } from './references.js';
import { resendProblems } from './resend.js';

/** A flow file that cannot be used; the message names the file, the node and the field. */
export class FlowDefinitionError extends Error {
  constructor(
    readonly file: string,
    readonly nodeId: string | undefined,
    readonly field: string | undefined,
    reason: string,
  ) {
    super(`${file}${nodeId ? `: node "${nodeId}"` : ''}${field ? `: ${field}` : ''}: ${reason}`);
    this.name = 'FlowDefinitionError';
  }
}

const ROOTS = new Set(['input', 'session']);

function fromZod(file: string, error: z.ZodError): FlowDefinitionError {
  const issue = error.issues[0]!;
  const path = issue.path.map(String);
  if (path[0] === 'nodes' && path.length >= 2) {
    return new FlowDefinitionError(file, path[1], path.slice(2).join('.') || undefined, issue.message);
  }
  return new FlowDefinitionError(file, undefined, path.join('.') || undefined, issue.message);
}

/** Node ids a node can go to, with the field that names each. */
function targets(node: FlowNode): Array<[string, string]> {
  switch (node.type) {
    case 'capability':
      return [['next', node.next], ...(node.onError ? [['onError', node.onError] as [string, string]] : [])];
    case 'screen':
      return [['next', node.next]];
    case 'wait':
      return Object.entries(node.branches)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [`branches.${k}`, v as string]);
    case 'branch':
      return [
        ['default', node.default],
        ...Object.entries(node.cases ?? {}).map(([k, v]) => [`cases.${k}`, v] as [string, string]),
        ...(node.rules ?? []).map((r, i) => [`rules.${i}.next`, r.next] as [string, string]),
      ];
    case 'end':
      return [];
  }
}

/** Flow values nested deeper than this are refused: references and the engine walk them recursively. */
export const MAX_FLOW_DEPTH = 64;

/** The path to a value nested deeper than MAX_FLOW_DEPTH, found without recursion (files may nest 20,000). */
function tooDeep(json: unknown): string[] | undefined {
  const stack: Array<{ value: unknown; path: string[] }> = [{ value: json, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (path.length >= MAX_FLOW_DEPTH) return path;
    for (const [k, v] of Object.entries(value)) stack.push({ value: v, path: [...path, k] });
  }
  return undefined;
}

/** Validates a parsed flow document: schema, node links, capabilities and references. */
export function parseFlow(file: string, json: unknown, capabilityIds: ReadonlySet<string>): Flow {
  const deep = tooDeep(json);
  if (deep) {
    const inNode = deep[0] === 'nodes' && deep.length >= 2;
    const field = `${deep.slice(inNode ? 2 : 0, inNode ? 5 : 3).join('.')}…`;
    const why = `nested deeper than ${MAX_FLOW_DEPTH} levels`;
    throw new FlowDefinitionError(file, inNode ? deep[1] : undefined, field, why);
  }
  const parsed = flowSchema.safeParse(json);
  if (!parsed.success) throw fromZod(file, parsed.error);
  const flow = parsed.data;
  const ids = new Set(Object.keys(flow.nodes));
  if (!ids.has(flow.start))
    throw new FlowDefinitionError(file, undefined, 'start', `no node "${flow.start}"`);
  const savedAs = new Set(
    Object.values(flow.nodes).flatMap((n) => (n.type === 'capability' && n.saveAs ? [n.saveAs] : [])),
  );
  for (const [id, node] of Object.entries(flow.nodes)) {
    for (const [field, target] of targets(node)) {
      if (!ids.has(target)) throw new FlowDefinitionError(file, id, field, `no node "${target}"`);
    }
    if (node.type === 'capability' && !capabilityIds.has(node.capability)) {
      throw new FlowDefinitionError(
        file,
        id,
        'capability',
        `unknown capability "${node.capability}"; known: ${[...capabilityIds].join(', ')}`,
      );
    }
    if (node.type === 'wait')
      for (const [field, why] of resendProblems(flow, node))
        throw new FlowDefinitionError(file, id, field, why);
    // errorFrom names a node whose error a screen shows: a typo would silently show nothing.
    if (node.type === 'screen' && node.errorFrom && !ids.has(node.errorFrom)) {
      throw new FlowDefinitionError(file, id, 'errorFrom', `no node "${node.errorFrom}"`);
    }
    // Name the field holding the reference, not just the node.
    for (const { path, root } of referencesIn(node)) {
      if (!ROOTS.has(root) && !ids.has(root) && !savedAs.has(root)) {
        throw new FlowDefinitionError(
          file,
          id,
          path,
          `refers to "{{${root}…}}", which is neither input, session nor a node`,
        );
      }
    }
  }
  return flow;
}

/** The flows shipped with the package (`flows/` at its root, beside `src/` and `dist/`). */
export const SHIPPED_FLOWS_DIR = fileURLToPath(new URL('../../flows', import.meta.url));

/** Every `*.json` flow of a directory with the file it came from. Flow ids must be unique. */
async function readFlowDir(
  dir: string,
  capabilityIds: ReadonlySet<string>,
): Promise<Map<string, { flow: Flow; file: string }>> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch (err) {
    throw new FlowDefinitionError(
      dir,
      undefined,
      undefined,
      `cannot read the flows directory (${(err as NodeJS.ErrnoException).code})`,
    );
  }
  const flows = new Map<string, { flow: Flow; file: string }>();
  for (const name of names) {
    const file = join(dir, name);
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      throw new FlowDefinitionError(file, undefined, undefined, `not valid JSON (${(err as Error).message})`);
    }
    const flow = parseFlow(file, json, capabilityIds);
    const earlier = flows.get(flow.id);
    if (earlier)
      throw new FlowDefinitionError(
        file,
        undefined,
        'id',
        `flow id "${flow.id}" is used twice (also in ${earlier.file})`,
      );
    flows.set(flow.id, { flow, file });
  }
  return flows;
}

/** Loads every `*.json` flow of a directory. Flow ids must be unique. */
export async function loadFlows(dir: string, capabilityIds: ReadonlySet<string>): Promise<Map<string, Flow>> {
  const flows = new Map<string, Flow>();
  for (const [id, { flow }] of await readFlowDir(dir, capabilityIds)) flows.set(id, flow);
  return flows;
}

/** A flow of the custom directory: one the shipped flows lacked, or one replacing the shipped flow of its id. */
export interface CustomFlow {
  id: string;
  file: string;
  /** The shipped flow file it replaces; undefined for an added flow. */
  overrides?: string;
}

export interface LoadedFlows {
  /** Shipped flows first (an overridden one keeps its place), then the added ones. */
  flows: Map<string, Flow>;
  /** What the custom directory added or overrode, in file order (empty without one). */
  custom: CustomFlow[];
}

/** The same directory, whatever the spelling (relative, trailing slash, a symlink). */
async function sameDir(a: string, b: string): Promise<boolean> {
  const real = (d: string) => realpath(d).catch(() => resolve(d));
  return (await real(a)) === (await real(b));
}

/**
 * The shipped flows, then the flows of `customDir` (FLOWS_DIR) on top: a flow whose id is shipped replaces
 * the shipped one, any other is added. `customDir` undefined or the shipped directory itself: the shipped
 * flows alone. An error in either directory names the file, the node and the field.
 */
export async function loadFlowSet(
  customDir: string | undefined,
  capabilityIds: ReadonlySet<string>,
  shippedDir: string = SHIPPED_FLOWS_DIR,
): Promise<LoadedFlows> {
  const shipped = await readFlowDir(shippedDir, capabilityIds);
  const flows = new Map<string, Flow>();
  for (const [id, { flow }] of shipped) flows.set(id, flow);
  const custom: CustomFlow[] = [];
  if (customDir === undefined || (await sameDir(customDir, shippedDir))) return { flows, custom };
  for (const [id, { flow, file }] of await readFlowDir(customDir, capabilityIds)) {
    custom.push({ id, file, overrides: shipped.get(id)?.file });
    flows.set(id, flow);
  }
  return { flows, custom };
}

/** The start-up line for a custom flow, e.g. `flow "step-up" from /etc/flows/step-up.json overrides the shipped one`. */
export function describeCustomFlow(c: CustomFlow): string {
  return c.overrides
    ? `flow "${c.id}" from ${c.file} overrides the shipped flow "${c.id}" (FLOWS_DIR)`
    : `flow "${c.id}" added from ${c.file} (FLOWS_DIR)`;
}
