import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { capabilities } from '../../src/connector/manifest.js';
import type { FormField } from '../../src/flows/definition.js';
import { validateForm } from '../../src/flows/form.js';
import { FlowDefinitionError, loadFlows, parseFlow } from '../../src/flows/loader.js';
import { jsonText, objectText, oddJsonValue } from './arbitraries.js';
import { FUZZ_TIMEOUT_MS, fuzz } from './settings.js';
import { returnsOrThrows } from './typed-errors.js';

/**
 * Flow loading (src/flows): the shipped flows with values replaced, deleted or added anywhere in the tree,
 * random documents, and whole files of odd bytes — a Flow or a FlowDefinitionError naming the place, never a
 * TypeError or RangeError. And a screen's form validation never throws, whatever a JSON body holds.
 */
const CASES = { mutated: 1_200, random: 300, files: 100, forms: 800 };

const CAPABILITIES = new Set(Object.keys(capabilities));
const FLOWS_DIR = new URL('../../flows/', import.meta.url);
const SHIPPED = readdirSync(FLOWS_DIR)
  .filter((n) => n.endsWith('.json'))
  .map((n) => readFileSync(new URL(n, FLOWS_DIR), 'utf8'));

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Container paths of a JSON tree (root included), in a stable order; 30 levels are plenty to aim edits at. */
function containers(value: Json, at: Array<string | number> = [], out: Array<Array<string | number>> = []) {
  if (value === null || typeof value !== 'object' || at.length > 30) return out;
  out.push(at);
  for (const [k, v] of Array.isArray(value) ? value.entries() : Object.entries(value))
    containers(v, [...at, k], out);
  return out;
}

/** Edits: in the `pick`-th container, set (or delete, or add) the `key`-th key to a generated value. */
const edit = fc.record({
  pick: fc.nat(),
  key: fc.nat(),
  value: fc.oneof(
    { weight: 3, arbitrary: jsonText },
    { weight: 1, arbitrary: oddJsonValue },
    fc.constant('DELETE'),
  ),
  added: fc.option(fc.constantFrom('__proto__', 'constructor', 'toString', 'length', 'extra', 'type', '')),
});
type Edit = { pick: number; key: number; value: string; added: string | null };

/**
 * A shipped flow's text with the edits applied. Values go in as text (a placeholder is stringified, then
 * swapped for the generated JSON), so 20,000 nested arrays never pass through a recursive JSON.stringify.
 */
function mutate(source: string, edits: readonly Edit[]): string {
  const doc = JSON.parse(source) as Json;
  edits.forEach((e, n) => {
    const paths = containers(doc);
    const path = paths[e.pick % paths.length]!;
    let target = doc as Record<string, Json>;
    for (const k of path) target = (target as Record<string | number, Json>)[k] as Record<string, Json>;
    const keys = Object.keys(target);
    const key = e.added ?? keys[e.key % Math.max(1, keys.length)] ?? 'extra';
    if (Array.isArray(target) && !/^\d+$/.test(key)) return; // an array takes indices only
    if (e.value === 'DELETE') delete target[key];
    else
      Object.defineProperty(target, key, {
        value: `@@fuzz${n}@@`,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  });
  return JSON.stringify(doc).replace(/"@@fuzz(\d+)@@"/g, (_, n: string) => edits[Number(n)]!.value);
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('fuzz: flow definitions and forms', () => {
  it(
    `parseFlow on the shipped flows with 1-3 edits anywhere: ${CASES.mutated} cases`,
    () => {
      fc.assert(
        fc.property(
          fc.nat(SHIPPED.length - 1),
          fc.array(edit, { minLength: 1, maxLength: 3 }),
          (i, edits) => {
            const json = JSON.parse(mutate(SHIPPED[i]!, edits));
            returnsOrThrows(() => parseFlow('fuzz.json', json, CAPABILITIES), [FlowDefinitionError], edits);
          },
        ),
        fuzz(CASES.mutated),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    `parseFlow on random documents: ${CASES.random} cases`,
    () => {
      const node = objectText({
        type: jsonText.map(() => '"screen"'),
        title: jsonText,
        fields: jsonText,
        next: jsonText.map(() => '"end"'),
        capability: jsonText,
        input: jsonText,
      });
      const doc = fc.oneof(
        objectText({
          id: jsonText.map(() => '"fuzz"'),
          title: jsonText,
          start: jsonText,
          ttl: jsonText,
          nodes: node.map((n) => `{"a":${n}}`),
        }),
        jsonText,
      );
      fc.assert(
        fc.property(doc, (text) => {
          returnsOrThrows(
            () => parseFlow('fuzz.json', JSON.parse(text), CAPABILITIES),
            [FlowDefinitionError],
            text,
          );
        }),
        fuzz(CASES.random),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    `loadFlows on a directory holding an odd file: ${CASES.files} cases`,
    async () => {
      const file = fc.oneof(
        fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
        fc
          .tuple(fc.nat(SHIPPED.length - 1), fc.array(edit, { maxLength: 2 }))
          .map(([i, e]) => Buffer.from(mutate(SHIPPED[i]!, e))),
        fc.constantFrom(Buffer.from(''), Buffer.from('\ufeff{}'), Buffer.from([0xff, 0xfe, 0x7b, 0x7d])),
      );
      await fc.assert(
        fc.asyncProperty(file, async (bytes) => {
          const dir = mkdtempSync(join(tmpdir(), 'fuzz-flows-'));
          dirs.push(dir);
          writeFileSync(join(dir, 'odd.json'), bytes);
          try {
            const flows = await loadFlows(dir, CAPABILITIES);
            expect(flows.size).toBe(1);
          } catch (err) {
            if (!(err instanceof FlowDefinitionError)) throw err;
            expect(err.message).toContain('odd.json');
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        }),
        fuzz(CASES.files),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    `validateForm on any JSON body: ${CASES.forms} cases, field error codes or clean strings, never a throw`,
    () => {
      const screen = (
        JSON.parse(SHIPPED.find((s) => s.includes('"idplus-score"'))!) as {
          nodes: { form: { fields: FormField[] } };
        }
      ).nodes.form.fields.map(
        (f) => Object.assign({ maxLength: 200, required: false, type: 'text' }, f) as FormField,
      );
      const names = Object.fromEntries(screen.map((f) => [f.name, jsonText]));
      fc.assert(
        fc.property(fc.oneof(objectText(names), jsonText), (text) => {
          const body = JSON.parse(text);
          const { values, errors } = validateForm(
            screen,
            body !== null && typeof body === 'object' ? body : {},
          );
          for (const v of Object.values(values)) expect(typeof v).toBe('string');
          const codes = ['mustBeText', 'required', 'tooLong', 'email', 'date', 'tel', 'number', 'choose'];
          for (const e of Object.values(errors)) expect(codes).toContain(e.code);
        }),
        fuzz(CASES.forms),
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
