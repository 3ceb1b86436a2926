import { fillPlaceholders } from '../../shared/placeholders.js';
import { en, type MessageKey } from './en.js';
import { es } from './es.js';
import type { Language } from './languages.js';

const CATALOGUES: Record<Language, Record<MessageKey, string>> = { en, es };

/** A function that gives a built-in text in one language, with `{name}` placeholders filled in. */
export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

export function translator(language: Language): Translate {
  const catalogue = CATALOGUES[language];
  return (key, values) => fillPlaceholders(catalogue[key], values);
}
