import type { FormField, LocalizedText, NodeOf } from './definition.js';

/**
 * A flow text in one language: the text for the language tag (`es-MX`), else its primary language (`es`), else
 * English, else the first given. A plain string is the same in every language.
 */
export function localize(value: LocalizedText, language: string): string;
export function localize(value: LocalizedText | undefined, language: string): string | undefined;
export function localize(value: LocalizedText | undefined, language: string): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  const tag = language.toLowerCase();
  const byTag = new Map(Object.entries(value).map(([k, v]) => [k.toLowerCase(), v]));
  return byTag.get(tag) ?? byTag.get(tag.split('-')[0]!) ?? byTag.get('en') ?? byTag.values().next().value;
}

/** A form field with its texts in one language. */
export type LocalizedField = Omit<FormField, 'label' | 'help' | 'options'> & {
  label: string;
  help?: string;
  options?: Array<{ value: string; label: string }>;
};

export function localizeField(field: FormField, language: string): LocalizedField {
  return {
    ...field,
    label: localize(field.label, language),
    help: localize(field.help, language),
    options: field.options?.map((o) => ({ value: o.value, label: localize(o.label, language) })),
  };
}

/** A screen with its texts in one language (references are resolved later, by the page). */
export interface LocalizedScreen {
  title: string;
  message?: string;
  demoMessage?: string;
  submitLabel?: string;
  fields: LocalizedField[];
}

export function localizeScreen(node: NodeOf<'screen'>, language: string): LocalizedScreen {
  return {
    title: localize(node.title, language),
    message: localize(node.message, language),
    demoMessage: localize(node.demoMessage, language),
    submitLabel: localize(node.submitLabel, language),
    fields: node.fields.map((f) => localizeField(f, language)),
  };
}
