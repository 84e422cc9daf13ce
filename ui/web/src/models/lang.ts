// The language signal (default: the browser's, remembered once switched) and the lookup of interface words.
import { signal, computed } from '@preact/signals';
import en from '../i18n/en.json' with { type: 'json' };
import nl from '../i18n/nl.json' with { type: 'json' };
import { relativeTime } from '../../../../sensor/i18n/format.js';

export type Lang = 'nl' | 'en';
const DICTS: Record<Lang, Record<string, string>> = { en, nl };

function initial(): Lang {
  try {
    const saved = localStorage.getItem('waakhond.lang');
    if (saved === 'nl' || saved === 'en') return saved;
  } catch { /* storage may be off */ }
  const langs = navigator.languages?.length ? navigator.languages : [navigator.language];
  return langs.some((l) => l?.toLowerCase().startsWith('nl')) ? 'nl' : 'en';
}

export const lang = signal<Lang>(initial());
export const dict = computed(() => DICTS[lang.value]);

export function t(key: string): string {
  return dict.value[key] ?? DICTS.en[key] ?? key;
}

export function setLang(l: Lang): void {
  lang.value = l;
  document.documentElement.lang = l;
  try { localStorage.setItem('waakhond.lang', l); } catch { /* fine */ }
}

/** "3 minuten geleden", "gisteren om 14:05", and past a week the date (sensor/i18n/format.ts, shared with the server). */
export function ago(ms: number): string {
  return relativeTime(ms, Date.now(), lang.value);
}

export function when(ms: number): string {
  return new Date(ms).toLocaleString(lang.value, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A clock time for chart axes and timelines: "14:05", with the day when the span is more than a day. */
export function clock(ms: number, withDay = false): string {
  return new Date(ms).toLocaleString(lang.value, withDay ? { weekday: 'short', hour: '2-digit', minute: '2-digit' } : { hour: '2-digit', minute: '2-digit' });
}
