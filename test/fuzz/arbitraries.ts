import fc from 'fast-check';
import type { RawRequest } from './http.js';

/** Generators shared by the fuzz files: methods, raw paths, headers, and bodies with odd shapes. */

export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;
export const anyMethod = fc.constantFrom(...METHODS);

/** The route's own method most of the time, any other sometimes. */
export const methodFor = (own: string) =>
  fc.oneof({ weight: 4, arbitrary: fc.constant(own) }, { weight: 1, arbitrary: anyMethod });

/** Percent-encodes every byte of the UTF-8 form but unreserved characters (lone surrogates too, unlike encodeURIComponent). */
export const pct = (s: string): string =>
  [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');

/** Printable ASCII: what may go raw into a path or a header value. */
export const printable = (maxLength = 30) => fc.string({ maxLength });

/** Strings that break naive code: empty, control characters, lone surrogates, prototype names, huge. */
export const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\ud800',
  '\udfff',
  '\ufeff',
  '\r\n',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '{{input.email}}',
  '{{session}}',
  '<script>alert(1)</script>',
  '%',
  '%00',
  '%ff',
  '../../etc/passwd',
  'NaN',
  '-0',
  '1e999',
  '😀',
  'e\u0301',
];

export const oddString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.constantFrom(...ODD_STRINGS) },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 5_000 }).map((n) => 'x'.repeat(n)) },
);

/** A path segment: valid-looking, percent-encoded anything, broken escapes, dot segments, too long. */
export const segment = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{0,40}$/) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }).map(pct) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      '.',
      '..',
      '%2e%2e',
      '%2F',
      '%00',
      '%ff',
      '%zz',
      '%',
      '%E0%A4%A',
      '~',
      ';x=1',
      '*',
      '@',
      ':id',
      '__proto__',
      'constructor',
      'a'.repeat(101),
      'b'.repeat(2_000),
    ),
  },
  { weight: 1, arbitrary: fc.stringMatching(/^[!$&'()*+,;=:@A-Za-z0-9._~-]{1,20}$/) },
);

export const queryString = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '?',
      '?x=1',
      '?a=1&a=2',
      '?__proto__[polluted]=1',
      '?constructor[prototype][x]=1',
      '?a=%ff',
      '?a=%zz',
      '?to=%2B1555',
      '?environment=production',
      '?environment=nope',
      '?environment[]=sandbox',
      '?group=true',
    ),
  },
  { weight: 1, arbitrary: fc.stringMatching(/^\?[!$&'()*+,;=:@A-Za-z0-9._~%-]{0,40}$/) },
);

/** Content types a client may claim, right or wrong. */
export const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json; charset=latin1',
  'application/json;charset="utf-8"',
  'application/vnd.socure+json',
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=utf-8',
  'text/plain',
  'text/html',
  'multipart/form-data; boundary=fuzz',
  'multipart/form-data',
  'image/png',
  'application/octet-stream',
  'json',
  '*/*',
  'application/',
  ';',
  'application/json, text/plain',
];
export const contentType = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
  { weight: 1, arbitrary: printable(30) },
);

/** Extra request headers (never the ones the HTTP client owns: host, content-length, connection…). */
export const extraHeaders = fc.dictionary(
  fc.constantFrom(
    'accept',
    'accept-language',
    'x-forwarded-for',
    'x-requested-with',
    'origin',
    'referer',
    'cookie',
    'user-agent',
    'content-encoding',
    'x-http-method-override',
  ),
  fc.oneof(printable(40), fc.constantFrom('gzip', '*/*', 'text/html', '1.2.3.4, 5.6.7.8', 'null')),
  { maxKeys: 3 },
);

// ---- JSON text with odd shapes ----

const nested = (open: string, close: string, inner: string) => (n: number) =>
  open.repeat(n) + inner + close.repeat(n);

/**
 * JSON fragments that broke or may break parsers: deep nesting, prototype keys, toString, huge strings. The big
 * ones (20,000 levels, up to 300 kB) are rare: they cost time and memory on every case that draws them.
 */
export const oddJsonValue = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.constantFrom(
      '{"toString":1}',
      '{"valueOf":1,"toString":1}',
      '{"toString":{"toString":1}}',
      '{"length":{"toString":1}}',
      '{"length":1e999}',
      '{"__proto__":{"polluted":1}}',
      '{"constructor":{"prototype":{"polluted":1}}}',
      '[{"toString":1}]',
      '1e999',
      '-0',
      '9007199254740993',
      '1.7976931348623157e308',
      '"\\ud800"',
      '"\\u0000"',
      '[]',
      '{}',
      'null',
      'true',
    ),
  },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 40 }).map(nested('[', ']', '')) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 40 }).map(nested('{"a":', '}', '1')) },
  { weight: 1, arbitrary: fc.constantFrom(20_000, 25_000).map(nested('[', ']', '')) },
  { weight: 1, arbitrary: fc.constantFrom(20_000).map((n) => `{"length":${nested('[', ']', '')(n)}}`) },
  { weight: 1, arbitrary: fc.constantFrom(5_000, 20_000).map(nested('{"a":', '}', '1')) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1_000, max: 300_000 }).map((n) => JSON.stringify('y'.repeat(n))),
  },
);

export const scalarJson = fc.oneof(
  fc.string({ maxLength: 30 }).map((s) => JSON.stringify(s)),
  fc.string({ unit: 'binary', maxLength: 10 }).map((s) => JSON.stringify(s)),
  fc.constantFrom(...ODD_STRINGS).map((s) => JSON.stringify(s)),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.boolean().map(String),
  fc.constant('null'),
);

export const ODD_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '',
  ' ',
  'a.b',
  '0',
  'length',
];

/** Any JSON value as text, a few levels deep, with odd fragments mixed in. */
export const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string; array: string; object: string }>(
  (tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 4, arbitrary: scalarJson },
      { weight: 1, arbitrary: oddJsonValue },
      { weight: 1, arbitrary: tie('array') },
      { weight: 1, arbitrary: tie('object') },
    ),
    array: fc.array(tie('value'), { maxLength: 4 }).map((xs) => `[${xs.join(',')}]`),
    object: fc
      .array(fc.tuple(fc.oneof(fc.constantFrom(...ODD_KEYS), fc.string({ maxLength: 8 })), tie('value')), {
        maxLength: 4,
      })
      .map(objectOf),
  }),
).value;

function objectOf(entries: ReadonlyArray<readonly [string, string]>): string {
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
}

/** Field values as JSON text: the field's own valid values, or anything. */
export type FieldSpec = Record<string, fc.Arbitrary<string>>;
export const json = (...values: unknown[]) => fc.constantFrom(...values.map((v) => JSON.stringify(v)));

/**
 * A JSON object (as text) holding some of a route's known fields (each valid or odd) plus stray keys
 * (__proto__, constructor…) — so generated bodies reach past the first check of a handler.
 */
export function objectText(fields: FieldSpec): fc.Arbitrary<string> {
  const known = Object.entries(fields).map(([name, valid]) =>
    fc.option(
      fc
        .oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: jsonText })
        .map((v) => [name, v] as const),
      { freq: 3 },
    ),
  );
  const stray = fc.array(
    fc.tuple(fc.oneof(fc.constantFrom(...ODD_KEYS), fc.string({ maxLength: 8 })), jsonText),
    { maxLength: 2 },
  );
  return fc
    .tuple(fc.tuple(...known), stray)
    .map(([picked, extra]) =>
      objectOf([...picked.filter((e): e is readonly [string, string] => e !== null), ...extra]),
    );
}

/** Form encoding of fields: repeated keys, `k[]`/`k[a]` brackets, raw bytes and broken escapes. */
export function formText(fields: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<string> {
  const names = Object.keys(fields);
  const key = fc.oneof(
    { weight: 4, arbitrary: names.length ? fc.constantFrom(...names) : fc.string({ maxLength: 8 }) },
    { weight: 1, arbitrary: fc.constantFrom(...ODD_KEYS) },
    { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  );
  const keyForm = (k: string) => fc.constantFrom(k, k, k, `${k}[]`, `${k}[0]`, `${k}[a]`).map(pct);
  const value = (k: string) =>
    fc.oneof(
      {
        weight: 4,
        arbitrary: (Object.hasOwn(fields, k) ? fields[k]! : fc.string({ maxLength: 20 })).map(pct),
      },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }).map(pct) },
      { weight: 1, arbitrary: fc.constantFrom('%ff', '%zz', '%', '+', '%00', '%E0%A4%A', 'a=b=c') },
    );
  const pair = key.chain((k) => fc.tuple(keyForm(k), value(k)).map(([kk, v]) => `${kk}=${v}`));
  return fc
    .tuple(fc.array(pair, { maxLength: 8 }), fc.constantFrom('&', '&', '&', ';', '&&'))
    .map(([pairs, sep]) => pairs.join(sep));
}

/** Plain string values (for form fields), valid or odd. */
export const formValues = (...values: string[]) =>
  fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...values) }, { weight: 1, arbitrary: oddString });

export interface GeneratedBody {
  contentType?: string;
  body?: string | Buffer;
}

/** A request body: JSON (odd shapes), form-encoded, raw non-UTF-8 bytes, or none — with a content type. */
export function bodyFor(fields: FieldSpec, formFields: Record<string, fc.Arbitrary<string>> = {}) {
  const jsonTypes = fc.oneof(
    { weight: 6, arbitrary: fc.constant('application/json') },
    { weight: 1, arbitrary: contentType },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
  const formTypes = fc.oneof(
    { weight: 6, arbitrary: fc.constant('application/x-www-form-urlencoded') },
    { weight: 1, arbitrary: contentType },
  );
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ contentType: jsonTypes, body: objectText(fields) }) },
    { weight: 1, arbitrary: fc.record({ contentType: jsonTypes, body: jsonText }) },
    { weight: 3, arbitrary: fc.record({ contentType: formTypes, body: formText(formFields) }) },
    {
      weight: 1,
      arbitrary: fc.record({
        contentType: fc.option(contentType, { nil: undefined }),
        body: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
      }),
    },
    { weight: 1, arbitrary: fc.record({ contentType: fc.option(contentType, { nil: undefined }) }) },
  ) as fc.Arbitrary<GeneratedBody>;
}

/** A string with one character changed, cut, or extended: a "broken" id or signature. */
export const broken = (valid: string) =>
  fc.oneof(
    fc.nat({ max: Math.max(0, valid.length - 1) }).map((i) => {
      const c = valid[i] === 'A' ? 'B' : 'A';
      return valid.slice(0, i) + c + valid.slice(i + 1);
    }),
    fc.nat({ max: valid.length }).map((n) => valid.slice(0, n)),
    fc.constantFrom(`${valid}A`, `${valid}/`, valid.toLowerCase(), valid.toUpperCase(), pct(valid)),
  );

/** A request from its parts; the generated content type goes into the headers. */
export function requestOf(
  method: fc.Arbitrary<string>,
  path: fc.Arbitrary<string>,
  body: fc.Arbitrary<GeneratedBody>,
  headers: fc.Arbitrary<Record<string, string>> = extraHeaders,
): fc.Arbitrary<RawRequest> {
  return fc.record({ method, path, body, headers }).map(({ method, path, body, headers }) => {
    const h: Record<string, string> = { ...headers };
    if (body.contentType !== undefined) h['content-type'] = body.contentType;
    // A HEAD request has no body (the HTTP client refuses one).
    return { method, path, headers: h, body: method === 'HEAD' ? undefined : body.body };
  });
}

/** Adds generated headers (e.g. an Authorization or a cookie variant) to a request. */
export function withHeaders(
  req: fc.Arbitrary<RawRequest>,
  headers: Record<string, fc.Arbitrary<string | undefined>>,
): fc.Arbitrary<RawRequest> {
  return fc.tuple(req, fc.record(headers)).map(([r, extra]) => {
    const h = { ...r.headers };
    for (const [k, v] of Object.entries(extra)) if (v !== undefined) h[k] = v;
    return { ...r, headers: h };
  });
}

/** The object (as JSON text) of `base` values with a few fields replaced by odd values, dropped, or added. */
export function mutatedJson(base: Record<string, unknown>): fc.Arbitrary<string> {
  const names = Object.keys(base);
  return fc
    .record({
      replace: fc.array(fc.tuple(fc.constantFrom(...names), fc.oneof(jsonText, oddJsonValue)), {
        maxLength: 2,
      }),
      drop: fc.subarray(names, { maxLength: 2 }),
      stray: fc.array(fc.tuple(fc.constantFrom(...ODD_KEYS), jsonText), { maxLength: 2 }),
    })
    .map(({ replace, drop, stray }) => {
      const entries = new Map(Object.entries(base).map(([k, v]) => [k, JSON.stringify(v)]));
      for (const k of drop) entries.delete(k);
      for (const [k, v] of replace) entries.set(k, v);
      return objectOf([...entries, ...stray]);
    });
}

/** The same as an HTML form would post it, with odd values, repeated keys and brackets mixed in. */
export function mutatedForm(base: Record<string, string>): fc.Arbitrary<string> {
  const names = Object.keys(base);
  return fc
    .record({
      replace: fc.array(fc.tuple(fc.constantFrom(...names), oddString), { maxLength: 2 }),
      repeat: fc.array(
        fc.tuple(fc.constantFrom(...names), fc.constantFrom('', '[]', '[0]', '[a]'), oddString),
        {
          maxLength: 2,
        },
      ),
      drop: fc.subarray(names, { maxLength: 2 }),
      raw: fc.option(
        fc.constantFrom('%ff', '%zz', '=', '&&', '__proto__[x]=1', 'constructor[prototype][x]=1'),
      ),
    })
    .map(({ replace, repeat, drop, raw }) => {
      const entries = new Map(Object.entries(base));
      for (const k of drop) entries.delete(k);
      for (const [k, v] of replace) entries.set(k, v);
      const pairs = [...entries].map(([k, v]) => `${pct(k)}=${pct(v)}`);
      for (const [k, suffix, v] of repeat) pairs.push(`${pct(k + suffix)}=${pct(v)}`);
      if (raw !== null) pairs.push(raw);
      return pairs.join('&');
    });
}
