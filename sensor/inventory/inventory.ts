// The device inventory: devices keyed by MAC, addresses and names bound from events, identity from evidence.
import type { WaakhondEvent, DhcpEvent, DnsEvent } from '../events.js';
import type { Device, Evidence } from './types.js';
import { isLocallyAdministered, isNonDeviceMac, normalizeMac } from './mac.js';
import { resolveIdentity } from './identity.js';

export interface InventoryOptions {
  /** Cap on devices; the stalest is evicted beyond it (a spoofed-MAC flood must not exhaust memory). */
  maxDevices?: number;
  /** Fingerprint data folder (defaults to the shipped one). */
  fingerprintsDir?: string;
  /** MACs that are never devices: the sensor host's own interfaces. */
  ignoreMacs?: string[];
}

export type InventoryChange = 'new' | 'changed' | 'evicted';

const DEFAULTS = { maxDevices: 1024 };
/** Per-device bounds: addresses and evidence lines kept. */
const MAX_IPS = 8;
const MAX_EVIDENCE = 48;
/** Hostile text from the wire is cut to this length before it is stored. */
const MAX_TEXT = 64;

interface DeviceState {
  device: Device;
  /** Evidence keyed by source + detail, so repeats do not grow the list. */
  evidence: Map<string, Evidence>;
}

export class Inventory {
  onChange: ((d: Device, change: InventoryChange) => void) | null = null;

  private readonly maxDevices: number;
  private readonly ignore = new Set<string>();
  /** Insertion order = least recently seen first (touch moves a device to the end). */
  private readonly devices = new Map<string, DeviceState>();
  /** MACs found to be routers/DHCP servers: never devices. Bounded by maxDevices. */
  private readonly routers = new Set<string>();
  /** IPv4 addresses that DHCP names as routers (option 3) or servers (option 54). */
  private readonly routerIps = new Set<string>();
  private evictedCount = 0;

  constructor(opts: InventoryOptions = {}) {
    this.maxDevices = Math.max(1, opts.maxDevices ?? DEFAULTS.maxDevices);
    for (const m of opts.ignoreMacs ?? []) {
      const n = normalizeMac(m);
      if (n) this.ignore.add(n);
    }
  }

  get stats(): { devices: number; evicted: number; full: boolean } {
    return { devices: this.devices.size, evicted: this.evictedCount, full: this.devices.size >= this.maxDevices };
  }

  list(): Device[] {
    return [...this.devices.values()].map((s) => snapshot(s.device));
  }

  get(mac: string): Device | undefined {
    const n = normalizeMac(mac);
    const s = n ? this.devices.get(n) : undefined;
    return s ? snapshot(s.device) : undefined;
  }

  observe(e: WaakhondEvent): void {
    switch (e.type) {
      case 'dhcp': return this.onDhcp(e);
      case 'arp':
        if (e.sender_ip !== '0.0.0.0') this.touch(e.sender_mac, e.ts, { ip: e.sender_ip });
        else this.touch(e.sender_mac, e.ts, {});
        return;
      case 'ndp':
        if (e.kind === 'router_advert') { this.markRouter(e.mac ?? e.lladdr); return; }
        this.touch(e.lladdr ?? e.mac, e.ts, { ip: e.ip !== '::' ? e.ip : undefined });
        return;
      case 'dns': return this.onDns(e);
      case 'ssdp':
      case 'netbios':
      case 'tls_client_hello':
      case 'http_request':
      case 'http_response':
      case 'tcp_syn':
        // Attributed to the sender only when the sender is on the LAN (inbound packets carry the router's MAC).
        if (e.direction === 'outbound' || e.direction === 'internal') this.touch(e.src_mac, e.ts, { ip: e.src_ip });
        return;
      default:
        return;
    }
  }

  private onDhcp(e: DhcpEvent): void {
    if (e.op === 'reply') {
      // RFC 2131 4.3.1: replies come from the DHCP server (the router in a home): it is not a device.
      this.markRouter(e.src_mac);
      for (const r of e.routers) this.routerIps.add(r);
      if (e.server_id) this.routerIps.add(e.server_id);
      if (e.message_type === 'ack' && e.yiaddr !== '0.0.0.0') this.touch(e.client_mac, e.ts, { ip: e.yiaddr, create: false });
      return;
    }
    const ip = e.ciaddr !== '0.0.0.0' ? e.ciaddr : undefined;
    const hostname = clean(e.hostname);
    const ev: Evidence[] = [];
    if (hostname) ev.push({ source: 'dhcp', detail: `DHCP hostname ${hostname}`, ts: e.ts });
    this.touch(e.client_mac, e.ts, { ip, hostname, evidence: ev });
  }

  private onDns(e: DnsEvent): void {
    if (e.direction !== 'outbound' && e.direction !== 'internal') return;
    // Unicast DNS responses come from the resolver (often the router); only queries speak for the sender.
    if (!e.mdns && !e.llmnr && e.response) return;
    this.touch(e.src_mac, e.ts, { ip: e.src_ip });
  }

  private markRouter(mac: string | null): void {
    const n = normalizeMac(mac);
    if (!n || this.routers.has(n)) return;
    if (this.routers.size < this.maxDevices) this.routers.add(n);
    const s = this.devices.get(n);
    if (s) {
      this.devices.delete(n);
      this.onChange?.(snapshot(s.device), 'evicted');
    }
  }

  /** Find or create the device for a MAC, record time, address, name and evidence; notify on change. */
  private touch(
    rawMac: string | null,
    ts: number,
    add: { ip?: string; hostname?: string | null; evidence?: Evidence[]; create?: boolean },
  ): void {
    const mac = normalizeMac(rawMac);
    if (!mac || isNonDeviceMac(mac) || this.ignore.has(mac) || this.routers.has(mac)) return;
    if (add.ip && this.routerIps.has(add.ip)) { this.markRouter(mac); return; }
    let s = this.devices.get(mac);
    let change: InventoryChange | null = null;
    if (!s) {
      if (add.create === false) return;
      if (this.devices.size >= this.maxDevices) this.evictStalest();
      s = { device: newDevice(mac, ts), evidence: new Map() };
      change = 'new';
    } else {
      this.devices.delete(mac); // re-insert at the end: most recently seen
    }
    this.devices.set(mac, s);
    const d = s.device;
    if (ts > d.last_seen) d.last_seen = ts;
    if (ts < d.first_seen) d.first_seen = ts;
    if (add.ip && this.bindIp(s, add.ip)) change ??= 'changed';
    if (add.hostname && d.hostname !== add.hostname) { d.hostname = add.hostname; change ??= 'changed'; }
    let evChanged = false;
    for (const ev of add.evidence ?? []) {
      const key = `${ev.source}\u0000${ev.detail}`;
      if (s.evidence.has(key) || s.evidence.size >= MAX_EVIDENCE) continue;
      s.evidence.set(key, ev);
      evChanged = true;
    }
    if (evChanged || change === 'new') {
      if (this.reidentify(s)) change ??= 'changed';
    }
    if (change) this.onChange?.(snapshot(d), change);
  }

  /** Bind an address to this device, taking it from any other device that had it. */
  private bindIp(s: DeviceState, ip: string): boolean {
    const list = ip.includes(':') ? s.device.ipv6 : s.device.ips;
    if (list.includes(ip)) return false;
    for (const other of this.devices.values()) {
      if (other === s) continue;
      const ol = ip.includes(':') ? other.device.ipv6 : other.device.ips;
      const i = ol.indexOf(ip);
      if (i >= 0) ol.splice(i, 1);
    }
    list.unshift(ip);
    if (list.length > MAX_IPS) list.length = MAX_IPS;
    return true;
  }

  /** Recompute identity from evidence; true if anything a person sees changed. */
  private reidentify(s: DeviceState): boolean {
    const d = s.device;
    const evidence = [...s.evidence.values()];
    const id = resolveIdentity(d.mac, evidence, d.private_mac);
    const before = `${d.vendor}|${d.model}|${d.category}|${d.name}|${d.confidence}|${d.evidence.length}`;
    d.vendor = id.vendor;
    d.model = id.model;
    d.category = id.category;
    d.name = id.name;
    d.confidence = id.confidence;
    d.evidence = evidence;
    return before !== `${d.vendor}|${d.model}|${d.category}|${d.name}|${d.confidence}|${d.evidence.length}`;
  }

  private evictStalest(): void {
    const first = this.devices.keys().next();
    if (first.done) return;
    const s = this.devices.get(first.value)!;
    this.devices.delete(first.value);
    this.evictedCount++;
    this.onChange?.(snapshot(s.device), 'evicted');
  }
}

function newDevice(mac: string, ts: number): Device {
  return {
    mac, ips: [], ipv6: [], vendor: null, model: null, category: 'other', name: null, hostname: null,
    confidence: 0, evidence: [], first_seen: ts, last_seen: ts, private_mac: isLocallyAdministered(mac),
  };
}

/** A copy callers may keep or change without touching the inventory. */
function snapshot(d: Device): Device {
  return { ...d, ips: [...d.ips], ipv6: [...d.ipv6], evidence: d.evidence.map((e) => ({ ...e })) };
}

/** Bound and strip control characters from a name that came from the network. */
export function clean(s: string | null | undefined): string | null {
  if (!s) return null;
  // eslint-disable-next-line no-control-regex
  const t = s.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, MAX_TEXT);
  return t || null;
}
