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

/** Checks submitted form values against a screen's fields; returns clean values or errors by field name. */
export function validateForm(
  fields: readonly FormField[],
  body: Record<string, unknown>,
): { values: Record<string, string>; errors: Record<string, string> } {
  const values: Record<string, string> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const text = formText(Object.hasOwn(body, f.name) ? body[f.name] : undefined);
    if (text === undefined) {
      errors[f.name] = `${f.label} must be text`;
      continue;
    }
    const value = text.trim();
    if (value === '') {
      if (f.required) errors[f.name] = `${f.label} is required`;
      continue;
    }
    if (value.length > f.maxLength) errors[f.name] = `${f.label} must be at most ${f.maxLength} characters`;
    else if (f.type === 'email' && !EMAIL.test(value))
      errors[f.name] = `${f.label} must be an e-mail address`;
    else if (f.type === 'date' && !DATE.test(value))
      errors[f.name] = `${f.label} must be a date (YYYY-MM-DD)`;
    else if (f.type === 'tel' && !TEL.test(value)) errors[f.name] = `${f.label} must be a phone number`;
    else if (f.type === 'number' && Number.isNaN(Number(value)))
      errors[f.name] = `${f.label} must be a number`;
    else if (f.type === 'select' && f.options && !f.options.some((o) => o.value === value)) {
      errors[f.name] = `${f.label}: choose one of the options`;
    } else values[f.name] = value;
  }
  return { values, errors };
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
