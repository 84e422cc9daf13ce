// A bounded ring of recent outbound connections (time, local MAC/IP/port, remote IP/port, protocol) that answers
// abuse reports: "who in this home talked to REMOTE[:PORT] around TIME?". Fixed memory: typed arrays, oldest overwritten.
import type { ConnEvent, EventSink, TcpSynEvent, WaakhondEvent } from './events.js';
import { parseIpv4, parseIpv6 } from './addr.js';
import { ipv4ToString, ipv6ToString, macToNumber, macToString } from './decode/format.js';

export type ConnProto = ConnEvent['proto'];
const PROTOS: readonly ConnProto[] = ['tcp', 'udp', 'icmp', 'icmpv6', 'other'];

/** Bytes per entry in the typed arrays (IPv6 entries keep their two address strings on the side). */
export const CONNLOG_ENTRY_BYTES = 8 + 8 + 8 + 4 + 4 + 2 + 2 + 1 + 1;

export interface ConnRecord {
  /** Capture time of the first packet (the SYN for TCP), microseconds. */
  ts: number;
  /** Last packet, when known (UDP/ICMP flows and long TCP flows); = ts for a bare SYN. */
  end_ts: number;
  mac: string | null;
  local_ip: string;
  local_port: number;
  remote_ip: string;
  remote_port: number;
  proto: ConnProto;
}

export interface LookupQuery {
  remote_ip: string;
  remote_port?: number | null;
  /** Time named in the report, microseconds since the epoch. */
  at: number;
  /** Half-width of the window around `at`, seconds (reports are often a few minutes off). */
  window_s: number;
  proto?: ConnProto | null;
  /** Most connections returned (closest in time first). */
  limit?: number;
}

/** One connection (SYN retransmits and the later conn record merged), with how far it is from the reported time. */
export interface LookupMatch extends ConnRecord {
  /** Seconds between the reported time and the connection (0 when the time falls inside it). */
  offset_s: number;
  /** How many records were merged (SYN retransmits). */
  records: number;
}

export interface LookupDevice {
  mac: string | null;
  local_ips: string[];
  connections: number;
  first_ts: number;
  last_ts: number;
}

export interface LookupResult {
  matches: LookupMatch[];
  /** Devices behind the matches, most connections first. */
  devices: LookupDevice[];
  /** Matches left out by the limit. */
  truncated: number;
  /** False when the window reaches back before connections the ring has already overwritten: "not found" is then not proof. */
  complete: boolean;
  /** Oldest and newest capture time the ring holds, microseconds (null when empty). */
  oldest_ts: number | null;
  newest_ts: number | null;
}

export interface ConnLogStats {
  capacity: number;
  entries: number;
  /** Entries overwritten because the ring was full. */
  overwritten: number;
  /** Connection events not kept (not outbound, or TCP whose SYN was already logged). */
  ignored: number;
}

/** Canonical text of an address typed by a person (RFC 5952 for IPv6), or null. */
export function canonicalIp(text: string): string | null {
  const v4 = parseIpv4(text);
  if (v4 !== null) return ipv4ToString(v4);
  const v6 = parseIpv6(text);
  return v6 ? ipv6ToString(v6, 0) : null;
}

/** The used slots of a ring, oldest first, column by column: what the file codec (connlog-codec.ts) writes. */
/** ConnLog.ring(): the columns in ring order, not copied; v6 gives an IPv6 slot's addresses. */
export interface ConnRing extends Omit<ConnColumns, 'v6'> {
  start: number;
  v6: (slot: number) => readonly [string, string];
}

export interface ConnColumns {
  capacity: number;
  count: number;
  overwritten: number;
  /** Newest capture time among overwritten entries (null: none lost). */
  lostUpTo: number | null;
  ts: Float64Array;
  end: Float64Array;
  /** MAC as a 48-bit number, -1 = none. */
  mac: Float64Array;
  lip: Uint32Array;
  rip: Uint32Array;
  lport: Uint16Array;
  rport: Uint16Array;
  /** 4 or 6. */
  fam: Uint8Array;
  /** Index into PROTOS. */
  proto: Uint8Array;
  /** [local, remote] of each IPv6 entry, in order. */
  v6: [string, string][];
}

export const CONN_PROTOS = PROTOS;

/** Index into PROTOS (an unknown name counts as the first, as the ring always stored it). */
function protoIndex(p: ConnProto): number {
  switch (p) {
    case 'tcp': return 0;
    case 'udp': return 1;
    case 'icmp': return 2;
    case 'icmpv6': return 3;
    case 'other': return 4;
    default: return 0;
  }
}

/**
 * parseIpv4() of an address's text as a number, -1 for none: the pipeline's dotted quads are read digit by
 * digit (no match array, no substrings per connection); anything else (spaces, letters: IPv6) goes to parseIpv4.
 */
export function ipv4Number(text: string): number {
  const n = text.length;
  if (n < 7 || n > 15) return slowIpv4(text);
  let v = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let k = 0; k < n; k++) {
    const c = text.charCodeAt(k);
    if (c >= 48 && c <= 57) {
      if (++digits > 3) return -1;
      octet = octet * 10 + (c - 48);
    } else if (c === 46) {
      if (digits === 0 || octet > 255 || ++dots > 3) return -1;
      v = v * 256 + octet;
      octet = 0;
      digits = 0;
    } else return slowIpv4(text);
  }
  if (dots !== 3 || digits === 0 || octet > 255) return -1;
  return (v * 256 + octet) >>> 0;
}

function slowIpv4(text: string): number {
  const v = parseIpv4(text);
  return v === null ? -1 : v;
}

/** macToNumber() of "aa:bb:cc:dd:ee:ff" (the pipeline's form) without a regular expression; other forms go to macToNumber. */
export function macNumber(mac: string | null): number {
  if (mac === null || mac.length !== 17) return macToNumber(mac);
  let v = 0;
  for (let k = 0; k < 17; k++) {
    const c = mac.charCodeAt(k);
    if (k % 3 === 2) {
      if (c !== 58) return macToNumber(mac);
      continue;
    }
    const h = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (h < 0) return macToNumber(mac);
    v = v * 16 + h;
  }
  return v;
}

/** TCP flows that lasted longer than this also get a record from their conn event (end time known). */
const LONG_FLOW_US = 60_000_000;

export class ConnLog {
  readonly capacity: number;
  private readonly ts: Float64Array;
  private readonly end: Float64Array;
  private readonly mac: Float64Array;
  private readonly lip: Uint32Array;
  private readonly rip: Uint32Array;
  private readonly lport: Uint16Array;
  private readonly rport: Uint16Array;
  /** 4 or 6 (0 = empty slot). */
  private readonly fam: Uint8Array;
  private readonly proto: Uint8Array;
  /** IPv6 addresses by slot: [local, remote]. */
  private readonly v6 = new Map<number, [string, string]>();
  private next = 0;
  private count = 0;
  /** Newest capture time among overwritten entries: windows before it may be incomplete. */
  private lostUpTo = -Infinity;
  readonly stats: ConnLogStats;

  constructor(capacity = 100_000) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error('ConnLog: capacity must be a positive integer');
    this.capacity = capacity;
    this.ts = new Float64Array(capacity);
    this.end = new Float64Array(capacity);
    this.mac = new Float64Array(capacity);
    this.lip = new Uint32Array(capacity);
    this.rip = new Uint32Array(capacity);
    this.lport = new Uint16Array(capacity);
    this.rport = new Uint16Array(capacity);
    this.fam = new Uint8Array(capacity);
    this.proto = new Uint8Array(capacity);
    this.stats = { capacity, entries: 0, overwritten: 0, ignored: 0 };
  }

  /** Bytes held by the typed arrays (the fixed cost), excluding IPv6 side strings. */
  get fixedBytes(): number {
    return this.capacity * CONNLOG_ENTRY_BYTES;
  }

  /** The event sink: outbound TCP SYNs, and outbound flows without a logged SYN (UDP, ICMP, mid-stream TCP, long TCP). */
  readonly observe: EventSink = (e: WaakhondEvent): void => {
    if (e.type === 'tcp_syn') this.fromSyn(e);
    else if (e.type === 'conn') this.fromConn(e);
  };

  private fromSyn(e: TcpSynEvent): void {
    if (e.direction !== 'outbound') {
      this.stats.ignored++;
      return;
    }
    this.put(e.ts, e.ts, e.src_mac, e.src_ip, e.src_port, e.dst_ip, e.dst_port, 0);
  }

  private fromConn(e: ConnEvent): void {
    // A TCP flow that began with a SYN is already logged by its tcp_syn; keep it again only when long-lived.
    const synLogged = e.proto === 'tcp' && e.state !== 'OTH';
    if (e.direction !== 'outbound' || (synLogged && e.end_ts - e.ts < LONG_FLOW_US)) {
      this.stats.ignored++;
      return;
    }
    this.put(e.ts, e.end_ts, e.src_mac, e.src_ip, e.src_port, e.dst_ip, e.dst_port, protoIndex(e.proto));
  }

  /**
   * A held scanner's SYN or flooder's datagrams (sensor/scan-hold.ts), from the pipeline's numbers: the
   * record fromSyn() or fromConn() would make, no text.
   */
  readonly heldSyn = (mac: number, proto: 'tcp' | 'udp', ts: number, srcIp: number, srcPort: number, dstIp: number, dstPort: number): void => {
    const i = this.slot();
    this.ts[i] = ts;
    this.end[i] = ts;
    this.mac[i] = mac;
    this.lport[i] = srcPort;
    this.rport[i] = dstPort;
    this.proto[i] = proto === 'tcp' ? 0 : 1;
    this.fam[i] = 4;
    this.lip[i] = srcIp;
    this.rip[i] = dstIp;
    this.advance();
  };

  /** The slot the next record goes to, the record it overwrites counted. */
  private slot(): number {
    const i = this.next;
    if (this.fam[i] !== 0) {
      this.stats.overwritten++;
      if (this.ts[i] > this.lostUpTo) this.lostUpTo = this.ts[i];
      if (this.fam[i] === 6) this.v6.delete(i);
    }
    return i;
  }

  private advance(): void {
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
    this.stats.entries = this.count;
  }

  add(r: ConnRecord): void {
    this.put(r.ts, r.end_ts, r.mac, r.local_ip, r.local_port, r.remote_ip, r.remote_port, protoIndex(r.proto));
  }

  /**
   * One record from its fields: the event sinks call this per outbound connection, so no record object is
   * made for it and its addresses are read from their text without a regular expression (ipv4Number, macNumber).
   */
  private put(ts: number, endTs: number, mac: string | null, localIp: string, localPort: number, remoteIp: string, remotePort: number, proto: number): void {
    const i = this.slot();
    const l4 = ipv4Number(localIp);
    const r4 = ipv4Number(remoteIp);
    this.ts[i] = ts;
    this.end[i] = Math.max(ts, endTs);
    this.mac[i] = macNumber(mac);
    this.lport[i] = localPort;
    this.rport[i] = remotePort;
    this.proto[i] = proto;
    if (l4 >= 0 && r4 >= 0) {
      this.fam[i] = 4;
      this.lip[i] = l4;
      this.rip[i] = r4;
    } else {
      this.fam[i] = 6;
      this.lip[i] = 0;
      this.rip[i] = 0;
      this.v6.set(i, [canonicalIp(localIp) ?? localIp, canonicalIp(remoteIp) ?? remoteIp]);
    }
    this.advance();
  }

  private record(i: number): ConnRecord {
    const six = this.fam[i] === 6 ? this.v6.get(i) : undefined;
    return {
      ts: this.ts[i],
      end_ts: this.end[i],
      mac: this.mac[i] < 0 ? null : macToString(this.mac[i]),
      local_ip: six ? six[0] : ipv4ToString(this.lip[i]),
      local_port: this.lport[i],
      remote_ip: six ? six[1] : ipv4ToString(this.rip[i]),
      remote_port: this.rport[i],
      proto: PROTOS[this.proto[i]] ?? 'other',
    };
  }

  /** Which local devices connected to remote_ip[:remote_port] within window_s seconds of `at`. */
  query(q: LookupQuery): LookupResult {
    const remote = canonicalIp(q.remote_ip);
    if (remote === null) throw new Error(`not an IP address: ${q.remote_ip}`);
    if (!(q.window_s >= 0)) throw new Error('window must be >= 0 seconds');
    const r4 = parseIpv4(remote);
    const port = q.remote_port ?? null;
    const protoIdx = q.proto ? PROTOS.indexOf(q.proto) : -1;
    const w = q.window_s * 1_000_000;
    const from = q.at - w;
    const to = q.at + w;
    let oldest = Infinity;
    let newest = -Infinity;
    const hits: ConnRecord[] = [];
    for (let i = 0; i < this.capacity; i++) {
      const fam = this.fam[i];
      if (fam === 0) continue;
      const ts = this.ts[i];
      if (ts < oldest) oldest = ts;
      if (ts > newest) newest = ts;
      if (r4 !== null) {
        if (fam !== 4 || this.rip[i] !== r4) continue;
      } else if (fam !== 6 || this.v6.get(i)?.[1] !== remote) continue;
      if (port !== null && this.rport[i] !== port) continue;
      if (protoIdx >= 0 && this.proto[i] !== protoIdx) continue;
      if (this.end[i] < from || ts > to) continue;
      hits.push(this.record(i));
    }
    // Merge SYN retransmits and the conn record of one connection: same device, 5-tuple and protocol, close in
    // time; the same 5-tuple minutes later is a new connection (source port reuse).
    hits.sort((a, b) => a.ts - b.ts);
    const open = new Map<string, LookupMatch>();
    const all: LookupMatch[] = [];
    for (const rec of hits) {
      const key = `${rec.mac}|${rec.local_ip}|${rec.local_port}|${rec.remote_port}|${rec.proto}`;
      const m = open.get(key);
      if (m && rec.ts <= m.end_ts + 120_000_000) {
        m.end_ts = Math.max(m.end_ts, rec.end_ts);
        m.records++;
      } else {
        const n: LookupMatch = { ...rec, offset_s: 0, records: 1 };
        open.set(key, n);
        all.push(n);
      }
    }
    for (const m of all) {
      m.offset_s = q.at < m.ts ? (m.ts - q.at) / 1e6 : q.at > m.end_ts ? (q.at - m.end_ts) / 1e6 : 0;
    }
    all.sort((a, b) => a.offset_s - b.offset_s || a.ts - b.ts);
    const byDevice = new Map<string, LookupDevice>();
    for (const m of all) {
      const k = m.mac ?? `ip:${m.local_ip}`;
      let d = byDevice.get(k);
      if (!d) byDevice.set(k, (d = { mac: m.mac, local_ips: [], connections: 0, first_ts: m.ts, last_ts: m.end_ts }));
      if (!d.local_ips.includes(m.local_ip)) d.local_ips.push(m.local_ip);
      d.connections++;
      d.first_ts = Math.min(d.first_ts, m.ts);
      d.last_ts = Math.max(d.last_ts, m.end_ts);
    }
    const limit = q.limit ?? 100;
    return {
      matches: all.slice(0, limit),
      devices: [...byDevice.values()].sort((a, b) => b.connections - a.connections),
      truncated: Math.max(0, all.length - limit),
      complete: from > this.lostUpTo,
      oldest_ts: this.count ? oldest : null,
      newest_ts: this.count ? newest : null,
    };
  }

  /**
   * The ring as it is, for the file format's encoder (connlog-codec.ts) to read in place: entry k (oldest
   * first) is slot (start + k) % capacity. Read only, and only until the log next changes. A copy
   * (columns()) of a full 100k ring was 3.8 MB on top of the encoded file at every save.
   */
  ring(): ConnRing {
    return {
      capacity: this.capacity, count: this.count, start: this.count < this.capacity ? 0 : this.next,
      overwritten: this.stats.overwritten, lostUpTo: Number.isFinite(this.lostUpTo) ? this.lostUpTo : null,
      ts: this.ts, end: this.end, mac: this.mac, lip: this.lip, rip: this.rip, lport: this.lport, rport: this.rport,
      fam: this.fam, proto: this.proto, v6: (slot) => this.v6.get(slot) ?? ['::', '::'],
    };
  }

  /** The used slots oldest first, copied column by column (for the compact file format). */
  columns(): ConnColumns {
    const n = this.count;
    const start = n < this.capacity ? 0 : this.next;
    const c: ConnColumns = {
      capacity: this.capacity, count: n, overwritten: this.stats.overwritten,
      lostUpTo: Number.isFinite(this.lostUpTo) ? this.lostUpTo : null,
      ts: new Float64Array(n), end: new Float64Array(n), mac: new Float64Array(n), lip: new Uint32Array(n), rip: new Uint32Array(n),
      lport: new Uint16Array(n), rport: new Uint16Array(n), fam: new Uint8Array(n), proto: new Uint8Array(n), v6: [],
    };
    for (let k = 0; k < n; k++) {
      const i = (start + k) % this.capacity;
      c.ts[k] = this.ts[i]; c.end[k] = this.end[i]; c.mac[k] = this.mac[i]; c.lip[k] = this.lip[i]; c.rip[k] = this.rip[i];
      c.lport[k] = this.lport[i]; c.rport[k] = this.rport[i]; c.fam[k] = this.fam[i]; c.proto[k] = this.proto[i];
      if (this.fam[i] === 6) c.v6.push(this.v6.get(i) ?? ['::', '::']);
    }
    return c;
  }

  /** Rebuild from columns() (into a ring of `capacity`, default the columns'); entries that do not fit are skipped (stats.ignored). */
  static fromColumns(c: ConnColumns, capacity?: number): ConnLog {
    const log = new ConnLog(capacity ?? c.capacity);
    let six = 0;
    for (let k = 0; k < c.count; k++) {
      const fam = c.fam[k];
      const pair = fam === 6 ? c.v6[six++] : undefined;
      const ok = (fam === 4 || (fam === 6 && pair && canonicalIp(pair[0]) !== null && canonicalIp(pair[1]) !== null))
        && Number.isFinite(c.ts[k]) && Number.isFinite(c.end[k]) && c.proto[k] < PROTOS.length
        && (c.mac[k] === -1 || (Number.isInteger(c.mac[k]) && c.mac[k] >= 0 && c.mac[k] < 2 ** 48));
      if (!ok) { log.stats.ignored++; continue; }
      const i = log.next;
      if (log.fam[i] !== 0) {
        log.stats.overwritten++;
        if (log.ts[i] > log.lostUpTo) log.lostUpTo = log.ts[i];
        if (log.fam[i] === 6) log.v6.delete(i);
      }
      log.ts[i] = c.ts[k]; log.end[i] = Math.max(c.ts[k], c.end[k]); log.mac[i] = c.mac[k];
      log.lip[i] = fam === 4 ? c.lip[k] : 0; log.rip[i] = fam === 4 ? c.rip[k] : 0;
      log.lport[i] = c.lport[k]; log.rport[i] = c.rport[k]; log.fam[i] = fam; log.proto[i] = c.proto[k];
      if (pair) log.v6.set(i, [canonicalIp(pair[0]) ?? pair[0], canonicalIp(pair[1]) ?? pair[1]]);
      log.next = (i + 1) % log.capacity;
      if (log.count < log.capacity) log.count++;
    }
    log.stats.entries = log.count;
    if (c.lostUpTo !== null) log.lostUpTo = Math.max(log.lostUpTo, c.lostUpTo);
    log.stats.overwritten += c.overwritten;
    return log;
  }

  /** Snapshot for persistence: only the used slots, oldest first, as compact records. */
  toJSON(): { version: 1; capacity: number; overwritten: number; lost_up_to: number | null; records: ConnRecord[] } {
    const records: ConnRecord[] = [];
    const start = this.count < this.capacity ? 0 : this.next;
    for (let k = 0; k < this.count; k++) records.push(this.record((start + k) % this.capacity));
    return { version: 1, capacity: this.capacity, overwritten: this.stats.overwritten, lost_up_to: Number.isFinite(this.lostUpTo) ? this.lostUpTo : null, records };
  }

  /** Rebuild from toJSON() output; bad records are skipped (counted in stats.ignored), never a crash. */
  static fromJSON(data: unknown, capacity?: number): ConnLog {
    const d = data as { version?: unknown; capacity?: unknown; records?: unknown; lost_up_to?: unknown; overwritten?: unknown };
    if (!d || d.version !== 1 || !Array.isArray(d.records)) throw new Error('not a waakhond connection log (version 1)');
    const log = new ConnLog(capacity ?? (typeof d.capacity === 'number' && d.capacity >= 1 ? Math.floor(d.capacity) : 100_000));
    for (const r of d.records as ConnRecord[]) {
      const ok = r && typeof r.ts === 'number' && typeof r.end_ts === 'number' && typeof r.local_ip === 'string'
        && typeof r.remote_ip === 'string' && canonicalIp(r.remote_ip) !== null && canonicalIp(r.local_ip) !== null
        && Number.isInteger(r.local_port) && Number.isInteger(r.remote_port) && PROTOS.includes(r.proto);
      if (ok) log.add(r);
      else log.stats.ignored++;
    }
    if (typeof d.lost_up_to === 'number') log.lostUpTo = Math.max(log.lostUpTo, d.lost_up_to);
    if (typeof d.overwritten === 'number') log.stats.overwritten += d.overwritten;
    return log;
  }
}
