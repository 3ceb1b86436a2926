import {
  DEFAULT_LANGUAGE,
  LANGUAGES,
  type Language,
  languageOf,
  negotiateLanguage,
} from '../i18n/languages.js';
import { type Translate, translator } from '../i18n/translate.js';

/** How the pages present themselves (BRAND_* settings); every page uses it. */
export interface Brand {
  /** Shown in the header and after each page title. */
  name: string;
  /** The logo's address: /assets/brand-logo (BRAND_LOGO_FILE) or an https URL (BRAND_LOGO_URL). */
  logoUrl?: string;
  /** True when BRAND_PRIMARY_COLOR is set: pages link /assets/theme.css. */
  theme?: boolean;
  /** An extra stylesheet after ours (BRAND_STYLESHEET_URL). */
  stylesheetUrl?: string;
}

export const DEFAULT_BRAND: Brand = { name: 'socure-connector' };

/** What every rendered page needs besides its content: the language (and its texts) and the brand. */
export interface PageContext {
  language: Language;
  t: Translate;
  brand: Brand;
}

/** One translator per shipped language, made once. */
const TRANSLATORS = new Map<Language, Translate>(
  LANGUAGES.map((language) => [language, translator(language)]),
);
const translatorFor = (language: Language) => TRANSLATORS.get(language)!;

/**
 * The context of a page: the session's language when it has one we ship, else the browser's (Accept-Language),
 * else English.
 */
export function pageContextOf(
  brand: Brand | undefined,
  acceptLanguage: string | undefined,
  sessionLanguage?: string | null,
): PageContext {
  const language = languageOf(sessionLanguage) ?? negotiateLanguage(acceptLanguage) ?? DEFAULT_LANGUAGE;
  return { language, t: translatorFor(language), brand: brand ?? DEFAULT_BRAND };
}
