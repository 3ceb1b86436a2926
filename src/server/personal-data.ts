/**
 * The person's own data in what the sessions API answers. A session's result and timeline may carry it: an end
 * node's `result` holds whatever its references resolve to — a DocV answer's `documentData` (name, date of birth,
 * address, document number read off the ID), a whole ID+ answer (`{{score.rawResponse}}`: its watchlist matches
 * name the person, `customerProfile` echoes the ids sent), any value a flow copies from a form or the input — and a
 * failed step's message is Socure's own text. By default the API leaves that data out; `?include=input` has it.
 */

/**
 * Keys whose text is a person's data wherever they appear: Socure's input fields, what Socure echoes (DocV
 * `documentData`, `prefill`) and the usual names of the same things. Compared lower-case. Numbers and booleans
 * under them stay: `kyc.fieldValidations.firstName: 0.99` is a score, not a name.
 */
const PERSONAL_KEYS: ReadonlySet<string> = new Set(
  [
    'firstName',
    'middleName',
    'surName',
    'lastName',
    'fullName',
    'dob',
    'dateOfBirth',
    'nationalId',
    'ssn',
    'email',
    'mobileNumber',
    'phoneNumber',
    'phone',
    'physicalAddress',
    'physicalAddress2',
    'address',
    'parsedAddress',
    'city',
    'zip',
    'postalCode',
    'documentNumber',
    'documentData',
    'prefill',
    'ipAddress',
  ].map((k) => k.toLowerCase()),
);

/**
 * Keys that carry Socure's verdicts and identifiers, never the person's data: kept whole, even when a value
 * happens to equal something the person typed (the sandbox's magic surname "Reject" yields decision "reject").
 */
const VERDICT_KEYS: ReadonlySet<string> = new Set(
  ['decision', 'reasonCodes', 'referenceId', 'docvTransactionToken', 'outcome'].map((k) => k.toLowerCase()),
);

/** A value the person gave, in the forms it is looked for. */
export interface Needle {
  /** Its words, lower-case and without accents: found as a run of words in a text. */
  words: string[];
  /** Under three letters: only a text that is exactly these words (a state "TN" is not found inside words). */
  exact: boolean;
  /** For values with 7+ digits (SSN, phone, date of birth): the digit strings looked for in a text's digits. */
  digits: string[];
}

const wordsOf = (s: string): string[] =>
  s
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .match(/[\p{L}\p{N}]+/gu) ?? [];

function needleOf(value: string): Needle | undefined {
  const words = wordsOf(value);
  if (words.length === 0) return undefined;
  const digits: string[] = [];
  const all = value.replace(/\D/g, '');
  if (all.length >= 7) {
    digits.push(all);
    // +1 347 555 0100 is also written (347) 555-0100.
    if (/^1\d{10}$/.test(all)) digits.push(all.slice(1));
    // 1975-04-02 is also written 04/02/1975.
    const date = /^\s*(\d{4})-(\d{2})-(\d{2})\s*$/.exec(value);
    if (date) digits.push(`${date[2]}${date[3]}${date[1]}`);
  }
  return { words, exact: words.join('').length < 3, digits };
}

/** Every text value (strings and numbers, at any depth) the person gave: the session's input, their forms. */
export function needlesOf(values: unknown[]): Needle[] {
  const out: Needle[] = [];
  const visit = (v: unknown, depth: number) => {
    if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) {
      const needle = needleOf(String(v));
      if (needle) out.push(needle);
    } else if (v && typeof v === 'object' && depth < 8) {
      for (const item of Array.isArray(v) ? v : Object.values(v)) visit(item, depth + 1);
    }
  };
  for (const v of values) visit(v, 0);
  return out;
}

function holds(text: string, needles: Needle[]): boolean {
  const words = wordsOf(text);
  const digits = text.replace(/\D/g, '');
  return needles.some((n) => {
    if (n.digits.length > 0 && digits.length >= 7 && n.digits.some((d) => digits.includes(d))) return true;
    if (n.exact) return words.length === n.words.length && n.words.every((w, i) => words[i] === w);
    for (let at = 0; at + n.words.length <= words.length; at++) {
      if (n.words.every((w, i) => words[at + i] === w)) return true;
    }
    return false;
  });
}

/** RFC 6901: `~` and `/` escaped in a reference token. */
const pointer = (path: string, key: string | number) =>
  `${path}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;

const OMIT = Symbol('omit');

/**
 * `value` without the person's data: the values under personal keys, and every text that holds a value the
 * person gave (`needles`); an array loses the elements left out (and goes when none is left). `omitted` collects
 * where they were, as JSON pointers (from `path`) into the whole value.
 */
export function withoutPersonalData<T>(value: T, needles: Needle[], path: string, omitted: string[]): T {
  const walk = (v: unknown, at: string, key: string | undefined, depth: number): unknown => {
    const k = key?.toLowerCase();
    if (k !== undefined && VERDICT_KEYS.has(k)) return v;
    if (v === null || v === undefined || typeof v === 'boolean') return v;
    if (k !== undefined && PERSONAL_KEYS.has(k) && typeof v !== 'number') {
      omitted.push(at);
      return OMIT;
    }
    if (typeof v === 'string' || typeof v === 'number') {
      if (holds(String(v), needles)) {
        omitted.push(at);
        return OMIT;
      }
      return v;
    }
    if (typeof v !== 'object') return v;
    if (depth > 32) {
      omitted.push(at); // deeper than any answer Socure gives: not worth the risk of missing something
      return OMIT;
    }
    if (Array.isArray(v)) {
      const mark = omitted.length;
      const kept = v
        .map((item, i) => walk(item, pointer(at, i), undefined, depth + 1))
        .filter((x) => x !== OMIT);
      if (kept.length > 0 || v.length === 0) return kept;
      // Nothing left (a watchlist match's `name: ["…"]`): the key goes too, not an empty list that reads as "none".
      omitted.splice(mark, omitted.length - mark, at);
      return OMIT;
    }
    // fromEntries defines own properties: a stored "__proto__" key stays a key, never the copy's prototype.
    return Object.fromEntries(
      Object.entries(v)
        .map(([name, item]) => [name, walk(item, pointer(at, name), name, depth + 1)] as const)
        .filter(([, kept]) => kept !== OMIT),
    );
  };
  const kept = walk(value, path, undefined, 0);
  return (kept === OMIT ? null : kept) as T;
}
