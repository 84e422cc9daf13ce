// The shared formatter: times and spans in the words people use, in Dutch and English.
import { describe, expect, it } from 'vitest';
import { dayDate, durationWords, formatNumber, relativeTime } from '../../../sensor/i18n/format.js';

// Local times (the formatter speaks the household's local day): built with the local Date constructor.
const NOW = new Date(2026, 11, 3, 15, 30, 0).getTime();
const at = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0) => new Date(y, mo, d, h, mi, s).getTime();

describe('relativeTime', () => {
  it('says "zojuist" / "just now" under 45 seconds', () => {
    expect(relativeTime(NOW - 10_000, NOW, 'nl')).toBe('zojuist');
    expect(relativeTime(NOW - 44_000, NOW, 'en')).toBe('just now');
    // A clock a little ahead (under a minute) is not a date in the future.
    expect(relativeTime(NOW + 30_000, NOW, 'nl')).toBe('zojuist');
  });

  it('counts minutes with singular and plural', () => {
    expect(relativeTime(NOW - 60_000, NOW, 'nl')).toBe('1 minuut geleden');
    expect(relativeTime(NOW - 3 * 60_000, NOW, 'nl')).toBe('3 minuten geleden');
    expect(relativeTime(NOW - 3 * 60_000, NOW, 'en')).toBe('3 minutes ago');
    expect(relativeTime(NOW - 60_000, NOW, 'en')).toBe('1 minute ago');
  });

  it('counts hours on the same day', () => {
    expect(relativeTime(at(2026, 11, 3, 13, 0), NOW, 'nl')).toBe('2 uur geleden');
    expect(relativeTime(at(2026, 11, 3, 14, 20), NOW, 'en')).toBe('1 hour ago');
  });

  it('says "gisteren om 14:05" for the day before, even less than 24 h ago', () => {
    expect(relativeTime(at(2026, 11, 2, 14, 5), NOW, 'nl')).toBe('gisteren om 14:05');
    expect(relativeTime(at(2026, 11, 2, 23, 50), NOW, 'en')).toBe('yesterday at 23:50');
    // Just after midnight, 40 minutes ago is minutes, not "yesterday".
    const early = at(2026, 11, 3, 0, 20);
    expect(relativeTime(at(2026, 11, 2, 23, 40), early, 'nl')).toBe('40 minuten geleden');
  });

  it('counts days within a week, then gives the date itself', () => {
    expect(relativeTime(at(2026, 10, 30, 9, 0), NOW, 'nl')).toBe('3 dagen geleden');
    expect(relativeTime(at(2026, 10, 30, 9, 0), NOW, 'en')).toBe('3 days ago');
    // An old capture (years back) is a date, never "3.190 dagen geleden".
    const old = at(2018, 2, 3, 12, 0);
    expect(relativeTime(old, NOW, 'nl')).toBe('3 maart 2018');
    expect(relativeTime(old, NOW, 'en')).toBe('3 March 2018');
    expect(relativeTime(old, NOW, 'nl')).not.toMatch(/dagen/);
  });

  it('shows a time well in the future (a clock set wrong) as its date', () => {
    expect(relativeTime(at(2027, 0, 5, 8, 0), NOW, 'nl')).toBe('5 januari 2027');
  });

  it('answers "?" for a time that is not a number', () => {
    expect(relativeTime(Number.NaN, NOW, 'nl')).toBe('?');
  });
});

describe('durationWords and numbers', () => {
  it('names spans in whole units', () => {
    expect(durationWords(10, 'nl')).toBe('10 seconden');
    expect(durationWords(1, 'nl')).toBe('1 seconde');
    expect(durationWords(300, 'nl')).toBe('5 minuten');
    expect(durationWords(300, 'en')).toBe('5 minutes');
    expect(durationWords(3600 * 3, 'nl')).toBe('3 uur');
    expect(durationWords(3600, 'en')).toBe('60 minutes');
    expect(durationWords(86400 * 3, 'nl')).toBe('3 dagen');
    expect(durationWords(0.2, 'en')).toBe('less than a second');
    expect(durationWords(-1, 'en')).toBe('?');
  });

  it('writes numbers as each language does', () => {
    expect(formatNumber(3198, 'nl')).toBe('3.198');
    expect(formatNumber(3198, 'en')).toBe('3,198');
    expect(formatNumber(120.65, 'nl')).toBe('120,7');
    expect(formatNumber(Number.POSITIVE_INFINITY, 'nl')).toBe('?');
  });

  it('writes every number as Intl.NumberFormat does (the formatter itself stays out of ICU)', () => {
    const intl = { nl: new Intl.NumberFormat('nl-NL', { maximumFractionDigits: 1 }), en: new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 }) };
    // Halves that binary doubles hold just below (4.35), carries (9.95, 999.95), signs, zeros, exponent forms.
    const values = [0, -0, -0.01, 0.05, 0.95, 9.95, 999.95, 4.35, 1.05, 2.675, 120.65, 1e21, 1.5e22, 1e-7, -1e-7, 123456789.25, 2 ** 53 + 2, -1234.56];
    let x = 0x9e3779b9;
    const rand = () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 2 ** 32; };
    for (let i = 0; i < 20_000; i++) {
      const r = rand();
      values.push(i % 3 === 0 ? Math.round(r * 1e6) / 100 : i % 3 === 1 ? (r - 0.5) * 10 ** Math.floor(rand() * 25) : Math.round(r * 1e4) / 1e3);
    }
    for (const v of values) for (const lang of ['nl', 'en'] as const) expect(formatNumber(v, lang), `${v} ${lang}`).toBe(intl[lang].format(v));
  });

  it('gives dates with the month in words', () => {
    expect(dayDate(at(2026, 0, 1, 12), 'nl')).toBe('1 januari 2026');
    expect(dayDate(at(2026, 0, 1, 12), 'en')).toBe('1 January 2026');
  });
});

describe('kind names in both languages', () => {
  it('every inventory kind has a name in nl and en, in the generated names and the dashboard', async () => {
    const { CATEGORIES } = await import('../../../sensor/inventory/types.js');
    const { KIND_NOUN } = await import('../../../sensor/i18n/kinds.js');
    const { friendlyName } = await import('../../../sensor/inventory/identity.js');
    const { readFileSync } = await import('node:fs');
    const { PROJECT_ROOT } = await import('../../helpers/shared.js');
    const web = (l: string) => JSON.parse(readFileSync(`${PROJECT_ROOT}/ui/web/src/i18n/${l}.json`, 'utf8')) as Record<string, string>;
    const nlWeb = web('nl');
    const enWeb = web('en');
    for (const c of CATEGORIES) {
      expect(nlWeb[`kind.${c}`], c).toBeTruthy();
      expect(enWeb[`kind.${c}`], c).toBeTruthy();
      if (c !== 'other') {
        expect(KIND_NOUN.nl[c], c).toBeTruthy();
        expect(KIND_NOUN.en[c], c).toBeTruthy();
      }
    }
    expect(friendlyName('TP-Link', 'HS110', 'smart-plug', false, 'nl')).toBe('TP-Link HS110 slimme stekker');
    expect(friendlyName('TP-Link', 'HS110', 'smart-plug', false, 'en')).toBe('TP-Link HS110 smart plug');
    expect(friendlyName('Google', 'Pixel', 'phone', true, 'nl')).toBe('Google Pixel telefoon (privé-adres)');
    expect(friendlyName(null, null, 'other', true, 'nl')).toBe('privé-adres van een telefoon/laptop');
  });
});
