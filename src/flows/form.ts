import type { FormField } from './definition.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TEL = /^\+?[\d\s().-]{6,20}$/;

/** Checks submitted form values against a screen's fields; returns clean values or errors by field name. */
export function validateForm(
  fields: readonly FormField[],
  body: Record<string, unknown>,
): { values: Record<string, string>; errors: Record<string, string> } {
  const values: Record<string, string> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const raw = body[f.name];
    const v = (Array.isArray(raw) ? raw[0] : raw) ?? '';
    const value = typeof v === 'string' ? v.trim() : String(v);
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
