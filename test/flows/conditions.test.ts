import { describe, expect, it } from 'vitest';
import { chooseBranch, holds } from '../../src/flows/conditions.js';
import type { Condition, NodeOf } from '../../src/flows/definition.js';
import { inlineFlow } from './support.js';

const scope = {
  input: {
    age: 36,
    ageText: '21',
    name: 'Ada',
    empty: '',
    nothing: null,
    flag: false,
    list: [1],
    obj: { a: 1 },
  },
  score: { rawResponse: { decision: { value: 'refer' }, fraud: { score: 0.62 } } },
};

const c = (condition: Omit<Condition, 'value'> & { value: string }) => condition as Condition;

describe('conditions', () => {
  it('equals compares the typed value strictly', () => {
    expect(holds(c({ value: '{{score.rawResponse.decision.value}}', equals: 'refer' }), scope)).toBe(true);
    expect(holds(c({ value: '{{score.rawResponse.decision.value}}', equals: 'accept' }), scope)).toBe(false);
    expect(holds(c({ value: '{{input.age}}', equals: 36 }), scope)).toBe(true);
    expect(holds(c({ value: '{{input.age}}', equals: '36' }), scope)).toBe(false);
    expect(holds(c({ value: '{{input.flag}}', equals: false }), scope)).toBe(true);
    expect(holds(c({ value: '{{input.nothing}}', equals: null }), scope)).toBe(true);
  });

  it('in checks membership', () => {
    expect(holds(c({ value: '{{score.rawResponse.decision.value}}', in: ['refer', 'review'] }), scope)).toBe(
      true,
    );
    expect(holds(c({ value: '{{score.rawResponse.decision.value}}', in: ['accept'] }), scope)).toBe(false);
    expect(holds(c({ value: '{{input.missing}}', in: ['x'] }), scope)).toBe(false);
  });

  it('exists is false for missing, null and empty values, true otherwise (including false and 0)', () => {
    expect(holds(c({ value: '{{input.name}}', exists: true }), scope)).toBe(true);
    expect(holds(c({ value: '{{input.flag}}', exists: true }), scope)).toBe(true);
    for (const path of ['input.missing', 'input.nothing', 'input.empty']) {
      expect(holds(c({ value: `{{${path}}}`, exists: true }), scope)).toBe(false);
      expect(holds(c({ value: `{{${path}}}`, exists: false }), scope)).toBe(true);
    }
  });

  it('gte / lte compare numbers and numeric text, bounds included', () => {
    expect(holds(c({ value: '{{score.rawResponse.fraud.score}}', gte: 0.5 }), scope)).toBe(true);
    expect(holds(c({ value: '{{score.rawResponse.fraud.score}}', gte: 0.5, lte: 0.75 }), scope)).toBe(true);
    expect(holds(c({ value: '{{score.rawResponse.fraud.score}}', gte: 0.62, lte: 0.62 }), scope)).toBe(true);
    expect(holds(c({ value: '{{score.rawResponse.fraud.score}}', gte: 0.63 }), scope)).toBe(false);
    expect(holds(c({ value: '{{score.rawResponse.fraud.score}}', lte: 0.61 }), scope)).toBe(false);
    expect(holds(c({ value: '{{input.ageText}}', gte: 18 }), scope)).toBe(true);
  });

  it('gte / lte are false for values that are not numbers', () => {
    for (const path of [
      'input.missing',
      'input.nothing',
      'input.empty',
      'input.name',
      'input.flag',
      'input.list',
      'input.obj',
    ]) {
      expect(holds(c({ value: `{{${path}}}`, gte: 0 }), scope), path).toBe(false);
      expect(holds(c({ value: `{{${path}}}`, lte: 100 }), scope), path).toBe(false);
    }
    // text that is only spaces is not the number 0
    expect(holds(c({ value: ' ', lte: 0 }), scope)).toBe(false);
  });
});

describe('branch nodes', () => {
  const flow = inlineFlow(
    'branchy',
    'score',
    {
      score: { type: 'capability', capability: 'fake', next: 'b' },
      b: {
        type: 'branch',
        value: '{{score.rawResponse.decision.value}}',
        cases: { accept: 'ok', refer: 'stepUp', true: 'wasTrue', '36': 'number' },
        rules: [
          { if: { value: '{{input.blocked}}', equals: true }, next: 'blocked' },
          { if: { value: '{{score.rawResponse.fraud.score}}', gte: 0.9 }, next: 'fraud' },
        ],
        default: 'other',
      },
      ...Object.fromEntries(
        ['ok', 'stepUp', 'wasTrue', 'number', 'blocked', 'fraud', 'other'].map((id) => [
          id,
          { type: 'end', outcome: 'verified', title: id },
        ]),
      ),
    },
    ['fake'],
  );
  const node = flow.nodes.b as NodeOf<'branch'>;
  const at = (decision: unknown, extra: Record<string, unknown> = {}, fraud = 0.1) =>
    chooseBranch(node, {
      input: extra,
      score: { rawResponse: { decision: { value: decision }, fraud: { score: fraud } } },
    });

  it('picks the case of the value', () => {
    expect(at('accept')).toBe('ok');
    expect(at('refer')).toBe('stepUp');
  });

  it('matches cases on the value as text', () => {
    expect(at(true)).toBe('wasTrue');
    expect(at(36)).toBe('number');
  });

  it('falls back to the default for unknown and missing values', () => {
    expect(at('maybe')).toBe('other');
    expect(at(undefined)).toBe('other');
    expect(at(null)).toBe('other');
    // not an inherited key of the cases object
    expect(at('constructor')).toBe('other');
  });

  it('checks rules in order before the cases', () => {
    expect(at('accept', { blocked: true })).toBe('blocked');
    expect(at('accept', {}, 0.95)).toBe('fraud');
    expect(at('accept', { blocked: true }, 0.95)).toBe('blocked');
  });
});
