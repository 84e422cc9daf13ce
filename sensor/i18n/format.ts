// Numbers, durations and times in the words people use: "3 minuten geleden", "gisteren om 14:05",
// "3 maart 2018" (never "3.190 dagen geleden"). One formatter for the dashboard, alert texts and the CLI.
import type { Lang } from './langs.js';

const LOCALE: Record<Lang, string> = { nl: 'nl-NL', en: 'en-GB' };

const SEPARATORS: Record<Lang, { group: string; decimal: string }> = { nl: { group: '.', decimal: ',' }, en: { group: ',', decimal: '.' } };

/**
 * 1605 -> "1.605" (nl) / "1,605" (en); at most one decimal, half away from zero, as Intl.NumberFormat
 * (nl-NL, en-GB, maximumFractionDigits 1) writes it (test/sensor/i18n/format.test.ts compares the two).
 * Not Intl itself: the daemon fills alert texts with numbers, and the first Intl formatter pages in
 * ICU's locale data, ~8 MB of the daemon's resident size (issue #14).
 */
export function formatNumber(n: number, lang: Lang): string {
  if (!Number.isFinite(n)) return '?';
  const { group, decimal } = SEPARATORS[lang];
  const [int, frac] = roundOneDecimal(Math.abs(n));
  let grouped = '';
  for (let end = int.length; end > 0; end -= 3) grouped = (end > 3 ? group : '') + int.slice(Math.max(0, end - 3), end) + grouped;
  return `${n < 0 || Object.is(n, -0) ? '-' : ''}${grouped}${frac ? decimal + frac : ''}`;
}

/** |n| rounded to one decimal, half away from zero, on its shortest decimal form (as ICU rounds): [integer digits, decimal digit or '']. */
function roundOneDecimal(abs: number): [string, string] {
  const s = String(abs);
  // Exponent forms: below 1e-6 rounds to 0; from 1e21 the shortest digits, then zeros ("1.5e+22" -> 15 and 21 zeros).
  const e = s.indexOf('e');
  if (e >= 0) {
    if (abs < 1) return ['0', ''];
    const digits = s.slice(0, e).replace('.', '');
    return [digits.padEnd(Number(s.slice(e + 1)) + 1, '0'), ''];
  }
  const dot = s.indexOf('.');
  if (dot < 0) return [s, ''];
  const int = s.slice(0, dot);
  let digit = s.charCodeAt(dot + 1) - 48;
  if (s.length > dot + 2 && s.charCodeAt(dot + 2) >= 53) digit++;
  if (digit === 10) return [(BigInt(int) + 1n).toString(), ''];
  return [int, digit === 0 ? '' : String(digit)];
}

type Unit = 'second' | 'minute' | 'hour' | 'day';
const WORDS: Record<Lang, Record<Unit, [string, string]>> = {
  nl: { second: ['seconde', 'seconden'], minute: ['minuut', 'minuten'], hour: ['uur', 'uur'], day: ['dag', 'dagen'] },
  en: { second: ['second', 'seconds'], minute: ['minute', 'minutes'], hour: ['hour', 'hours'], day: ['day', 'days'] },
};

function count(n: number, unit: Unit, lang: Lang): string {
  return `${formatNumber(n, lang)} ${WORDS[lang][unit][n === 1 ? 0 : 1]}`;
}

/** A span in words: 10 s -> "10 seconden", 1 h -> "1 uur", 36 h -> "36 uur", 3 d -> "3 dagen". */
export function durationWords(seconds: number, lang: Lang): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 1) return lang === 'nl' ? 'minder dan een seconde' : 'less than a second';
  if (seconds < 120) return count(Math.round(seconds), 'second', lang);
  if (seconds < 2 * 3600) return count(Math.round(seconds / 60), 'minute', lang);
  if (seconds < 2 * 86400) return count(Math.round(seconds / 3600), 'hour', lang);
  return count(Math.round(seconds / 86400), 'day', lang);
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(lang: Lang, opts: Intl.DateTimeFormatOptions, key: string): Intl.DateTimeFormat {
  const k = lang + key;
  let f = dateFormats.get(k);
  if (f === undefined) dateFormats.set(k, (f = new Intl.DateTimeFormat(LOCALE[lang], opts)));
  return f;
}

/** "14:05" in the local time zone. */
export function clockTime(ms: number, lang: Lang): string {
  return dateFormat(lang, { hour: '2-digit', minute: '2-digit', hour12: false }, 't').format(ms);
}

/** "3 maart 2018" / "3 March 2018". */
export function dayDate(ms: number, lang: Lang): string {
  return dateFormat(lang, { day: 'numeric', month: 'long', year: 'numeric' }, 'd').format(ms);
}

function dayStart(ms: number): number {
  const d = new Date(ms);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/**
 * When something happened, relative to now, as people say it: "zojuist", "3 minuten geleden",
 * "2 uur geleden", "gisteren om 14:05", "3 dagen geleden", and past a week the date itself
 * ("3 maart 2018"): nobody counts 3,190 days. A time in the future (a clock set wrong) is shown as its date.
 */
export function relativeTime(thenMs: number, nowMs: number, lang: Lang): string {
  if (!Number.isFinite(thenMs) || !Number.isFinite(nowMs)) return '?';
  const s = (nowMs - thenMs) / 1000;
  if (s < -60) return dayDate(thenMs, lang);
  if (s < 45) return lang === 'nl' ? 'zojuist' : 'just now';
  const ago = (t: string) => (lang === 'nl' ? `${t} geleden` : `${t} ago`);
  if (s < 3600) return ago(count(Math.max(1, Math.round(s / 60)), 'minute', lang));
  const days = Math.round((dayStart(nowMs) - dayStart(thenMs)) / 86_400_000);
  if (days === 0) return ago(count(Math.max(1, Math.floor(s / 3600)), 'hour', lang));
  if (days === 1) return `${lang === 'nl' ? 'gisteren om' : 'yesterday at'} ${clockTime(thenMs, lang)}`;
  if (days < 7) return ago(count(days, 'day', lang));
  return dayDate(thenMs, lang);
}

/** A moment as a date and time: "3 maart 2018 14:05". */
export function dateTime(ms: number, lang: Lang): string {
  return `${dayDate(ms, lang)} ${clockTime(ms, lang)}`;
}
