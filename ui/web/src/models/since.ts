// "How long ago" in words people use: relative within a week ("3 minuten geleden", "gisteren"), a date after that
// (an old capture reads "12 mrt 2017", not "3.190 dagen geleden"). A small local formatter until the shared one lands.
import { lang } from './lang.js';

const WEEK_S = 7 * 86400;

export function since(ms: number, now = Date.now()): string {
  const s = Math.round((ms - now) / 1000);
  const a = Math.abs(s);
  if (a >= WEEK_S) return new Date(ms).toLocaleDateString(lang.value, { day: 'numeric', month: 'short', year: 'numeric' });
  const rtf = new Intl.RelativeTimeFormat(lang.value, { numeric: 'auto' });
  if (a < 60) return rtf.format(0, 'second');
  if (a < 3600) return rtf.format(Math.round(s / 60), 'minute');
  if (a < 86400) return rtf.format(Math.round(s / 3600), 'hour');
  return rtf.format(Math.round(s / 86400), 'day');
}

/** A clock time for chart axes and timelines: "14:05", with the day when the span is more than a day. */
export function clock(ms: number, withDay = false): string {
  return new Date(ms).toLocaleString(lang.value, withDay ? { weekday: 'short', hour: '2-digit', minute: '2-digit' } : { hour: '2-digit', minute: '2-digit' });
}
