// Kinds of device as a household calls them, in each language: the noun in generated names
// ("TP-Link HS110 slimme stekker") and the kind in alert texts. Kept in step with CATEGORIES (typed).
import type { Category } from '../inventory/types.js';
import type { Lang } from './langs.js';

/** The noun a generated name ends with; null: no noun (other). */
export const KIND_NOUN: Record<Lang, Record<Category, string | null>> = {
  en: {
    camera: 'camera', 'smart-plug': 'smart plug', hub: 'hub', sensor: 'sensor', lighting: 'light', appliance: 'appliance',
    health: 'health device', media: 'media player', speaker: 'speaker', printer: 'printer', nas: 'NAS', router: 'router',
    phone: 'phone', computer: 'computer', lock: 'lock', doorbell: 'doorbell', thermostat: 'thermostat',
    energy: 'energy device', vacuum: 'robot vacuum', tv: 'TV', 'game-console': 'game console',
    'voice-assistant': 'voice assistant', other: null,
  },
  nl: {
    camera: 'camera', 'smart-plug': 'slimme stekker', hub: 'domotica-centrale', sensor: 'sensor', lighting: 'lamp',
    appliance: 'huishoudapparaat', health: 'gezondheidsapparaat', media: 'mediaspeler', speaker: 'speaker',
    printer: 'printer', nas: 'netwerkopslag', router: 'router', phone: 'telefoon', computer: 'computer', lock: 'slim slot',
    doorbell: 'deurbel', thermostat: 'thermostaat', energy: 'energieapparaat', vacuum: 'robotstofzuiger', tv: 'tv',
    'game-console': 'spelcomputer', 'voice-assistant': 'spraakassistent', other: null,
  },
};

/** Words for generated names of devices with a private (rotating) MAC. */
export const PRIVATE_WORDS: Record<Lang, { suffix: string; alone: string }> = {
  en: { suffix: 'private address', alone: 'private address of a phone/laptop' },
  nl: { suffix: 'privé-adres', alone: 'privé-adres van een telefoon/laptop' },
};

/** The kind in words ("slimme stekker"); unknown kinds and 'other' read as "device". */
export function kindWord(kind: string | null | undefined, lang: Lang): string {
  const noun = kind ? (KIND_NOUN[lang] as Record<string, string | null>)[kind] : null;
  if (noun) return noun;
  if (kind === 'not identified yet' || !kind || kind === 'other') return lang === 'nl' ? 'nog onbekend soort apparaat' : 'kind not known yet';
  return lang === 'nl' ? 'apparaat' : 'device';
}
