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

describe('reason-code conditions: hasAnyOf / hasNoneOf', () => {
  const codes = {
    score: {
      rawResponse: {
        fraud: { reasonCodes: ['R202', 'I610'] },
        emailRisk: { reasonCodes: ['R557', 'R520'] },
        kyc: { reasonCodes: [] },
        decision: { value: 'review' },
      },
    },
  };
  const fraud = '{{score.rawResponse.fraud.reasonCodes}}';
  const email = '{{score.rawResponse.emailRisk.reasonCodes}}';
  const kyc = '{{score.rawResponse.kyc.reasonCodes}}';
  const missing = '{{score.rawResponse.alertList.reasonCodes}}';
  const h = (condition: Record<string, unknown>) => holds(condition as Condition, codes);

  it('hasAnyOf holds when the list holds at least one of the codes', () => {
    expect(h({ value: fraud, hasAnyOf: ['R659', 'R202'] })).toBe(true);
    expect(h({ value: fraud, hasAnyOf: ['R659', 'R610'] })).toBe(false);
  });

  it('hasNoneOf holds when the list holds none of the codes, and for an empty list', () => {
    expect(h({ value: fraud, hasNoneOf: ['R659', 'R610'] })).toBe(true);
    expect(h({ value: fraud, hasNoneOf: ['R659', 'R202'] })).toBe(false);
    expect(h({ value: kyc, hasNoneOf: ['R901'] })).toBe(true);
    expect(h({ value: kyc, hasAnyOf: ['R901'] })).toBe(false);
  });

  it('pools the codes of several references (a union of modules)', () => {
    expect(h({ value: [fraud, email], hasAnyOf: ['R557'] })).toBe(true);
    expect(h({ value: [fraud, email], hasAnyOf: ['R202'] })).toBe(true);
    expect(h({ value: [fraud, kyc], hasAnyOf: ['R557'] })).toBe(false);
    expect(h({ value: [fraud, email], hasNoneOf: ['R557'] })).toBe(false);
    expect(h({ value: [fraud, email, kyc], hasNoneOf: ['R999', 'R901'] })).toBe(true);
    // a module that was not called adds nothing, the others still count
    expect(h({ value: [missing, email], hasAnyOf: ['R557'] })).toBe(true);
    expect(h({ value: [missing, email], hasNoneOf: ['R901'] })).toBe(true);
  });

  it('both together must both hold', () => {
    expect(h({ value: [fraud, email], hasAnyOf: ['R202'], hasNoneOf: ['R901'] })).toBe(true);
    expect(h({ value: [fraud, email], hasAnyOf: ['R202'], hasNoneOf: ['R557'] })).toBe(false);
  });

  it('compares codes ignoring case and surrounding spaces', () => {
    expect(h({ value: fraud, hasAnyOf: ['r202'] })).toBe(true);
    expect(h({ value: fraud, hasAnyOf: [' R202 '] })).toBe(true);
  });

  it('a single text value is one item', () => {
    expect(h({ value: '{{score.rawResponse.decision.value}}', hasAnyOf: ['review', 'reject'] })).toBe(true);
    expect(h({ value: 'R202', hasAnyOf: ['R202'] })).toBe(true);
  });

  it('is false either way when no reference resolves to a list or text (not called, a typo, an object)', () => {
    for (const value of [missing, [missing], '{{score.rawResponse.fraud}}', '{{nope.x}}', '']) {
      expect(h({ value, hasAnyOf: ['R202'] }), JSON.stringify(value)).toBe(false);
      expect(h({ value, hasNoneOf: ['R202'] }), JSON.stringify(value)).toBe(false);
    }
  });

  it('ignores items of a list that are not text', () => {
    const odd = { x: { codes: [{ code: 'R202' }, null, 'R557'] } };
    expect(holds({ value: '{{x.codes}}', hasAnyOf: ['R202'] } as Condition, odd)).toBe(false);
    expect(holds({ value: '{{x.codes}}', hasAnyOf: ['R557'] } as Condition, odd)).toBe(true);
  });

  it('drives a branch rule loaded by the real loader', () => {
    const flow = inlineFlow(
      'codes',
      'score',
      {
        score: { type: 'capability', capability: 'fake', next: 'b' },
        b: {
          type: 'branch',
          rules: [
            { if: { value: [fraud, email], hasAnyOf: ['R202', 'R557'] }, next: 'autoReject' },
            { if: { value: [fraud, email], hasNoneOf: ['R520'] }, next: 'clean' },
          ],
          default: 'other',
        },
        ...Object.fromEntries(
          ['autoReject', 'clean', 'other'].map((id) => [id, { type: 'end', outcome: 'verified', title: id }]),
        ),
      },
      ['fake'],
    );
    const node = flow.nodes.b as NodeOf<'branch'>;
    const at = (f: string[], e: string[]) =>
      chooseBranch(node, {
        score: { rawResponse: { fraud: { reasonCodes: f }, emailRisk: { reasonCodes: e } } },
      });
    expect(at(['I610'], ['R557'])).toBe('autoReject');
    expect(at(['R202'], [])).toBe('autoReject');
    expect(at(['I610'], ['I520'])).toBe('clean');
    expect(at(['I610'], ['R520'])).toBe('other');
    expect(chooseBranch(node, { score: {} })).toBe('other');
  });
});
