/** Choosing the pages' language, and flow texts given per language. */
import { describe, expect, it } from 'vitest';
import { localize } from '../../../src/flows/localized.js';
import { en } from '../../../src/server/i18n/en.js';
import { es } from '../../../src/server/i18n/es.js';
import { languageOf, negotiateLanguage } from '../../../src/server/i18n/languages.js';
import { translator } from '../../../src/server/i18n/translate.js';

describe('Accept-Language', () => {
  it.each([
    ['es', 'es'],
    ['es-MX,es;q=0.9,en;q=0.8', 'es'],
    ['fr-FR,fr;q=0.9,es;q=0.5,en;q=0.4', 'es'],
    ['en-US,en;q=0.9,es;q=0.8', 'en'],
    ['es;q=0.2, en;q=0.7', 'en'],
    ['de, fr', undefined],
    ['es;q=0', undefined],
    ['', undefined],
    ['*', undefined],
    ['EN-gb', 'en'],
  ])('%j → %s', (header, expected) => {
    expect(negotiateLanguage(header)).toBe(expected);
  });

  it('equal q-values keep the header order', () => {
    expect(negotiateLanguage('es;q=0.8, en;q=0.8')).toBe('es');
    expect(negotiateLanguage('en;q=0.8, es;q=0.8')).toBe('en');
  });

  it('a language tag maps to a shipped language by its primary subtag only', () => {
    expect(languageOf('es-419')).toBe('es');
    expect(languageOf('en_us')).toBe('en');
    expect(languageOf('eso')).toBeUndefined();
    expect(languageOf(null)).toBeUndefined();
  });
});

describe('flow texts by language', () => {
  const text = { en: 'Your details', es: 'Sus datos', 'es-MX': 'Tus datos' };
  it('the exact tag, else its primary language, else English, else the first given', () => {
    expect(localize(text, 'es-mx')).toBe('Tus datos');
    expect(localize(text, 'es-AR')).toBe('Sus datos');
    expect(localize(text, 'fr')).toBe('Your details');
    expect(localize({ de: 'Ihre Daten', fr: 'Vos données' }, 'es')).toBe('Ihre Daten');
    expect(localize('Same everywhere', 'es')).toBe('Same everywhere');
    expect(localize(undefined, 'es')).toBeUndefined();
  });
});

describe('the message catalogue', () => {
  it('Spanish has every English key, with the same placeholders, and is not a copy of English', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en) as Array<keyof typeof en>) {
      expect(es[key], key).toBeTypeOf('string');
      expect(placeholders(es[key]), key).toEqual(placeholders(en[key]));
    }
    const same = (Object.keys(en) as Array<keyof typeof en>).filter(
      (k) => es[k] === en[k] && !/^\{/.test(en[k]),
    );
    expect(same).toEqual([]);
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    const t = translator('es');
    expect(t('form.required', { label: 'Nombre' })).toBe('Nombre es obligatorio');
    expect(t('form.tooLong', { label: 'Ciudad', max: 40 })).toBe(
      'Ciudad debe tener como máximo 40 caracteres',
    );
    expect(translator('en')('form.required')).toBe('{label} is required');
  });
});
