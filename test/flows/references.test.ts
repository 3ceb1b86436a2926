import { describe, expect, it } from 'vitest';
import { lookup, referencedRoots, resolveDeep, resolveString } from '../../src/flows/references.js';

const scope = {
  input: { firstName: 'Ada', age: 36, active: true, nothing: null, tags: ['a', 'b'] },
  session: { id: 's-1', customerUserId: 'cu-9' },
  getUrl: {
    url: 'https://x.test/capture/t1',
    docvTransactionToken: 't1',
    nested: { list: [{ v: 1 }, { v: 2 }] },
  },
  score: { rawResponse: { decision: { value: 'accept' }, fraud: { scores: [{ score: 0.12 }] } } },
  'my-node': { out: 'dash' },
};

describe('references: whole values keep their type', () => {
  it('returns numbers, booleans, null, arrays and objects as they are', () => {
    expect(resolveString('{{input.age}}', scope)).toBe(36);
    expect(resolveString('{{input.active}}', scope)).toBe(true);
    expect(resolveString('{{input.nothing}}', scope)).toBeNull();
    expect(resolveString('{{input.tags}}', scope)).toEqual(['a', 'b']);
    expect(resolveString('{{score.rawResponse.decision}}', scope)).toEqual({ value: 'accept' });
    // the same object, not a copy turned into text
    expect(resolveString('{{getUrl.nested}}', scope)).toBe(scope.getUrl.nested);
  });

  it('allows spaces inside the braces, array indexes and node ids with dashes', () => {
    expect(resolveString('{{  input.firstName  }}', scope)).toBe('Ada');
    expect(resolveString('{{getUrl.nested.list.1.v}}', scope)).toBe(2);
    expect(resolveString('{{score.rawResponse.fraud.scores.0.score}}', scope)).toBe(0.12);
    expect(resolveString('{{my-node.out}}', scope)).toBe('dash');
  });

  it('resolves a missing value to undefined, through missing parents and non-objects', () => {
    expect(resolveString('{{input.lastName}}', scope)).toBeUndefined();
    expect(resolveString('{{nope.x.y}}', scope)).toBeUndefined();
    expect(resolveString('{{input.firstName.length}}', scope)).toBeUndefined(); // no walking into strings
    expect(resolveString('{{input.nothing.x}}', scope)).toBeUndefined();
    expect(resolveString('{{input.tags.5}}', scope)).toBeUndefined();
  });

  it('never reaches inherited properties', () => {
    expect(lookup(scope, 'input.constructor')).toBeUndefined();
    expect(lookup(scope, 'input.__proto__')).toBeUndefined();
    expect(lookup(scope, 'input.toString')).toBeUndefined();
  });
});

describe('references: interpolation inside text', () => {
  it('formats each reference as text', () => {
    expect(resolveString('Hi {{input.firstName}}, {{input.age}} ({{input.active}})', scope)).toBe(
      'Hi Ada, 36 (true)',
    );
    expect(resolveString('{{session.id}}/{{session.customerUserId}}', scope)).toBe('s-1/cu-9');
  });

  it('writes objects and arrays as JSON and missing or null values as nothing', () => {
    expect(resolveString('tags={{input.tags}}', scope)).toBe('tags=["a","b"]');
    expect(resolveString('d={{score.rawResponse.decision}}', scope)).toBe('d={"value":"accept"}');
    expect(resolveString('[{{input.missing}}][{{input.nothing}}]', scope)).toBe('[][]');
  });

  it('leaves text without references, and malformed braces, as they are', () => {
    expect(resolveString('plain text', scope)).toBe('plain text');
    expect(resolveString('{{ 1bad }} {input.firstName}', scope)).toBe('{{ 1bad }} {input.firstName}');
    expect(resolveString('', scope)).toBe('');
  });
});

describe('references: resolveDeep', () => {
  it('resolves inside nested objects and arrays, keeping types', () => {
    const value = {
      modules: ['documentverification'],
      token: '{{getUrl.docvTransactionToken}}',
      nested: { age: '{{input.age}}', list: ['{{input.firstName}}', 'x-{{session.id}}', 7, true, null] },
    };
    expect(resolveDeep(value, scope)).toEqual({
      modules: ['documentverification'],
      token: 't1',
      nested: { age: 36, list: ['Ada', 'x-s-1', 7, true, null] },
    });
  });

  it('drops object keys whose value is missing, so an optional input stays optional', () => {
    const out = resolveDeep(
      { a: '{{input.missing}}', b: '{{input.firstName}}', c: { d: '{{nope.x}}' } },
      scope,
    );
    expect(out).toEqual({ b: 'Ada', c: {} });
    expect(Object.hasOwn(out as object, 'a')).toBe(false);
  });

  it('does not change the template', () => {
    const template = { a: '{{input.firstName}}', list: ['{{input.age}}'] };
    const copy = structuredClone(template);
    resolveDeep(template, scope);
    expect(template).toEqual(copy);
  });
});

describe('references: referencedRoots', () => {
  it('finds every root named anywhere in a value', () => {
    const roots = referencedRoots({
      a: 'x {{input.a}} y {{getUrl.url}}',
      b: ['{{session.id}}', { c: '{{ score.rawResponse }}' }],
      d: 3,
    });
    expect([...roots].sort()).toEqual(['getUrl', 'input', 'score', 'session']);
  });
});
