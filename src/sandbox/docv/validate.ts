import { STRING_FIELDS } from '../idplus/fields.js';
import type { ValidationFailure } from '../idplus/validate.js';
import type { DocumentType, DocvPii } from './types.js';

/** A document request that passed validation, in canonical form. */
export interface DocvRequestInput {
  apiVersion: 'v5' | 'v3';
  verificationLevel?: 1 | 2 | 3;
  customerUserId?: string | number;
  previousReferenceId?: string;
  mobileNumber?: string;
  pii: DocvPii;
  useCaseKey?: string;
  language: string;
  documentType?: DocumentType;
  redirect?: { method: 'GET' | 'POST'; url: string };
  sendMessage: boolean;
}
export type DocvValidation = { ok: true; input: DocvRequestInput } | ValidationFailure;

const PII_FIELDS = [
  'firstName',
  'surName',
  'dob',
  'email',
  'physicalAddress',
  'physicalAddress2',
  'city',
  'state',
  'zip',
  'country',
] as const;
const PERSON_FIELDS = ['customerUserId', 'previousReferenceId', 'mobileNumber', ...PII_FIELDS] as const;

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
const fail = (msg: string, parameters: string[]): ValidationFailure => ({ ok: false, msg, parameters });

type Problems = Array<[string, string]>;

/** The capture-app settings: under `config` (v5) or at the top level (legacy v3). */
function checkSettings(src: Record<string, unknown>, prefix: string, problems: Problems) {
  const out: Pick<DocvRequestInput, 'useCaseKey' | 'language' | 'documentType' | 'redirect' | 'sendMessage'> =
    { language: 'en-us', sendMessage: false };
  const name = (f: string) => `${prefix}${f}`;
  const { useCaseKey, language, documentType, redirect, sendMessage } = src;
  if (useCaseKey !== undefined && useCaseKey !== null) {
    if (typeof useCaseKey !== 'string' || useCaseKey.length > 255)
      problems.push([name('useCaseKey'), 'must be a string of at most 255 characters']);
    else if (useCaseKey.trim()) out.useCaseKey = useCaseKey.trim();
  }
  if (language !== undefined && language !== null) {
    if (typeof language !== 'string' || !/^[a-z]{2,3}(?:[-_][a-z0-9]{2,4})?$/i.test(language.trim()))
      problems.push([name('language'), 'must be a language tag such as en, en-us or es']);
    else out.language = language.trim().toLowerCase();
  }
  if (documentType !== undefined && documentType !== null) {
    if (documentType !== 'license' && documentType !== 'passport')
      problems.push([name('documentType'), 'must be "license" or "passport"']);
    else out.documentType = documentType;
  }
  if (sendMessage !== undefined && sendMessage !== null) {
    if (typeof sendMessage !== 'boolean') problems.push([name('sendMessage'), 'must be true or false']);
    else out.sendMessage = sendMessage;
  }
  if (redirect !== undefined && redirect !== null) {
    const r = checkRedirect(redirect);
    if (typeof r === 'string') problems.push([name('redirect'), r]);
    else out.redirect = r;
  }
  return out;
}

function checkRedirect(raw: unknown): { method: 'GET' | 'POST'; url: string } | string {
  if (!isObject(raw)) return 'must be an object {method, url}';
  const method = raw.method === undefined || raw.method === null ? 'POST' : String(raw.method).toUpperCase();
  if (method !== 'GET' && method !== 'POST') return 'method must be GET or POST';
  if (typeof raw.url !== 'string' || raw.url.trim() === '') return 'url is required with redirect';
  try {
    const u = new URL(raw.url.trim());
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'url must be an http(s) URL';
    return { method, url: u.href };
  } catch {
    return 'url must be an absolute http(s) URL';
  }
}

function checkPerson(body: Record<string, unknown>, problems: Problems) {
  const values: Record<string, string> = {};
  for (const field of PERSON_FIELDS) {
    let raw = body[field];
    if (raw === undefined || raw === null) continue;
    if (field === 'customerUserId' && typeof raw === 'number' && Number.isFinite(raw)) raw = String(raw);
    if (typeof raw !== 'string') {
      problems.push([field, 'must be a string']);
      continue;
    }
    if (raw.trim() === '') continue;
    const result = STRING_FIELDS[field]!(raw.trim(), body);
    if ('error' in result) problems.push([field, result.error]);
    else values[field] = result.value;
  }
  return values;
}

function checkLevel(raw: unknown): 1 | 2 | 3 | string {
  if (raw === undefined || raw === null || raw === '') return 'is required: 1, 2 or 3';
  const n = typeof raw === 'string' ? Number(raw.trim()) : raw;
  return n === 1 || n === 2 || n === 3 ? n : 'must be 1, 2 or 3';
}

/** Validates a v5 (`config` block) or legacy v3 (`verificationLevel`) document request; never throws. */
export function validateDocvRequest(body: unknown, apiVersion: 'v5' | 'v3'): DocvValidation {
  if (!isObject(body)) return fail('The request body must be a JSON object', []);
  const problems: Problems = [];
  let level: 1 | 2 | 3 | undefined;
  if (apiVersion === 'v3') {
    const l = checkLevel(body.verificationLevel);
    if (typeof l === 'string') problems.push(['verificationLevel', l]);
    else level = l;
  }
  let settings: ReturnType<typeof checkSettings>;
  if (apiVersion === 'v5') {
    if (body.config !== undefined && body.config !== null && !isObject(body.config)) {
      problems.push(['config', 'must be an object']);
    }
    settings = checkSettings(isObject(body.config) ? body.config : {}, 'config.', problems);
  } else {
    settings = checkSettings(body, '', problems);
  }
  const person = checkPerson(body, problems);
  if (problems.length > 0) {
    return fail(
      `Invalid input: ${problems.map(([f, p]) => `${f} ${p}`).join('; ')}`,
      problems.map(([f]) => f),
    );
  }
  if (settings.sendMessage && !person.mobileNumber) {
    const flag = apiVersion === 'v5' ? 'config.sendMessage' : 'sendMessage';
    return fail(`mobileNumber is required when ${flag} is true (Socure texts the capture link to it)`, [
      'mobileNumber',
    ]);
  }
  if (level === 3 && !person.mobileNumber) {
    return fail('mobileNumber is required with verificationLevel 3 (Phone RiskScore)', ['mobileNumber']);
  }
  const pii: DocvPii = {};
  for (const f of PII_FIELDS) if (person[f] !== undefined) pii[f] = person[f];
  const input: DocvRequestInput = { apiVersion, ...settings, pii };
  if (level !== undefined) input.verificationLevel = level;
  // Echoed as sent: a number stays a number (socure-api.md §6).
  if (person.customerUserId !== undefined) {
    input.customerUserId =
      typeof body.customerUserId === 'number' ? body.customerUserId : person.customerUserId;
  }
  if (person.previousReferenceId) input.previousReferenceId = person.previousReferenceId;
  if (person.mobileNumber) input.mobileNumber = person.mobileNumber;
  return { ok: true, input };
}
