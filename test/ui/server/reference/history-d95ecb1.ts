// The device history as it was at d95ecb1 (before the per-event work was cut), kept verbatim as the oracle of
// history-same.test.ts: the history a household reads must not change. Only this header and the imports differ.
// Per-device history for the device page: online periods, a timeline of alerts and identity changes, and whom it talks to (by name) over 24 h; every table bounded.
//
// Fed from the store's own upserts (devices, alerts, traffic) and, through observe(), from the events that
// name peers (conn, dns, tls_client_hello, http_request). Times are capture time (µs) like the rest of the store,
// so an old capture keeps its own history. Bounds (HISTORY_LIMITS) are per device; the store drops the
// history of a device it forgets, and trims history first when the file grows over its byte cap.
import type { Category } from '../../../../sensor/inventory/types.js';
import type { WaakhondEvent } from '../../../../sensor/events.js';
import { compareText } from '../../../../sensor/text-order.js';

export const HISTORY_LIMITS = {
  /** Timeline entries and online periods older than this (capture clock) are dropped. */
  days: 7,
  /** Online periods kept per device (newest). */
  periods: 60,
  /** Timeline entries (alerts raised, identity changes, first seen) kept per device (newest). */
  timeline: 60,
  /** Destinations kept per device; a full table replaces the one with the least traffic in 24 h. */
  destinations: 24,
  /** Traffic buckets per device: 96 x 15 minutes = 24 h. */
  bucketMinutes: 15,
  buckets: 96,
  /** Address -> name entries per device, from its own DNS answers, TLS SNI and HTTP Host (in memory only). */
  names: 256,
  /** Names are at most this long (they come from the network). */
  nameChars: 100,
} as const;

/** A device silent for longer than this was offline (traffic events arrive every second while it talks). */
export const OFFLINE_AFTER_US = 10 * 60_000_000;
const HOUR_US = 3_600_000_000;
const DAY_US = 24 * HOUR_US;
const BUCKET_US = HISTORY_LIMITS.bucketMinutes * 60_000_000;

export interface IdentityFacts { vendor: string | null; model: string | null; category: Category }

export type TimelineEntry =
  | { ts: number; kind: 'first-seen'; to: IdentityFacts }
  | { ts: number; kind: 'identity'; from: IdentityFacts; to: IdentityFacts }
  | { ts: number; kind: 'alert'; alert: string; severity: string; title: string };

/** One peer: hourly bytes for the last 24 h ([hour start µs, bytes]), oldest first. */
export interface Destination { name: string; named: boolean; hours: [number, number][]; last: number }

export interface DeviceHistory {
  /** [from, to] capture µs, oldest first. */
  periods: [number, number][];
  timeline: TimelineEntry[];
  /** Keyed by the peer's name (or its address when it has none). */
  dest: Record<string, Destination>;
  /** Bytes of peers pushed out of `dest` by the cap, per hour, so the totals stay true. */
  other: [number, number][];
  /** [bucket start µs, bytes out, bytes in], oldest first. */
  traffic: [number, number, number][];
}

export interface HistoryView {
  bounds: typeof HISTORY_LIMITS & { offline_after_min: number };
  /** [from ms, to ms], oldest first. */
  periods: [number, number][];
  online: boolean;
  /** Newest first. */
  timeline: (TimelineEntry & { ts_ms: number })[];
  /** The last 24 h, most traffic first: name, whether it is a name or only an address, bytes. */
  destinations: { name: string; named: boolean; bytes: number; last_ms: number }[];
  other_bytes: number;
  /** [bucket start ms, bytes out, bytes in] for 24 h. */
  traffic: [number, number, number][];
  bucket_ms: number;
}

export interface HistoryHost {
  /** The device key a MAC belongs to, or null when it is no stored device. */
  deviceOf(mac: string): string | null;
}

export class History {
  /** Lives inside the store document (store.data.history), so it is saved with it. */
  data: Record<string, DeviceHistory> = {};
  /** Per device: address -> name it looked up (not saved: it refills from the next lookups). */
  private readonly names = new Map<string, Map<string, string>>();
  readonly stats = { dropped_invalid: 0, destinations_replaced: 0 };

  constructor(private readonly host: HistoryHost) {}

  /** Takes a loaded table, keeping only well-formed device histories (the rest is counted and dropped). */
  restore(raw: unknown): Record<string, DeviceHistory> {
    this.data = {};
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return this.data;
    for (const [mac, h] of Object.entries(raw as Record<string, unknown>)) {
      if (validHistory(h)) this.data[mac] = h;
      else this.stats.dropped_invalid++;
    }
    return this.data;
  }

  private of(key: string): DeviceHistory {
    let h = this.data[key];
    if (!h) { h = { periods: [], timeline: [], dest: {}, other: [], traffic: [] }; this.data[key] = h; }
    return h;
  }

  /** The events that name and count peers; everything else is ignored at the cost of one switch (traffic comes through the store). */
  observe(e: WaakhondEvent): void {
    switch (e.type) {
      case 'dns': {
        // Its own resolver's answer, to the device that asked: the addresses it is about to talk to.
        if (!e.response || e.mdns || e.llmnr || !e.dst_mac || !e.questions[0]) return;
        const key = this.host.deviceOf(e.dst_mac);
        if (!key) return;
        const name = e.questions[0].name;
        for (const r of e.answers) if (r.type === 'A' || r.type === 'AAAA') this.learn(key, r.data, name);
        return;
      }
      case 'tls_client_hello':
        if (e.sni && e.src_mac) { const key = this.host.deviceOf(e.src_mac); if (key) this.learn(key, e.dst_ip, e.sni); }
        return;
      case 'http_request': {
        const host = e.host;
        if (host && e.src_mac && !/^[\d.:[\]]+$/.test(host)) { const key = this.host.deviceOf(e.src_mac); if (key) this.learn(key, e.dst_ip, host.replace(/:\d+$/, '')); }
        return;
      }
      case 'conn': {
        const bytes = e.orig_bytes + e.resp_bytes;
        if (bytes <= 0) return;
        // Seen from the home device: outbound and internal flows by who started them, inbound by who answered.
        if ((e.direction === 'outbound' || e.direction === 'internal') && e.src_mac) {
          const key = this.host.deviceOf(e.src_mac);
          if (key) this.peer(key, e.dst_ip, bytes, e.end_ts);
        }
        if ((e.direction === 'inbound' || e.direction === 'internal') && e.dst_mac) {
          const key = this.host.deviceOf(e.dst_mac);
          if (key) this.peer(key, e.src_ip, bytes, e.end_ts);
        }
        return;
      }
      default:
    }
  }

  /** Traffic of one interval: extends the current online period (or opens one) and fills the 24 h chart. */
  traffic(key: string, ts: number, outBytes: number, inBytes: number): void {
    const h = this.of(key);
    const p = h.periods[h.periods.length - 1];
    if (p && ts >= p[0] && ts - p[1] <= OFFLINE_AFTER_US) { if (ts > p[1]) p[1] = ts; }
    else if (!p || ts > p[1]) { h.periods.push([ts, ts]); if (h.periods.length > HISTORY_LIMITS.periods) h.periods.splice(0, h.periods.length - HISTORY_LIMITS.periods); }
    const b = Math.floor(ts / BUCKET_US) * BUCKET_US;
    const last = h.traffic[h.traffic.length - 1];
    if (last && last[0] === b) { last[1] += outBytes; last[2] += inBytes; }
    else if (!last || b > last[0]) {
      h.traffic.push([b, outBytes, inBytes]);
      // 24 h back from the newest bucket, and never more than the bucket count.
      while (h.traffic.length > HISTORY_LIMITS.buckets || (h.traffic.length && h.traffic[0][0] <= b - DAY_US)) h.traffic.shift();
    }
  }

  /** A device appeared or changed what we think it is. */
  identity(key: string, ts: number, from: IdentityFacts | null, to: IdentityFacts): void {
    if (from && from.vendor === to.vendor && from.model === to.model && from.category === to.category) return;
    this.push(key, from ? { ts, kind: 'identity', from, to } : { ts, kind: 'first-seen', to });
  }

  /** A new alert (not its updates). */
  alert(key: string, ts: number, alert: string, severity: string, title: string): void {
    this.push(key, { ts, kind: 'alert', alert, severity, title: title.slice(0, 200) });
  }

  private push(key: string, entry: TimelineEntry): void {
    const t = this.of(key).timeline;
    // Kept in time order: an entry from an older capture goes in its place.
    let i = t.length;
    while (i > 0 && t[i - 1].ts > entry.ts) i--;
    t.splice(i, 0, entry);
    if (t.length > HISTORY_LIMITS.timeline) t.splice(0, t.length - HISTORY_LIMITS.timeline);
  }

  private learn(key: string, ip: string, name: string): void {
    let m = this.names.get(key);
    if (!m) { m = new Map(); this.names.set(key, m); }
    m.delete(ip);
    m.set(ip, name.toLowerCase().replace(/\.$/, '').slice(0, HISTORY_LIMITS.nameChars));
    // Oldest out first (Map keeps insertion order; a refreshed name was moved to the end above).
    if (m.size > HISTORY_LIMITS.names) m.delete(m.keys().next().value as string);
    if (this.names.size > 4096) this.names.clear();
  }

  private peer(key: string, ip: string, bytes: number, ts: number): void {
    const h = this.of(key);
    const name = this.names.get(key)?.get(ip);
    const id = name ?? ip;
    const hour = Math.floor(ts / HOUR_US) * HOUR_US;
    let d = h.dest[id];
    if (!d) {
      const ids = Object.keys(h.dest);
      if (ids.length >= HISTORY_LIMITS.destinations) {
        // Full: the peer with the least traffic in the last 24 h makes room; its bytes go to "other".
        let min = ids[0];
        for (const k of ids) if (sum24(h.dest[k].hours, ts) < sum24(h.dest[min].hours, ts)) min = k;
        for (const [t, b] of h.dest[min].hours) addHour(h.other, t, b, ts);
        delete h.dest[min];
        this.stats.destinations_replaced++;
      }
      d = { name: id, named: name !== undefined, hours: [], last: ts };
      h.dest[id] = d;
    }
    addHour(d.hours, hour, bytes, ts);
    if (ts > d.last) d.last = ts;
  }

  /** Drops histories of devices that are gone and entries older than HISTORY_LIMITS.days before `nowUs`. */
  prune(nowUs: number, exists: (key: string) => boolean): void {
    const cut = nowUs - HISTORY_LIMITS.days * DAY_US;
    for (const [key, h] of Object.entries(this.data)) {
      if (!exists(key)) { delete this.data[key]; this.names.delete(key); continue; }
      h.periods = h.periods.filter((p) => p[1] >= cut);
      h.timeline = h.timeline.filter((e) => e.ts >= cut);
      for (const [id, d] of Object.entries(h.dest)) if (d.last < nowUs - DAY_US) delete h.dest[id];
    }
  }

  /** The device is gone (evicted by the store's device cap, or removed): its history goes with it at once. */
  forget(key: string): void {
    delete this.data[key];
    this.names.delete(key);
  }

  /** Halves every device's timeline, periods and traffic (the store calls this when its file is over its byte cap). */
  halve(): void {
    for (const h of Object.values(this.data)) {
      h.timeline.splice(0, Math.ceil(h.timeline.length / 2));
      h.periods.splice(0, Math.ceil(h.periods.length / 2));
      h.traffic.splice(0, Math.ceil(h.traffic.length / 2));
    }
  }

  /** Moves a folded device's history to its key (the key's own entries win where both have one). */
  fold(other: string, key: string): void {
    const o = this.data[other];
    if (!o) return;
    delete this.data[other];
    if (!this.data[key]) { this.data[key] = o; return; }
    for (const e of o.timeline) this.push(key, e);
  }

  /** What the device page shows (times in ms), as of the device's own latest activity. */
  view(key: string, nowUs: number): HistoryView {
    const h = this.data[key] ?? { periods: [], timeline: [], dest: {}, other: [], traffic: [] };
    const ms = (us: number) => Math.floor(us / 1000);
    const last = h.periods[h.periods.length - 1];
    const destinations = Object.values(h.dest)
      .map((d) => ({ name: d.name, named: d.named, bytes: sum24(d.hours, nowUs), last_ms: ms(d.last) }))
      .filter((d) => d.bytes > 0)
      .sort((a, b) => b.bytes - a.bytes || compareText(a.name, b.name));
    return {
      bounds: { ...HISTORY_LIMITS, offline_after_min: OFFLINE_AFTER_US / 60_000_000 },
      periods: h.periods.map((p) => [ms(p[0]), ms(p[1])]),
      online: !!last && nowUs - last[1] <= OFFLINE_AFTER_US,
      timeline: h.timeline.slice().reverse().map((e) => ({ ...e, ts_ms: ms(e.ts) })),
      destinations,
      other_bytes: sum24(h.other, nowUs),
      traffic: h.traffic.filter((b) => b[0] > nowUs - DAY_US).map((b) => [ms(b[0]), b[1], b[2]]),
      bucket_ms: BUCKET_US / 1000,
    };
  }
}

function sum24(hours: [number, number][], nowUs: number): number {
  let s = 0;
  for (const [t, b] of hours) if (t > nowUs - DAY_US) s += b;
  return s;
}

/** Adds bytes to an hourly series, keeping only the last 24 hours before `nowUs`. */
function addHour(hours: [number, number][], hour: number, bytes: number, nowUs: number): void {
  const h = Math.floor(hour / HOUR_US) * HOUR_US;
  const last = hours[hours.length - 1];
  if (last && last[0] === h) last[1] += bytes;
  else if (!last || h > last[0]) hours.push([h, bytes]);
  else {
    const same = hours.find((x) => x[0] === h);
    if (same) same[1] += bytes; else { hours.push([h, bytes]); hours.sort((a, b) => a[0] - b[0]); }
  }
  while (hours.length && (hours.length > 24 || hours[0][0] <= nowUs - DAY_US)) hours.shift();
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isPair = (x: unknown): x is [number, number] => Array.isArray(x) && x.length === 2 && isNum(x[0]) && isNum(x[1]);
const isFacts = (x: unknown): boolean => typeof x === 'object' && x !== null && typeof (x as IdentityFacts).category === 'string';

/** Shape check of one saved device history (it is our own file, but a damaged one must not break a page). */
export function validHistory(h: unknown): h is DeviceHistory {
  if (typeof h !== 'object' || h === null) return false;
  const x = h as DeviceHistory;
  if (!Array.isArray(x.periods) || !x.periods.every(isPair) || x.periods.length > HISTORY_LIMITS.periods) return false;
  if (!Array.isArray(x.other) || !x.other.every(isPair)) return false;
  if (!Array.isArray(x.traffic) || x.traffic.length > HISTORY_LIMITS.buckets || !x.traffic.every((b) => Array.isArray(b) && b.length === 3 && b.every(isNum))) return false;
  if (!Array.isArray(x.timeline) || x.timeline.length > HISTORY_LIMITS.timeline) return false;
  for (const e of x.timeline) {
    if (typeof e !== 'object' || e === null || !isNum(e.ts)) return false;
    if (e.kind === 'alert') { if (typeof e.alert !== 'string' || typeof e.title !== 'string' || typeof e.severity !== 'string') return false; }
    else if (e.kind === 'identity') { if (!isFacts(e.from) || !isFacts(e.to)) return false; }
    else if (e.kind === 'first-seen') { if (!isFacts(e.to)) return false; }
    else return false;
  }
  if (typeof x.dest !== 'object' || x.dest === null || Array.isArray(x.dest) || Object.keys(x.dest).length > HISTORY_LIMITS.destinations) return false;
  for (const d of Object.values(x.dest)) {
    if (typeof d !== 'object' || d === null || typeof d.name !== 'string' || typeof d.named !== 'boolean' || !isNum(d.last) || !Array.isArray(d.hours) || !d.hours.every(isPair)) return false;
  }
  return true;
}
