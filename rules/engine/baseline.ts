// The per-device baseline: learns what each device does to the internet, flags what it never did, and announces new devices.
//
// Issue #11 part 6 ("what catches the next family") and part 8 (new device on the network). Every
// table is capped and counts what it drops: profiles per device (max_devices, ~0.6 KiB each), known
// MACs (max_known_macs), devices waiting for their new-device confirmation (PENDING_MAX), gateways.
// The state serialises to a versioned JSON value with a byte bound (the daemon keeps it in its
// store); a state that does not validate is refused whole, and the baseline starts fresh.
import type { WaakhondEvent } from '../../sensor/events.js';
import { isPublic } from './addr.js';
import { fnv1aIp4 } from './counters.js';
import type { HeldSyn } from '../../sensor/scan-hold.js';
import { deviceOf } from './compile.js';
import type { EngineEvent } from './fields.js';
import type { Rule } from './types.js';
import { BASELINE_ALERTS, type BaselineAlert, type BaselineConfig, type BaselineFamily } from './baseline-config.js';

/** What the baseline needs from the engine: its alerts go through the engine's path (ids, suppression, advice). */
export interface BaselineHost {
  /** Compile a rule the baseline raises itself; returns the handle raise() takes. */
  rule(r: Rule): unknown;
  raise(handle: unknown, group: Record<string, string>, e: EngineEvent, extra: Record<string, number | string>): void;
  deviceKind(device: string): string | null;
  markFull(name: string): void;
}

/** Bytes per Bloom filter generation (2048 bits): with BLOOM_GEN entries, ~3% false "already seen". */
const BLOOM_BYTES = 256;
/** Destinations added to the current generation before it becomes the previous one (so ~200-400 remembered). */
const BLOOM_GEN = 200;
/** Devices waiting for their new-device confirmation, at most. */
const PENDING_MAX = 256;
/** Gateway MACs remembered (routers, the upstream of internet traffic), at most. */
const GATEWAYS_MAX = 16;
/** A profile moves to the recent end of the table at most once per this much capture time. */
const TOUCH_US = 60_000_000;
/**
 * Learning runs on the capture time the sensor has watched, not on the distance between two
 * timestamps: a gap counts for at most this much. A router without a real-time clock boots at its
 * build date and jumps months ahead when NTP answers; a daemon stopped for a week learnt nothing in
 * it; spliced captures jump years. Counted as elapsed, each would end every learning period at once
 * (the nDPI corpus: 104 new-device alerts in captures of minutes). A home network is never silent
 * for 10 min (ARP, mDNS, DHCP renewals), so a real gap loses little.
 */
const MAX_STEP_US = 10 * 60_000_000;

export const BASELINE_STATE_FORMAT = 'waakhond.baseline';
export const BASELINE_STATE_VERSION = 1;

interface Profile {
  device: string;
  /** Watched time (Baseline.watched) when first seen: it has learnt for watched - born. */
  born: number;
  /** Capture time last seen (µs). */
  last: number;
  touched: number;
  /** Families used to the internet, one bit per family of the config. */
  families: number;
  /** Opened a TCP connection to the internet / answered one from it. */
  initiated: boolean;
  answered: boolean;
  /** Destinations seen: two generations of a Bloom filter. */
  cur: Uint8Array;
  prev: Uint8Array;
  curN: number;
  /** The current bucket of new destinations, and the busiest bucket so far (not counting bursts). */
  bucket: number;
  bucketNew: number;
  bucketFired: boolean;
  peak: number;
}

interface Pending {
  mac: string;
  e: EngineEvent;
  seenAs: string;
}

/** A device key is a MAC or, in captures without MACs, an IP: short, printable. */
const DEVICE_RE = /^[0-9a-fA-F:.]{2,64}$/;
const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** k = 3 positions by double hashing (Kirsch and Mitzenmacher, "Less hashing, same performance", 2006). */
function bloomHas(b: Uint8Array, h1: number, h2: number): boolean {
  for (let i = 0; i < 3; i++) {
    const bit = (h1 + i * h2) & (BLOOM_BYTES * 8 - 1);
    if ((b[bit >> 3]! & (1 << (bit & 7))) === 0) return false;
  }
  return true;
}

function bloomAdd(b: Uint8Array, h1: number, h2: number): void {
  for (let i = 0; i < 3; i++) {
    const bit = (h1 + i * h2) & (BLOOM_BYTES * 8 - 1);
    b[bit >> 3]! |= 1 << (bit & 7);
  }
}

function fmtSpan(us: number): string {
  const h = us / 3_600_000_000;
  if (h >= 48) return `${Math.round(h / 24)} days`;
  if (h >= 1) return `${+h.toFixed(1)} h`;
  return `${Math.max(1, Math.round(us / 60_000_000))} min`;
}

/** A unicast, non-zero MAC: multicast and broadcast addresses are not devices. */
function isDeviceMac(mac: string): boolean {
  if (!MAC_RE.test(mac)) return false;
  if ((parseInt(mac.slice(0, 2), 16) & 1) === 1) return false;
  return mac !== '00:00:00:00:00:00';
}

interface FamilyTables {
  /** Port -> family index, -1 for none (128 KiB for both: shared by every engine of the same families). */
  tcp: Int8Array;
  udp: Int8Array;
  events: Map<string, { fam: number; has?: string }[]>;
}
const tablesOf = new WeakMap<BaselineFamily[], FamilyTables>();

/** The look-up tables of a family list, built once per list (analysing many captures makes many engines). */
function familyTables(families: BaselineFamily[]): FamilyTables {
  const hit = tablesOf.get(families);
  if (hit) return hit;
  const t: FamilyTables = { tcp: new Int8Array(65536).fill(-1), udp: new Int8Array(65536).fill(-1), events: new Map() };
  families.forEach((f, i) => {
    for (const [a, b] of f.tcp) for (let p = a; p <= b; p++) t.tcp[p] = i;
    for (const [a, b] of f.udp) for (let p = a; p <= b; p++) t.udp[p] = i;
    for (const ev of f.events) {
      let list = t.events.get(ev.type);
      if (!list) t.events.set(ev.type, (list = []));
      list.push({ fam: i, has: ev.has });
    }
  });
  tablesOf.set(families, t);
  return t;
}

type Flow = Extract<WaakhondEvent, { src_ip: string; dst_ip: string; direction: string }>;

/** The home device is the sender and the other side is on the internet (lab captures without home nets: 'external'). */
function toInternet(e: Flow): boolean {
  return (e.direction === 'outbound' || e.direction === 'external') && typeof e.dst_ip === 'string' && isPublic(e.dst_ip);
}

/** The other side is on the internet and sent this (inbound). */
function fromInternet(e: Flow): boolean {
  return e.direction === 'inbound' && typeof e.src_ip === 'string' && isPublic(e.src_ip);
}

export interface BaselineStats {
  devices: number;
  devices_evicted: number;
  known_macs: number;
  known_evicted: number;
  pending: number;
  pending_dropped: number;
  /** New devices not announced: the router (gateway, DHCP server, inventory) or the sensor. */
  new_device_skipped: number;
  raised: Record<BaselineAlert, number>;
  /** Devices left out of the saved state to keep it under state_max_bytes. */
  state_trimmed: number;
}

export class Baseline {
  readonly stats: BaselineStats = {
    devices: 0, devices_evicted: 0, known_macs: 0, known_evicted: 0, pending: 0, pending_dropped: 0, new_device_skipped: 0,
    raised: { 'new-family': 0, 'destination-burst': 0, 'first-outbound': 0, 'new-device': 0 }, state_trimmed: 0,
  };
  private readonly profiles = new Map<string, Profile>();
  /** MAC -> capture time first seen: what "new device" is decided against. */
  private readonly known = new Map<string, number>();
  private readonly pending: Pending[] = [];
  private readonly gateways = new Set<string>();
  private readonly self: Set<string>;
  private readonly handles: Record<BaselineAlert, unknown>;
  private readonly tcpFam: Int8Array;
  private readonly udpFam: Int8Array;
  private readonly eventFam: Map<string, { fam: number; has?: string }[]>;
  /** Capture time watched since the install started (µs, gaps capped at MAX_STEP_US; survives restarts). */
  private watched = 0;
  /** The newest capture time of the watched clock (-1: none yet; not saved, a restart starts from its first event). */
  private clockTs = -1;
  private lastTick = 0;

  constructor(readonly config: BaselineConfig, private readonly host: BaselineHost, selfMacs: string[] = []) {
    this.self = new Set(selfMacs.map((m) => m.toLowerCase()));
    this.handles = Object.fromEntries(BASELINE_ALERTS.map((k) => [k, host.rule(config.rules[k])])) as Record<BaselineAlert, unknown>;
    ({ tcp: this.tcpFam, udp: this.udpFam, events: this.eventFam } = familyTables(config.families));
  }

  observe(e: WaakhondEvent): void {
    const ts = e.ts;
    // conn events carry their flow's first packet time, minutes or hours back: not a clock.
    if (e.type !== 'conn') this.advance(ts);
    if (this.pending.length > 0 && ts - this.lastTick >= 1_000_000) this.tick(ts);
    switch (e.type) {
      case 'traffic':
        if (e.mac !== null) this.seen(e.mac, e, `${e.ip ?? 'no IP'}, traffic`);
        return;
      case 'arp':
        if (e.sender_ip !== '0.0.0.0') this.seen(e.sender_mac, e, `${e.sender_ip}, ARP`);
        return;
      case 'dhcp':
        if (e.op === 'request') this.seen(e.client_mac, e, `DHCP${e.hostname ? ` "${e.hostname}"` : ''}`);
        else if (e.op === 'reply' && e.src_mac) this.gateway(e.src_mac); // the DHCP server: the router in a home
        return;
      case 'tcp_syn':
        if (e.src_mac && fromInternet(e)) this.gateway(e.src_mac);
        if (toInternet(e)) this.outbound(e, this.tcpFam[e.dst_port]!, true);
        return;
      case 'tcp_synack':
        // The device accepts a connection from the internet (a forwarded port): it answers.
        if (toInternet(e)) {
          const p = this.profile(deviceOf(e as EngineEvent & Record<string, unknown>), ts);
          if (p !== null) p.answered = true;
        }
        return;
      case 'conn':
        // TCP is counted from its SYNs (at once); UDP only has conn events (at the flow's end).
        if (e.proto === 'udp' && toInternet(e)) this.outbound(e, this.udpFam[e.dst_port]!, false);
        return;
      default: {
        const fams = this.eventFam.get(e.type);
        if (fams === undefined || !('dst_ip' in e)) return;
        const f = e as Flow;
        // DHT and IRC talk both ways: the home side of either direction counts.
        const pub = f.direction === 'inbound' ? fromInternet(f) : toInternet(f);
        if (!pub) return;
        const rec = e as unknown as Record<string, unknown>;
        for (const { fam, has } of fams) {
          if (has !== undefined) {
            const v = rec[has];
            if (v === null || v === undefined || v === false || v === '' || (Array.isArray(v) && v.length === 0)) continue;
          }
          const p = this.profile(deviceOf(rec as EngineEvent & Record<string, unknown>), ts);
          if (p !== null) this.family(p, fam, e);
        }
      }
    }
  }

  /** A connection (TCP SYN or UDP flow) from a home device to the internet. */
  private outbound(e: Flow & { dst_port: number; src_port: number }, fam: number, tcp: boolean): void {
    if (e.direction === 'outbound' && e.dst_mac) this.gateway(e.dst_mac);
    const p = this.profile(deviceOf(e as EngineEvent & Record<string, unknown>), e.ts);
    if (p === null) return;
    const dev = p.device;
    if (tcp && !p.initiated) {
      p.initiated = true;
      if (this.learnt(p) && p.answered) {
        this.raise('first-outbound', { device: dev }, e, { learnt: fmtSpan(this.watched - p.born) });
      }
    }
    if (fam >= 0) this.family(p, fam, e);
    this.destination(p, e);
  }

  /**
   * A held scanner's SYN (hold.ts): what observe() does with its tcp_syn to the internet (the clock,
   * first outbound, the port's family, the destination burst), from numbers; the event is made only
   * if an alert is raised. `udp`: a held flooder's datagram, as its UDP conn event would be.
   */
  heldSyn(device: string, s: HeldSyn, event: () => WaakhondEvent, udp = false): void {
    const ts = s.ts;
    this.advance(ts);
    if (this.pending.length > 0 && ts - this.lastTick >= 1_000_000) this.tick(ts);
    const p = this.profile(device, ts);
    if (p === null) return;
    if (udp) {
      // A held flooder's datagram: as a UDP conn event to the internet (outbound(..., false)).
      const fam = this.udpFam[s.dstPort]!;
      if (fam >= 0) this.family(p, fam, event);
      this.destinationHash(p, ts, fnv1aIp4(s.dstIp), event as () => Flow);
      return;
    }
    if (!p.initiated) {
      p.initiated = true;
      if (this.learnt(p) && p.answered) this.raise('first-outbound', { device }, event() as EngineEvent, { learnt: fmtSpan(this.watched - p.born) });
    }
    const fam = this.tcpFam[s.dstPort]!;
    if (fam >= 0) this.family(p, fam, event);
    this.destinationHash(p, ts, fnv1aIp4(s.dstIp), event as () => Flow);
  }

  /**
   * Capture time passing without an event of this engine's (a shard whose devices are quiet while the
   * home's others talk: sensor/shard): the watched clock moves, due new-device decisions are made.
   */
  clock(ts: number): void {
    this.advance(ts);
    if (this.pending.length > 0 && ts - this.lastTick >= 1_000_000) this.tick(ts);
  }

  /** Move the watched clock to capture time ts (see MAX_STEP_US). */
  private advance(ts: number): void {
    if (!Number.isFinite(ts)) return;
    if (this.clockTs < 0) { this.clockTs = ts; return; }
    const d = ts - this.clockTs;
    if (d > 0) {
      this.watched += d < MAX_STEP_US ? d : MAX_STEP_US;
      this.clockTs = ts;
    } else if (d < -MAX_STEP_US) {
      this.clockTs = ts; // the clock went back (a replay's next lap, a reboot without RTC): go on from here
    }
  }

  /** Capture time watched so far (µs). */
  get watchedUs(): number {
    return this.watched;
  }

  private learnt(p: Profile): boolean {
    return this.watched - p.born >= this.config.learningUs;
  }

  private family(p: Profile, fam: number, e: WaakhondEvent | (() => WaakhondEvent)): void {
    const bit = 1 << fam;
    if ((p.families & bit) !== 0) return;
    p.families |= bit;
    if (!this.learnt(p)) return;
    const f = this.config.families[fam]!;
    this.raise('new-family', { device: p.device, family: f.id }, typeof e === 'function' ? e() : e, {
      family: f.id, family_name: f.name, reason: f.reason, learnt: fmtSpan(this.watched - p.born),
    });
  }

  private destination(p: Profile, e: Flow): void {
    this.destinationHash(p, e.ts, fnv1a(e.dst_ip), e);
  }

  /** A destination (the FNV-1a of its address text) a device reached at ts: the burst check. */
  private destinationHash(p: Profile, ts: number, h1: number, e: Flow | (() => Flow)): void {
    const { bucketUs } = this.config;
    const b = ts - (ts % bucketUs);
    if (b > p.bucket) {
      // A bucket that fired is not the device's normal: it does not raise the yardstick.
      if (!p.bucketFired && p.bucketNew > p.peak) p.peak = p.bucketNew;
      p.bucket = b;
      p.bucketNew = 0;
      p.bucketFired = false;
    }
    const h2 = (Math.imul(h1 ^ (h1 >>> 15), 0x2c1b3c6d) >>> 0) | 1;
    if (bloomHas(p.cur, h1, h2) || bloomHas(p.prev, h1, h2)) return;
    bloomAdd(p.cur, h1, h2);
    if (++p.curN >= BLOOM_GEN) {
      const old = p.prev;
      p.prev = p.cur;
      old.fill(0);
      p.cur = old;
      p.curN = 0;
    }
    p.bucketNew++;
    if (p.bucketFired || !this.learnt(p)) return;
    const threshold = this.burstThreshold(p.peak);
    if (p.bucketNew < threshold) return;
    p.bucketFired = true;
    this.raise('destination-burst', { device: p.device }, typeof e === 'function' ? e() : e, {
      new_destinations: p.bucketNew, peak: p.peak, burst_threshold: threshold, bucket: fmtSpan(bucketUs),
    });
  }

  /** New destinations in one bucket that make a burst, for a device whose busiest bucket had `peak`. */
  burstThreshold(peak: number): number {
    return Math.max(this.config.minNew, Math.ceil(this.config.factor * peak));
  }

  /** The device's profile, made on first sight; null for a key that is no device (hostile or missing text, a bad time). */
  private profile(device: string | null, ts: number): Profile | null {
    if (device === null) return null;
    let p = this.profiles.get(device);
    if (p !== undefined) {
      if (ts > p.last) p.last = ts;
      if (ts - p.touched >= TOUCH_US) {
        // Least recently seen first in the Map's order, refreshed once a minute (not per event).
        p.touched = ts;
        this.profiles.delete(device);
        this.profiles.set(device, p);
      }
      return p;
    }
    // Only what a saved state may hold (checkState): one odd key must not get the whole state refused.
    if (typeof device !== 'string' || !DEVICE_RE.test(device) || !Number.isFinite(ts)) return null;
    if (this.profiles.size >= this.config.maxDevices) {
      const oldest = this.profiles.keys().next().value as string;
      this.profiles.delete(oldest);
      this.stats.devices_evicted++;
      this.host.markFull('rules.baseline_devices');
    }
    p = {
      device, born: this.watched, last: ts, touched: ts, families: 0, initiated: false, answered: false,
      cur: new Uint8Array(BLOOM_BYTES), prev: new Uint8Array(BLOOM_BYTES), curN: 0,
      bucket: ts - (ts % this.config.bucketUs), bucketNew: 0, bucketFired: false, peak: 0,
    };
    this.profiles.set(device, p);
    this.stats.devices = this.profiles.size;
    return p;
  }

  private gateway(mac: string): void {
    if (this.gateways.has(mac) || !isDeviceMac(mac)) return;
    if (this.gateways.size >= GATEWAYS_MAX) this.gateways.delete(this.gateways.values().next().value as string);
    this.gateways.add(mac);
  }

  /** A device MAC seen on the network: remember it; announce it if it is new after the install's learning. */
  private seen(mac: string, e: EngineEvent, seenAs: string): void {
    if (this.known.has(mac)) return;
    if (!isDeviceMac(mac)) return;
    if (this.known.size >= this.config.maxKnownMacs) {
      this.known.delete(this.known.keys().next().value as string);
      this.stats.known_evicted++;
      this.host.markFull('rules.baseline_known_macs');
    }
    this.known.set(mac, e.ts);
    this.stats.known_macs = this.known.size;
    if (this.watched < this.config.installLearningUs) return;
    if (this.pending.length >= PENDING_MAX) {
      this.stats.pending_dropped++;
      this.host.markFull('rules.baseline_pending');
      return;
    }
    this.pending.push({ mac, e, seenAs });
    this.stats.pending = this.pending.length;
  }

  /** Decide the new devices whose confirmation time has come (now = Infinity: all of them, at the end of a capture). */
  tick(now: number): void {
    this.lastTick = now;
    let keep = 0;
    for (let i = 0; i < this.pending.length; i++) {
      const p = this.pending[i]!;
      if (now - p.e.ts < this.config.newDeviceConfirmUs) { this.pending[keep++] = p; continue; }
      const kind = this.host.deviceKind(p.mac);
      if (this.self.has(p.mac) || this.gateways.has(p.mac) || kind === 'router') {
        this.stats.new_device_skipped++;
        continue;
      }
      this.raise('new-device', { device: p.mac }, p.e, { seen_as: p.seenAs, kind: kind ?? 'not identified yet' });
    }
    this.pending.length = keep;
    this.stats.pending = keep;
  }

  private raise(k: BaselineAlert, group: Record<string, string>, e: EngineEvent, extra: Record<string, number | string>): void {
    this.stats.raised[k]++;
    this.host.raise(this.handles[k], group, e, extra);
  }

  /** Where learning stands at capture time `now`, for reports: how many devices are past it, when new-device alerts start. */
  progress(owns?: (mac: string) => boolean): { devices: number; devices_learnt: number; watched_us: number; note: string } {
    let learnt = 0;
    let devices = 0;
    for (const [mac, p] of this.profiles) {
      // A shard of a sharded analysis counts only the devices it owns (sensor/shard/merge.ts).
      if (owns !== undefined && !owns(mac)) continue;
      devices++;
      if (this.learnt(p)) learnt++;
    }
    return { devices, devices_learnt: learnt, watched_us: this.watched, note: progressNote(devices, learnt, this.watched, this.config) };
  }

  health(): string[] {
    const out: string[] = [];
    const s = this.stats;
    if (s.devices_evicted > 0) out.push(`baseline: device table full (${this.config.maxDevices}), ${s.devices_evicted} profile(s) evicted`);
    if (s.known_evicted > 0) out.push(`baseline: known-device table full (${this.config.maxKnownMacs}), ${s.known_evicted} evicted`);
    if (s.pending_dropped > 0) out.push(`baseline: ${s.pending_dropped} new device(s) not announced (more than ${PENDING_MAX} waiting)`);
    if (s.state_trimmed > 0) out.push(`baseline: ${s.state_trimmed} device profile(s) left out of the saved state (over ${this.config.stateMaxBytes} bytes)`);
    return out;
  }

  /** The learnt state as one JSON value of at most config.stateMaxBytes (least recently seen devices left out first). */
  serialize(): BaselineState {
    const devices: SavedProfile[] = [];
    for (const p of this.profiles.values()) {
      devices.push([p.device, p.born, p.last, p.families, (p.initiated ? 1 : 0) | (p.answered ? 2 : 0), p.peak, p.bucket,
        p.bucketNew, p.bucketFired ? 1 : 0, p.curN, Buffer.from(p.cur).toString('base64'), Buffer.from(p.prev).toString('base64')]);
    }
    const known: [string, number][] = [...this.known];
    const state: BaselineState = {
      format: BASELINE_STATE_FORMAT, version: BASELINE_STATE_VERSION, watched: this.watched,
      families: this.config.families.map((f) => f.id), known, devices,
    };
    // Oldest first in both lists: trim from the front until it fits.
    let size = JSON.stringify(state).length;
    if (size > this.config.stateMaxBytes) {
      let drop = 0;
      while (size > this.config.stateMaxBytes && drop < devices.length) size -= JSON.stringify(devices[drop++]).length + 1;
      devices.splice(0, drop);
      this.stats.state_trimmed += drop;
      let dropK = 0;
      while (size > this.config.stateMaxBytes && dropK < known.length) size -= JSON.stringify(known[dropK++]).length + 1;
      known.splice(0, dropK);
    }
    return state;
  }

  /**
   * Take over a saved state (before any event). Anything that does not validate refuses it whole:
   * returns the reason, and the baseline stays as it is (fresh). Families are matched by id, so a
   * changed baseline.yaml keeps what still exists.
   */
  restore(raw: unknown): string | null {
    const why = checkState(raw);
    if (why !== null) return why;
    const st = raw as BaselineState;
    const remap = st.families.map((id) => this.config.families.findIndex((f) => f.id === id));
    this.profiles.clear();
    this.known.clear();
    const devices = st.devices.slice(-this.config.maxDevices);
    for (const d of devices) {
      const [device, born, last, fams, flags, peak, bucket, bucketNew, fired, curN, cur, prev] = d;
      let families = 0;
      for (let i = 0; i < remap.length; i++) if ((fams & (1 << i)) !== 0 && remap[i]! >= 0) families |= 1 << remap[i]!;
      this.profiles.set(device, {
        device, born, last, touched: last, families, initiated: (flags & 1) !== 0, answered: (flags & 2) !== 0,
        cur: new Uint8Array(Buffer.from(cur, 'base64')), prev: new Uint8Array(Buffer.from(prev, 'base64')), curN,
        bucket, bucketNew, bucketFired: fired === 1, peak,
      });
    }
    for (const [mac, ts] of st.known.slice(-this.config.maxKnownMacs)) this.known.set(mac, ts);
    this.watched = st.watched;
    this.stats.devices = this.profiles.size;
    this.stats.known_macs = this.known.size;
    return null;
  }
}

/** [device, born (watched time), last (capture time), families, flags (1 initiated, 2 answered), peak, bucket, bucket_new, bucket_fired, cur_n, cur, prev]. */
export type SavedProfile = [string, number, number, number, number, number, number, number, number, number, string, string];

export interface BaselineState {
  format: typeof BASELINE_STATE_FORMAT;
  version: typeof BASELINE_STATE_VERSION;
  /** Capture time watched since the install started (µs). */
  watched: number;
  families: string[];
  known: [string, number][];
  devices: SavedProfile[];
}

/** Saved states hold at most this many devices / known MACs (whatever the config; a bigger one is foreign). */
const STATE_MAX_ENTRIES = 1_000_000;
const BLOOM_B64 = Math.ceil(BLOOM_BYTES / 3) * 4;

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const uint = (v: unknown, max: number): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max;

/** Why a saved state is refused, or null when it is one this code wrote. */
export function checkState(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'not an object';
  const s = raw as Record<string, unknown>;
  if (s.format !== BASELINE_STATE_FORMAT) return `not a baseline state (format ${JSON.stringify(s.format)?.slice(0, 40)})`;
  if (s.version !== BASELINE_STATE_VERSION) return `of unknown version ${JSON.stringify(s.version)?.slice(0, 20)}`;
  if (!finite(s.watched) || s.watched < 0) return 'watched is not a duration';
  if (!Array.isArray(s.families) || s.families.length > 32 || !s.families.every((f) => typeof f === 'string' && f.length <= 40)) {
    return 'families is not a list of at most 32 ids';
  }
  if (!Array.isArray(s.known) || s.known.length > STATE_MAX_ENTRIES) return 'known is not a list';
  for (const k of s.known) {
    if (!Array.isArray(k) || k.length !== 2 || typeof k[0] !== 'string' || !MAC_RE.test(k[0]) || !finite(k[1])) return 'known holds a bad entry';
  }
  if (!Array.isArray(s.devices) || s.devices.length > STATE_MAX_ENTRIES) return 'devices is not a list';
  for (const d of s.devices as unknown[]) {
    if (!Array.isArray(d) || d.length !== 12) return 'devices holds an entry of the wrong shape';
    const [device, born, last, fams, flags, peak, bucket, bucketNew, fired, curN, cur, prev] = d as unknown[];
    if (typeof device !== 'string' || !DEVICE_RE.test(device)) return 'devices holds a bad device id';
    if (!finite(born) || !finite(last) || !finite(bucket)) return `device ${device}: bad times`;
    if (!Number.isInteger(fams) || (fams as number) < -(2 ** 31) || (fams as number) > 2 ** 32) return `device ${device}: bad families`;
    if (!uint(flags, 3) || !uint(peak, 1e9) || !uint(bucketNew, 1e9) || !uint(fired, 1) || !uint(curN, BLOOM_GEN)) return `device ${device}: bad counters`;
    for (const b of [cur, prev]) {
      if (typeof b !== 'string' || b.length !== BLOOM_B64 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b)) return `device ${device}: bad destination filter`;
    }
  }
  return null;
}

/** The baseline's state at the end of a capture in words (also for shards' progress added up: sensor/shard/merge.ts). */
export function progressNote(devices: number, learnt: number, watchedUs: number, config: Pick<BaselineConfig, 'learningUs' | 'installLearningUs'>): string {
  const span = fmtSpan(config.learningUs);
  const note = devices === 0 ? 'no device talked to the internet'
    : learnt === 0 ? `${devices} device(s), none past its ${span} learning period: no baseline alerts from this capture`
      : `${devices} device(s), ${learnt} past their ${span} learning period`;
  const nd = watchedUs < config.installLearningUs
    ? `; new-device alerts only once the install has watched ${fmtSpan(config.installLearningUs)} (${fmtSpan(watchedUs)} so far)` : '';
  return note + nd;
}
