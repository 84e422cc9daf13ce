// Abuse-report lookup shared by the `waakhond lookup` command and GET /api/lookup: parse what a report gives
// (remote IP[:PORT], a time, a window) and turn ConnLog answers into JSON with ISO times and device names.
import { canonicalIp } from '../../../sensor/connlog.js';
import type { ConnLog, ConnProto, LookupQuery, LookupResult } from '../../../sensor/connlog.js';
import { isoFromMicros } from './messages.js';

/** Default half-width of the window: abuse reports' clocks are often a few minutes off. */
export const DEFAULT_WINDOW_S = 300;
/** Longest window accepted (a day each way): wider windows name every device that ever talked to a CDN. */
export const MAX_WINDOW_S = 86_400;

/** "1.2.3.4", "1.2.3.4:23", "[2001:db8::1]:443", "2001:db8::1" -> ip + optional port. */
export function parseRemote(text: string): { ip: string; port: number | null } {
  const t = text.trim();
  let host = t;
  let port: string | null = null;
  const br = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  if (br) {
    host = br[1]!;
    port = br[2] ?? null;
  } else if (/^[^:]+:\d+$/.test(t)) {
    [host, port] = t.split(':') as [string, string];
  }
  const ip = canonicalIp(host);
  if (ip === null) throw new Error(`remote: not an IP address: ${JSON.stringify(text.slice(0, 80))}`);
  let p: number | null = null;
  if (port !== null) {
    p = Number(port);
    if (!Number.isInteger(p) || p < 0 || p > 65535) throw new Error(`remote: bad port ${port}`);
  }
  return { ip, port: p };
}

/**
 * A report's time -> microseconds since the epoch. ISO-8601 with a zone ("2018-03-09T20:57:44Z", "+01:00"),
 * ISO without a zone (taken as UTC, as abuse reports use), or Unix seconds ("1520629064.78").
 */
export function parseTime(text: string): number {
  const t = text.trim();
  if (/^\d{9,11}(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1e6);
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/i.exec(t);
  if (!m) throw new Error(`time: expected ISO-8601 (2018-03-09T20:57:44Z) or Unix seconds, got ${JSON.stringify(t.slice(0, 80))}`);
  const ms = Date.parse(`${m[1]}T${m[2]}${m[3] ? m[3].toUpperCase() : 'Z'}`);
  if (!Number.isFinite(ms)) throw new Error(`time: not a valid date: ${t}`);
  const frac = /\.(\d+)/.exec(m[2]!);
  // Keep microseconds that Date.parse (milliseconds) would drop.
  const extraUs = frac ? Math.round(Number(`0.${frac[1]}`) * 1e6) % 1000 : 0;
  return ms * 1000 + extraUs;
}

export function parseWindow(text: string | undefined): number {
  if (text === undefined || text === '') return DEFAULT_WINDOW_S;
  const w = Number(text);
  if (!Number.isFinite(w) || w < 0 || w > MAX_WINDOW_S) throw new Error(`window: seconds between 0 and ${MAX_WINDOW_S}`);
  return w;
}

export function parseProto(text: string | undefined): ConnProto | null {
  if (text === undefined || text === '') return null;
  if (!['tcp', 'udp', 'icmp', 'icmpv6', 'other'].includes(text)) throw new Error('proto: tcp, udp, icmp, icmpv6 or other');
  return text as ConnProto;
}

/** What is known about a device by MAC (from the inventory or the store), to name it in the answer. */
export type DescribeDevice = (mac: string) => { name: string | null; vendor: string | null; model: string | null; category: string } | undefined;

export interface LookupJson {
  query: { remote_ip: string; remote_port: number | null; at: string; window_s: number; proto: ConnProto | null };
  found: boolean;
  /** False when connections in the window may be missing: overwritten, or the window lies (partly) outside what was recorded. */
  complete: boolean;
  covered: { from: string | null; to: string | null };
  /** What was recorded (capture span; for a saved log, its oldest to newest connection) and whether the window lies outside it. */
  recorded: { from: string | null; to: string | null; window: 'inside' | 'partly outside' | 'outside' };
  devices: { mac: string | null; name: string | null; vendor: string | null; model: string | null; category: string | null;
    local_ips: string[]; connections: number; first: string; last: string }[];
  matches: { time: string; end: string; offset_s: number; records: number; mac: string | null; local_ip: string;
    local_port: number; remote_ip: string; remote_port: number; proto: ConnProto }[];
  truncated: number;
}

/** Capture time span recorded (µs); null ends: nothing recorded. */
export interface Recorded { from: number | null; to: number | null }

/** Where the query window [at-w, at+w] lies against what was recorded: "not found" only means something inside it. */
export function windowCoverage(q: Pick<LookupQuery, 'at' | 'window_s'>, rec: Recorded): LookupJson['recorded']['window'] {
  if (rec.from === null || rec.to === null) return 'outside';
  const lo = q.at - q.window_s * 1e6;
  const hi = q.at + q.window_s * 1e6;
  if (hi < rec.from || lo > rec.to) return 'outside';
  return lo >= rec.from && hi <= rec.to ? 'inside' : 'partly outside';
}

export function lookupJson(q: LookupQuery, r: LookupResult, describe?: DescribeDevice, recorded?: Recorded): LookupJson {
  // Without a recorded span (a saved log), the log's own oldest..newest connection is all we know was watched.
  // With one (the capture, or this daemon run), the saved log's older connections extend it back.
  const min = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
  const max = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));
  const rec: Recorded = recorded ? { from: min(recorded.from, r.oldest_ts), to: max(recorded.to, r.newest_ts) } : { from: r.oldest_ts, to: r.newest_ts };
  const window = windowCoverage(q, rec);
  return {
    query: { remote_ip: q.remote_ip, remote_port: q.remote_port ?? null, at: isoFromMicros(q.at), window_s: q.window_s, proto: q.proto ?? null },
    found: r.matches.length > 0,
    complete: r.complete && window === 'inside',
    covered: { from: r.oldest_ts === null ? null : isoFromMicros(r.oldest_ts), to: r.newest_ts === null ? null : isoFromMicros(r.newest_ts) },
    recorded: { from: rec.from === null ? null : isoFromMicros(rec.from), to: rec.to === null ? null : isoFromMicros(rec.to), window },
    devices: r.devices.map((d) => {
      const info = d.mac ? describe?.(d.mac) : undefined;
      return {
        mac: d.mac, name: info?.name ?? null, vendor: info?.vendor ?? null, model: info?.model ?? null, category: info?.category ?? null,
        local_ips: d.local_ips, connections: d.connections, first: isoFromMicros(d.first_ts), last: isoFromMicros(d.last_ts),
      };
    }),
    matches: r.matches.map((m) => ({
      time: isoFromMicros(m.ts), end: isoFromMicros(m.end_ts), offset_s: Math.round(m.offset_s * 1000) / 1000, records: m.records,
      mac: m.mac, local_ip: m.local_ip, local_port: m.local_port, remote_ip: m.remote_ip, remote_port: m.remote_port, proto: m.proto,
    })),
    truncated: r.truncated,
  };
}

/** Run one lookup: validation errors throw with a message fit for a person. */
export function runQuery(log: ConnLog, args: { remote: string; at: string; window?: string; proto?: string; limit?: number }): { q: LookupQuery; r: LookupResult } {
  const { ip, port } = parseRemote(args.remote);
  const q: LookupQuery = { remote_ip: ip, remote_port: port, at: parseTime(args.at), window_s: parseWindow(args.window), proto: parseProto(args.proto), limit: args.limit ?? 100 };
  return { q, r: log.query(q) };
}
