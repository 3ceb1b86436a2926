/** The languages the hosted pages ship in. A flow's texts may add others; pages fall back to English. */
export const LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'en';

/** A language tag (BCP 47, e.g. `es-MX`, `en-us`) as one of ours, by its primary subtag; else undefined. */
export function languageOf(tag: string | undefined | null): Language | undefined {
  if (!tag) return undefined;
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0];
  return (LANGUAGES as readonly string[]).includes(primary ?? '') ? (primary as Language) : undefined;
}

/**
 * The best of our languages for an `Accept-Language` header: the highest q-value we ship (ties keep the
 * header's order); undefined when none matches, so the caller picks its default.
 */
export function negotiateLanguage(header: string | undefined): Language | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .slice(0, 50)
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { language: languageOf(tag), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.language !== undefined && r.q > 0 && Number.isFinite(r.q))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked[0]?.language;
}
