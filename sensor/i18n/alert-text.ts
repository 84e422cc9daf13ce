// What the household reads about an alert, in its language: the rule's own `text` (rules/packs, the
// baseline) with its placeholders filled, the device named as the household knows it, and the
// technical lines (evidence, counters, addresses) kept apart as details.
import { LANGS, type Lang } from './langs.js';
import { durationWords, formatNumber } from './format.js';
import { kindWord } from './kinds.js';

export interface HouseholdText {
  title: string;
  summary: string;
}
export type HouseholdTexts = Record<Lang, HouseholdText>;

/** {field} placeholders, as the engine's summaries use them. */
export const PLACEHOLDER_RE = /\{([a-z_0-9]+)\}/g;

/** The placeholder filled at display time with the device's name as the household knows it. */
export const DEVICE_PLACEHOLDER = '{device}';

/** Placeholders every rule's household text may use besides those of its technical summary. */
export const ENGINE_VARS: readonly string[] = ['device', 'count', 'events', 'window', 'threshold', 'distinct'];

export function placeholders(tpl: string): string[] {
  return [...tpl.matchAll(PLACEHOLDER_RE)].map((m) => m[1]!);
}

/** A value as a household reads it: numbers in their notation, text on one line and short. */
function wordValue(f: string, v: unknown, lang: Lang): string {
  if (v === null || v === undefined) return '?';
  if (f === 'kind' || f === 'device_kind') return kindWord(String(v), lang);
  if (typeof v === 'number') return formatNumber(v, lang);
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return formatNumber(Number(v), lang);
  const s = (typeof v === 'string' ? v : JSON.stringify(v)).replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}

/**
 * Fill a rule's household text for one language from the alert's values, leaving {device} for the
 * display (the name a household gives a device may come later than the alert). `window` is in words.
 */
export function fillHousehold(tpl: string, value: (field: string) => unknown, lang: Lang, windowUs: number): string {
  return tpl.replace(PLACEHOLDER_RE, (whole, f: string) => {
    if (f === 'device') return whole;
    if (f === 'window') return durationWords(windowUs / 1e6, lang);
    return wordValue(f, value(f), lang);
  });
}

/** Both languages' texts of a rule, filled (see fillHousehold). */
export function fillTexts(texts: HouseholdTexts, value: (field: string) => unknown, windowUs: number): HouseholdTexts {
  const out = {} as HouseholdTexts;
  for (const l of LANGS) {
    out[l] = { title: fillHousehold(texts[l].title, value, l, windowUs), summary: fillHousehold(texts[l].summary, value, l, windowUs) };
  }
  return out;
}

/** A device with no name but its MAC: the household text does not read out hex. */
const SOME_DEVICE: Record<Lang, string> = { nl: 'een onbekend apparaat', en: 'an unknown device' };

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

export interface AlertLike {
  title: string;
  summary: string;
  text?: HouseholdTexts | undefined;
}

/**
 * The alert's title and summary in the household's language with the device's name put in. An alert
 * stored before rules had texts keeps its English title and summary (isTranslated says which).
 */
export function alertText(a: AlertLike, lang: Lang, deviceName: string | null): HouseholdText & { translated: boolean } {
  const t = a.text?.[lang];
  if (!t) return { title: a.title, summary: a.summary, translated: false };
  const name = deviceName && deviceName.trim() && !MAC_RE.test(deviceName.trim()) ? deviceName.trim() : SOME_DEVICE[lang];
  const put = (s: string) => capitalise(s.split(DEVICE_PLACEHOLDER).join(name));
  return { title: put(t.title), summary: put(t.summary), translated: true };
}

export const SEVERITY_WORDS: Record<Lang, Record<string, string>> = {
  nl: { info: 'info', low: 'laag', medium: 'middel', high: 'hoog', critical: 'kritiek' },
  en: { info: 'info', low: 'low', medium: 'medium', high: 'high', critical: 'critical' },
};

const THRESHOLD_WORDS: Record<Lang, Record<string, string>> = {
  nl: { count: 'aantal', sum: 'totaal', distinct: 'verschillende', periodic: 'regelmaat', sequence: 'reeks' },
  en: { count: 'count', sum: 'sum', distinct: 'distinct', periodic: 'periodic', sequence: 'sequence' },
};

export interface EvidenceLike {
  detail: string;
  kind?: unknown;
  [key: string]: unknown;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * One evidence line in the language. The engine's own lines (counters, severity notes) are written
 * from their fields; a sample from a packet is technical and stays as recorded.
 */
export function evidenceText(e: EvidenceLike, lang: Lang): string {
  if (e.kind === 'counters') {
    const fired = num(e.fired);
    const events = num(e.events);
    if (fired === null) return String(e.detail);
    const times = lang === 'nl' ? `${formatNumber(fired, lang)} keer` : `${formatNumber(fired, lang)} ${fired === 1 ? 'time' : 'times'}`;
    if (e.baseline === true || e.threshold_kind === undefined) {
      if (e.baseline !== true) return String(e.detail);
      return lang === 'nl'
        ? `${times} (basislijn: geleerd van het eigen verkeer van dit apparaat)`
        : `${times} (per-device baseline, learnt from this device's own traffic)`;
    }
    const tk = String(e.threshold_kind);
    const kw = THRESHOLD_WORDS[lang][tk] ?? tk;
    const min = num(e.threshold_min);
    const span = num(e.span_us);
    const spanW = span === null ? '?' : durationWords(span / 1e6, lang);
    const rule = tk === 'sequence'
      ? `${kw} ${lang === 'nl' ? 'binnen' : 'within'} ${spanW}`
      : `${kw} >= ${min === null ? '?' : formatNumber(min, lang)} ${lang === 'nl' ? 'in' : 'in'} ${spanW}`;
    const evs = events === null ? '' : lang === 'nl'
      ? `, ${formatNumber(events, lang)} ${tk === 'sum' ? 'in totaal' : events === 1 ? 'gebeurtenis' : 'gebeurtenissen'}`
      : `, ${formatNumber(events, lang)} ${tk === 'sum' ? 'total' : events === 1 ? 'event' : 'events'}`;
    return lang === 'nl' ? `${times} boven de drempel (${rule})${evs}` : `${times} over the threshold (${rule})${evs}`;
  }
  if (e.kind === 'held') {
    // rules/engine/hold.ts: the device is a known scanner; its SYNs are counted, not matched one by one.
    return lang === 'nl'
      ? 'vanaf hier worden de verbindingspogingen van dit apparaat naar internet bij deze melding opgeteld, niet elk apart bekeken (het apparaat scant al)'
      : 'from here on this device\'s connection attempts to the internet are added to this alert, not each looked at on its own (it is known to scan)';
  }
  if (e.kind === 'severity' && typeof e.to === 'string') {
    const sev = SEVERITY_WORDS[lang];
    const kind = kindWord(typeof e.device_kind === 'string' ? e.device_kind : null, lang);
    const from = typeof e.from === 'string' ? sev[e.from] ?? e.from : '?';
    return lang === 'nl'
      ? `ernst ${sev[e.to] ?? e.to} in plaats van ${from}: het apparaat is een ${kind}`
      : `severity ${sev[e.to] ?? e.to} instead of ${from}: the device is a ${kind}`;
  }
  return String(e.detail);
}
