// The household's languages: every text a household reads exists in each of these (rules, kinds, evidence).
export const LANGS = ['nl', 'en'] as const;
export type Lang = (typeof LANGS)[number];

/** The language's own name, for messages ("has no Dutch text"). */
export const LANG_NAMES: Record<Lang, string> = { nl: 'Dutch (nl)', en: 'English (en)' };

export function isLang(s: unknown): s is Lang {
  return s === 'nl' || s === 'en';
}
