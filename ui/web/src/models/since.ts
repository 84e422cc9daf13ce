// Times for the dashboard. "How long ago" is the shared formatter (sensor/i18n/format.ts through lang.ago):
// relative within a week, a date after that ("3 maart 2018", not "3.190 dagen geleden").
import { ago, lang } from './lang.js';

export function since(ms: number): string {
  return ago(ms);
}

/** A clock time for chart axes and timelines: "14:05", with the day when the span is more than a day. */
export function clock(ms: number, withDay = false): string {
  return new Date(ms).toLocaleString(lang.value, withDay ? { weekday: 'short', hour: '2-digit', minute: '2-digit' } : { hour: '2-digit', minute: '2-digit' });
}
