import type { FormField } from './definition.js';
import { resolveString, type Scope } from './references.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TEL = /^\+?[\d\s().-]{6,20}$/;

/**
 * A submitted form value as text: a string, or the first of a repeated key's strings (`a=1&a=2`); '' when it
 * is absent. Anything else a JSON body can carry (an object such as `{"toString":1}`, a number, nested arrays)
 * is not text: undefined. Never calls String() on the value, which throws or recurses on such input.
 */
export function formText(value: unknown): string | undefined {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) return value[0];
  return undefined;
}

/** Why a field was refused: the page words it in its language, with the field's label. */
export type FieldErrorCode =
  | 'mustBeText'
  | 'required'
  | 'tooLong'
  | 'email'
  | 'date'
  | 'tel'
  | 'number'
  | 'choose';
export interface FieldError {
  code: FieldErrorCode;
  /** For tooLong: the most characters allowed. */
  max?: number;
}

/** Checks submitted form values against a screen's fields; returns clean values or errors by field name. */
export function validateForm(
  fields: readonly FormField[],
  body: Record<string, unknown>,
): { values: Record<string, string>; errors: Record<string, FieldError> } {
  const values: Record<string, string> = {};
  const errors: Record<string, FieldError> = {};
  for (const f of fields) {
    const text = formText(Object.hasOwn(body, f.name) ? body[f.name] : undefined);
    if (text === undefined) {
      errors[f.name] = { code: 'mustBeText' };
      continue;
    }
    const value = text.trim();
    if (value === '') {
      if (f.required) errors[f.name] = { code: 'required' };
      continue;
    }
    const code = refusal(f, value);
    if (code === 'tooLong') errors[f.name] = { code, max: f.maxLength };
    else if (code) errors[f.name] = { code };
    else values[f.name] = value;
  }
  return { values, errors };
}

function refusal(f: FormField, value: string): FieldErrorCode | undefined {
  if (value.length > f.maxLength) return 'tooLong';
  if (f.type === 'email' && !EMAIL.test(value)) return 'email';
  if (f.type === 'date' && !DATE.test(value)) return 'date';
  if (f.type === 'tel' && !TEL.test(value)) return 'tel';
  if (f.type === 'number' && Number.isNaN(Number(value))) return 'number';
  if (f.type === 'select' && f.options && !f.options.some((o) => o.value === value)) return 'choose';
  return undefined;
}

/** A resolved default as form text: text, a number or a boolean; anything else (missing, an object) is none. */
function defaultText(value: unknown): string | undefined {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/**
 * The values a screen's form starts with, by field name (fields without one are left out). A field's `default`
 * (the first of a list that resolves to non-blank text); else, when `demo` is true, its `demo` value.
 * `usedDemo` tells whether any demo value was used.
 */
export function formDefaults(
  fields: readonly FormField[],
  scope: Scope,
  demo: boolean,
): { values: Record<string, string>; usedDemo: boolean } {
  const values: Record<string, string> = {};
  let usedDemo = false;
  for (const f of fields) {
    const candidates = f.default === undefined ? [] : Array.isArray(f.default) ? f.default : [f.default];
    let value: string | undefined;
    for (const c of candidates) {
      value = defaultText(resolveString(c, scope));
      if (value !== undefined) break;
    }
    if (value === undefined && demo && f.demo !== undefined) {
      value = f.demo;
      usedDemo = true;
    }
    if (value !== undefined) values[f.name] = value;
  }
  return { values, usedDemo };
}
