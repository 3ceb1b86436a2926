import { ID_PLUS_MODULES } from '../../socure/idplus/modules.js';
import { BOOLEAN_FIELDS, OBJECT_FIELDS, STRING_FIELDS } from './fields.js';
import { missingFor } from './requirements.js';
import type { IdPlusInput, IdPlusModule } from './types.js';

/** A 400 as Socure words it: `msg` for people, `parameters` for programs. */
export interface ValidationFailure {
  ok: false;
  msg: string;
  parameters: string[];
}
export type ValidationResult = { ok: true; input: IdPlusInput } | ValidationFailure;

const WATCHLISTS: readonly string[] = ['watchliststandard', 'watchlistpremier', 'watchlistplus'];
const KNOWN_MODULES: ReadonlySet<string> = new Set(ID_PLUS_MODULES);
/** Built once: STRING_FIELDS is a constant table. */
const STRING_FIELD_CHECKS = Object.entries(STRING_FIELDS);
const fail = (msg: string, parameters: string[]): ValidationFailure => ({ ok: false, msg, parameters });
const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** The module list: present, non-empty, known names, at most one watchlist tier, decision not alone. */
function checkModules(raw: unknown): { modules: IdPlusModule[] } | ValidationFailure {
  if (raw === undefined || raw === null)
    return fail('modules is required: a non-empty array of module names', ['modules']);
  if (!Array.isArray(raw)) return fail('modules must be an array of module names', ['modules']);
  if (raw.length === 0) return fail('modules must contain at least one module', ['modules']);
  if (!raw.every((m) => typeof m === 'string')) return fail('modules must contain only strings', ['modules']);
  // Module names are lower-case on the wire; the sandbox forgives case and duplicates.
  const names = [...new Set(raw.map((m: string) => m.trim().toLowerCase()))];
  const unknown = names.filter((m) => !KNOWN_MODULES.has(m));
  if (unknown.length > 0) {
    return fail(`Unknown module(s): ${unknown.join(', ')}. Known modules: ${ID_PLUS_MODULES.join(', ')}`, [
      'modules',
    ]);
  }
  const watchlists = names.filter((m) => WATCHLISTS.includes(m));
  if (watchlists.length > 1) {
    return fail(`Only one Global Watchlist module can be requested per call (got ${watchlists.join(', ')})`, [
      'modules',
    ]);
  }
  if (names.length === 1 && names[0] === 'decision') {
    return fail('The decision module needs at least one other module', ['modules']);
  }
  return { modules: names as IdPlusModule[] };
}

/** Types and strict formats of the fields; blank strings count as absent. */
function checkFields(body: Record<string, unknown>): { values: Record<string, string> } | ValidationFailure {
  const values: Record<string, string> = {};
  const problems: Array<[string, string]> = [];
  for (const [field, check] of STRING_FIELD_CHECKS) {
    let raw = body[field];
    if (raw === undefined || raw === null) continue;
    if (field === 'customerUserId' && typeof raw === 'number' && Number.isFinite(raw)) raw = String(raw);
    if (typeof raw !== 'string') {
      problems.push([field, 'must be a string']);
      continue;
    }
    const trimmed = raw.trim();
    if (trimmed === '') continue;
    const result = check(trimmed, body);
    if ('error' in result) problems.push([field, result.error]);
    else values[field] = result.value;
  }
  for (const field of BOOLEAN_FIELDS) {
    if (body[field] !== undefined && body[field] !== null && typeof body[field] !== 'boolean') {
      problems.push([field, 'must be true or false']);
    }
  }
  for (const field of OBJECT_FIELDS) {
    if (body[field] !== undefined && body[field] !== null && !isObject(body[field])) {
      problems.push([field, 'must be an object']);
    }
  }
  // Socure rejects an explicit refusal of consent; null/absent only skips the SSA checks (§2.1).
  if (body.userConsent !== undefined && body.userConsent !== null && body.userConsent !== true) {
    problems.push(['userConsent', 'must be true when given (omit it or send null to skip SSA checks)']);
  }
  if (problems.length > 0) {
    return fail(
      `Invalid input: ${problems.map(([f, p]) => `${f} ${p}`).join('; ')}`,
      problems.map(([f]) => f),
    );
  }
  return { values };
}

/** Validates an ID+ body the way the sandbox's Socure does; never throws. */
export function validateIdPlusRequest(body: unknown): ValidationResult {
  if (!isObject(body)) return fail('The request body must be a JSON object', []);
  const modules = checkModules(body.modules);
  if ('ok' in modules) return modules;
  const fields = checkFields(body);
  if ('ok' in fields) return fields;

  const parameters: string[] = [];
  const texts: string[] = [];
  for (const m of modules.modules) {
    const missing = missingFor(m, body, fields.values);
    if (missing === undefined) continue;
    texts.push(`${m} requires ${missing.texts.join(' and ')}`);
    for (const p of missing.parameters) if (!parameters.includes(p)) parameters.push(p);
  }
  if (parameters.length > 0) return fail(`Missing required input: ${texts.join('; ')}`, parameters);

  const input: IdPlusInput = { modules: modules.modules, ...fields.values };
  if (isObject(body.payments)) input.payments = body.payments;
  return { ok: true, input };
}
