// The device inventory: devices keyed by MAC, addresses and names bound from events, identity from evidence.
import type { WaakhondEvent, DhcpEvent } from '../events.js';
import type { Device, Evidence } from './types.js';
import { isLocallyAdministered, isNonDeviceMac, normalizeMac } from './mac.js';
import { friendlyName, resolveIdentity, VendorIndex } from './identity.js';
import { defaultFingerprintsDir, loadFingerprints, type Fingerprints } from './fingerprints.js';
import { Matcher } from './match.js';
import { dnsQuerySignature, forReceiver, modelCodesOf, observationsOf, observationTarget, synSignature, writeSignature, type Observation } from './observe.js';
import { withHaTables } from './ha-tables.js';
import { ouiStatus, ouiTable } from './oui.js';
import { Hash52, hash52 } from '../hash.js';
import { Behaviour, CLIENT_DETAIL } from './behaviour.js';
import { stripInvisible } from '../protocols/bytes.js';

export interface InventoryOptions {
  /** Cap on devices; the stalest is evicted beyond it (a spoofed-MAC flood must not exhaust memory). */
  maxDevices?: number;
  /** Fingerprint data folder (defaults to the shipped one). */
  fingerprintsDir?: string;
  /** MACs that are never devices: the sensor host's own interfaces. */
  ignoreMacs?: string[];
  /** Addresses that are never bound to a device nor make one: the sensor host's own (its MAC may differ, e.g. behind a bridge). */
  ignoreIps?: string[];
}

export type InventoryChange = 'new' | 'changed' | 'evicted';

/** Fields of a UPnP device description (UPnP Device Architecture 2.0, 2.3), as active discovery fetched it. */
export interface UpnpDescription {
  manufacturer?: string;
  manufacturer_url?: string;
  model_name?: string;
  model_number?: string;
  model_description?: string;
  friendly_name?: string;
  device_type?: string;
}

const DEFAULTS = { maxDevices: 1024 };
/** Per-device bounds: addresses and evidence lines kept, TCP SYNs looked at. */
const MAX_IPS = 8;
const MAX_EVIDENCE = 48;
const MAX_SYNS = 4;
/** Hostile text from the wire is cut to this length before it is stored. */
const MAX_TEXT = 64;
/** OUI evidence weights: a brand's own OUI says something; a module maker's says little about the product. */
const OUI_WEIGHT = 0.35;
/** A bare model code as a host name or product token: the model, if models.yaml knows the line. */
const MODEL_CODE_WEIGHT = 0.5;
const SOURCE_LABEL: Partial<Record<string, string>> = { dhcp: 'DHCP', mdns: 'mDNS', netbios: 'NetBIOS', ssdp: 'SSDP', upnp: 'UPnP' };
const MODULE_OUI_WEIGHT = 0.1;

/** Which name source wins for the hostname: DHCP (the device's own choice) over mDNS over NetBIOS. */
const NAME_RANK = { dhcp: 3, mdns: 2, netbios: 1 } as const;

interface DeviceState {
  device: Device;
  /** Evidence keyed by rule + model, so repeats do not grow the list. */
  evidence: Map<string, Evidence>;
  nameRank: number;
  syns: number;
  /**
   * Observations already matched for this device (bounded): repeats skip the fingerprint matcher,
   * whose answer would add nothing (matching is a pure function of the fields; evidence only grows).
   * Kept as 52-bit hashes of the keys, not the keys: an observation key can be kilobytes of hostile
   * text, and 512 of them per device for 1024 devices would be hundreds of MB; numbers are ~40 bytes.
   */
  seen: Set<number>;
  /** Ids of event signatures (Template) whose observations were all matched for this device (bounded). */
  seenTemplates: Set<number>;
  /** Neighbours in the recency list (least recently seen first): O(1) moves, no Map re-inserts. */
  older: DeviceState | null;
  newer: DeviceState | null;
}

/** Per-device memory of matched observations; cleared when full (matching again is only slower). */
const MAX_SEEN_OBSERVATIONS = 512;

/**
 * What the events with one signature (observationSignature) give, computed once: repeats of an
 * event need no observations built, only their devices' time, address and name updated.
 */
interface Template {
  /** Number for the devices' seen sets; never reused, so ids left there after a clear just miss. */
  id: number;
  /** Per observation, in order (none: the event says nothing to the matcher): which end it speaks
   *  for, and the name it gives that device (DHCP, mDNS host, NetBIOS) with that source's rank. */
  obs: { receiver: boolean; hostname: string | null; rank: number }[];
}

/**
 * Signatures remembered per inventory; cleared when full (rebuilding is only slower). Longer
 * signatures (a big mDNS packet) are not remembered: at most ~8 MB even when every one is hostile.
 */
const MAX_TEMPLATES = 2048;
const MAX_SIGNATURE = 2000;

/** A key for an observation's fields: the same DNS name or SSDP header from one device matches the same rules. */
function observationKey(o: Observation): string {
  let k = o.kind;
  for (const [f, vals] of o.fields) k += '\u0001' + f + '=' + vals.join('\u0002');
  return k;
}

/** Parsed fingerprint folders, shared by all inventories in the process (they are read-only). */
const loaded = new Map<string, { fp: Fingerprints; matcher: Matcher; vendors: VendorIndex }>();
function knowledge(dir: string) {
  let k = loaded.get(dir);
  if (!k) {
    const fp = loadFingerprints(dir);
    k = { fp, matcher: withHaTables(dir, fp), vendors: new VendorIndex(fp.vendors) };
    loaded.set(dir, k);
  }
  return k;
}

export class Inventory {
  onChange: ((d: Device, change: InventoryChange) => void) | null = null;

  private readonly maxDevices: number;
  private readonly ignore = new Set<string>();
  /** Devices by canonical MAC (the lookup); their recency order is the linked list below. */
  private readonly devices = new Map<string, DeviceState>();
  /** The device each address is bound to (see bindIp): at most maxDevices x MAX_IPS x 2 entries. */
  private readonly ipOwner = new Map<string, DeviceState>();
  /**
   * Least and most recently seen device: touch moves a device to the newest end, eviction takes the
   * oldest, list() walks from the oldest. A doubly linked list through the states, because moving an
   * entry to the end of a Map (delete + set) on every change of MAC cost hashing and Map compaction.
   */
  private oldest: DeviceState | null = null;
  private newest: DeviceState | null = null;
  /**
   * MACs found to be the home's router (gateway of Internet traffic, IPv6 router advertisements).
   * The router IS a device the household owns and should update: it stays listed, marked router:true,
   * but what it forwards from the Internet never speaks for it (remote addresses, fingerprints).
   * Bounded by maxDevices.
   */
  private readonly routers = new Set<string>();
  private readonly ignoreIps = new Set<string>();
  /** True while an event from the Internet is observed: the router's MAC carries it, not its own words. */
  private inbound = false;
  /** MAC -> remote addresses seen arriving from it (inbound): the gateway test. Bounded. */
  private readonly gatewayCandidates = new Map<string, Set<string>>();
  /** Private-MAC grouping: "client-id:..", "host:.." -> MACs that showed it (bounded with the devices). */
  private readonly groupKeys = new Map<string, Set<string>>();
  private readonly know: ReturnType<typeof knowledge>;
  private evictedCount = 0;
  /** A SYN's quick key (observe.ts synSignature) -> what it gives (bounded by MAX_TEMPLATES). */
  private readonly templates = new Map<number, Template>();
  /**
   * hash52 of any other event's signature -> what it gives (bounded by MAX_TEMPLATES). A table of its
   * own, so a hash can never meet a SYN's key; two signatures share a hash with odds of about 2^-52 a
   * pair (sensor/hash.ts), as the inventory's other "seen" keys do.
   */
  private readonly hashedTemplates = new Map<number, Template>();
  private readonly signature = new Hash52();
  /** One-question unicast DNS queries by name (observe.ts dnsQuerySignature), apart from the signatures above. */
  private readonly queryTemplates = new Map<string, Template>();
  private nextTemplateId = 0;
  /** What devices do (behaviour.ts): evidence when knowledge runs out, bounded like the devices. */
  private readonly behaviour: Behaviour;
  private readonly isDevice = (mac: string): boolean => this.devices.has(mac);

  constructor(opts: InventoryOptions = {}) {
    this.maxDevices = Math.max(1, opts.maxDevices ?? DEFAULTS.maxDevices);
    for (const m of opts.ignoreMacs ?? []) {
      const n = normalizeMac(m);
      if (n) this.ignore.add(n);
    }
    for (const ip of opts.ignoreIps ?? []) this.ignoreIps.add(ip.toLowerCase());
    this.know = knowledge(opts.fingerprintsDir ?? defaultFingerprintsDir());
    this.behaviour = new Behaviour({ maxDevices: this.maxDevices });
  }

  get stats(): { devices: number; evicted: number; full: boolean } {
    return { devices: this.devices.size, evicted: this.evictedCount, full: this.devices.size >= this.maxDevices };
  }

  /** The behaviour summaries' counters: held, dropped (table full), port observations dropped. */
  get behaviourStats(): { devices: number; dropped: number; portsDropped: number } {
    return this.behaviour.stats;
  }

  /** Problems a person should know about: refused fingerprint entries, a missing OUI table. */
  health(): string[] {
    const out = this.know.fp.errors.map((e) => `fingerprint ${e.file}${e.entry !== null ? ` entry ${e.entry}` : ''}${e.id ? ` (${e.id})` : ''}: ${e.reason}`);
    const oui = ouiStatus();
    if (oui) out.push(oui);
    return out;
  }

  list(): Device[] {
    const out: Device[] = [];
    for (let s = this.oldest; s; s = s.newer) out.push(snapshot(s.device));
    return out;
  }

  get(mac: string): Device | undefined {
    const n = normalizeMac(mac);
    const s = n ? this.devices.get(n) : undefined;
    return s ? snapshot(s.device) : undefined;
  }

  observe(e: WaakhondEvent): void {
    this.inbound = 'direction' in e && e.direction === 'inbound';
    this.observeEvent(e);
    switch (e.type) {
      case 'conn': case 'traffic': case 'dns': case 'tls_client_hello': case 'tcp_syn':
        this.behave(e);
    }
    // Not left set for observeUpnp (active discovery asks the router itself).
    this.inbound = false;
  }

  /** Behaviour's conclusions for known devices: service ports matched against services.yaml, traits as they are. */
  private behave(e: WaakhondEvent): void {
    for (const h of this.behaviour.observe(e, this.isDevice)) {
      const svc = h.service;
      const evidence = svc
        ? this.know.matcher.match({ kind: 'service', source: 'behaviour', mac: h.mac, ip: null, ts: h.ts, fields: new Map([[svc.field, [svc.value]]]) })
          .map((m) => ({ ...m, detail: `Behaviour: ${svc.detail}` }))
        : h.evidence ? [h.evidence] : [];
      if (evidence.length) this.touch(h.mac, h.ts, { create: false, evidence });
    }
  }

  private observeEvent(e: WaakhondEvent): void {
    if ('direction' in e && e.direction === 'inbound' && e.type !== 'conn') this.onInbound(e.src_mac, e.src_ip, e.ts);
    switch (e.type) {
      case 'dhcp':
        if (e.op === 'reply') { this.onDhcpReply(e); return; }
        break;
      case 'arp':
        this.touch(e.sender_mac, e.ts, { ip: e.sender_ip !== '0.0.0.0' ? e.sender_ip : undefined });
        return;
      case 'ndp':
        if (e.kind === 'router_advert') { this.markRouter(e.lladdr ?? e.mac, e.ts, e.ip !== '::' ? e.ip : undefined); return; }
        this.touch(e.lladdr ?? e.mac, e.ts, { ip: e.ip !== '::' ? e.ip : undefined });
        return;
      case 'dns':
        // Unicast DNS responses come from the resolver (often the router): they do not speak for the sender.
        if (!e.mdns && !e.llmnr && e.response) return;
        break;
      case 'tcp_syn': {
        if (e.direction !== 'outbound' && e.direction !== 'internal') return;
        const s = this.lookup(e.src_mac);
        // Stack traits need only a few SYNs; a scanning device sends thousands.
        if (s && s.syns >= MAX_SYNS) { this.touch(e.src_mac, e.ts, {}); return; }
        if (s) s.syns++;
        break;
      }
      case 'ssdp': case 'netbios': case 'tls_client_hello': case 'http_request': case 'http_response': case 'discovery':
        break;
      case 'conn':
        // Flows only keep known devices fresh: a flow's MAC alone is no reason to list a device.
        if (e.direction === 'outbound' || e.direction === 'internal') this.touch(e.src_mac, e.end_ts, { create: false });
        return;
      case 'traffic':
        if (e.out_pkts > 0) this.touch(e.mac, e.ts, { create: false });
        return;
      default:
        return;
    }
    const quick = e.type === 'tcp_syn' ? synSignature(e) : e.type === 'dns' ? dnsQuerySignature(e) : undefined;
    if (quick === null) {
      // A SYN from outside the home: no observation.
    } else if (typeof quick === 'number') {
      this.applySigned(quick, e, this.templates);
    } else if (quick !== undefined && quick.length <= MAX_SIGNATURE) {
      this.applySigned(quick, e, this.queryTemplates);
    } else {
      // The signature is hashed as it is written (observe.ts writeSignature): no string per event.
      const h = this.signature.reset();
      if (!writeSignature(e, h) || h.length > MAX_SIGNATURE) for (const o of observationsOf(e)) this.apply(o, e);
      else this.applySigned(h.value(), e, this.hashedTemplates);
    }
    if (e.type === 'dns' && e.llmnr && e.response && e.answers.length && (e.direction === 'internal' || e.direction === 'outbound')) {
      // RFC 4795 2.1: a responder answers only for its own name.
      this.touch(e.src_mac, e.ts, { ip: e.src_ip, hostname: clean(e.answers[0].name.replace(/\.$/, '')), rank: NAME_RANK.netbios });
    }
    if (e.type === 'dns' || e.type === 'ssdp' || e.type === 'tls_client_hello' || e.type === 'http_request' || e.type === 'http_response' || e.type === 'netbios' || e.type === 'discovery' || e.type === 'tcp_syn') {
      // Events with no rule fields (an mDNS packet of PTR look-ups) still show the device is there.
      if (e.direction === 'outbound' || e.direction === 'internal') this.touch(e.src_mac, e.ts, { ip: e.src_ip });
    }
  }

  /** The device MAC an address is bound to (ARP, DHCP, NDP), for results that arrive without a MAC. */
  macForIp(ip: string): string | null {
    return this.ipOwner.get(ip)?.device.mac ?? null;
  }

  /** A UPnP description fetched by active discovery from the device at ip. */
  observeUpnp(ip: string, desc: UpnpDescription, ts: number): void {
    const s = this.ipOwner.get(ip);
    if (!s) return;
    const fields = new Map<string, string[]>();
    for (const [k, v] of Object.entries(desc)) if (typeof v === 'string' && v.trim()) fields.set(k, [v.trim().slice(0, 200)]);
    this.apply({ kind: 'upnp', source: 'upnp', mac: s.device.mac, ip, ts, fields }, null);
  }

  /**
   * An event by its signature: the first time its devices see it, observations are built and matched
   * as usual; repeats only touch the same devices in the same order with address and name.
   */
  private applySigned<K>(signature: K, e: WaakhondEvent, templates: Map<K, Template>): void {
    let t = templates.get(signature);
    let built: Observation[] | null = null;
    if (!t) {
      built = observationsOf(e);
      if (templates.size >= MAX_TEMPLATES) templates.clear();
      t = {
        id: this.nextTemplateId++,
        obs: built.map((o) => {
          const [hostname, rank] = nameOf(o, e);
          return { receiver: forReceiver(o), hostname, rank };
        }),
      };
      templates.set(signature, t);
    }
    if (t.obs.length === 0) return;
    const sender = observationTarget(e, false);
    const receiver = t.obs.some((o) => o.receiver) ? observationTarget(e, true) : null;
    if (this.repeated(t.id, sender.mac) && (receiver === null || this.repeated(t.id, receiver.mac))) {
      // Without evidence, touch only records time, address and name: what apply would do here.
      const dhcp = e.type === 'dhcp' ? e : undefined;
      for (const o of t.obs) {
        const { mac, ip } = o.receiver ? receiver! : sender;
        this.touch(mac, e.ts, { ip: ip ?? undefined, hostname: o.hostname, rank: o.rank, dhcp });
      }
      return;
    }
    // The device state each observation reached (it may exist only now, created by this event).
    const reached = (built ?? observationsOf(e)).map((o) => {
      this.apply(o, e);
      return this.lookup(o.mac);
    });
    // A device has all the evidence these give only if every observation for it reached the same
    // state: with a tiny maxDevices, one end's device can be evicted and made again within the event.
    for (const end of receiver ? [false, true] : [false]) {
      const states = new Set(reached.filter((_, i) => t.obs[i].receiver === end));
      const [s] = states;
      if (states.size !== 1 || !s) continue;
      if (s.seenTemplates.size >= MAX_SEEN_OBSERVATIONS) s.seenTemplates.clear();
      s.seenTemplates.add(t.id);
    }
  }

  /** True if this MAC's device already had the template's observations matched, or it is no device (the router). */
  private repeated(id: number, mac: string | null): boolean {
    const s = this.lookup(mac);
    return s ? s.seenTemplates.has(id) : !this.accepts(mac);
  }

  /** Match an observation (unless this device already sent one with the same fields) and touch its device. */
  private apply(o: Observation, e: WaakhondEvent | null): void {
    const known = this.lookup(o.mac);
    // A MAC that can never be a device (router, ignored, group) gets nothing from the matcher.
    if (known === undefined && !this.accepts(o.mac)) return;
    let evidence: Evidence[] = [];
    if (known === undefined) {
      evidence = this.matchObservation(o);
    } else {
      const key = hash52(observationKey(o));
      if (!known.seen.has(key)) {
        evidence = this.matchObservation(o);
        if (known.seen.size >= MAX_SEEN_OBSERVATIONS) known.seen.clear();
        known.seen.add(key);
      }
    }
    const [hostname, rank] = nameOf(o, e);
    this.touch(o.mac, o.ts, { ip: o.ip ?? undefined, evidence, hostname, rank, dhcp: e?.type === 'dhcp' ? e : undefined });
  }

  /**
   * The fingerprint rules' evidence for o, plus a model code it names (a host name "HS110") when
   * models.yaml knows that product line: touch then adds what the line says (brand, kind).
   */
  private matchObservation(o: Observation): Evidence[] {
    const evidence: Evidence[] = this.know.matcher.match(o);
    for (const { field, code } of modelCodesOf(o)) {
      if (evidence.some((e) => e.model?.toLowerCase() === code.toLowerCase())) continue;
      const line = this.know.matcher.match({ kind: 'model', source: o.source, mac: o.mac, ip: null, ts: o.ts, fields: new Map([['model', [code]], ['vendor', ['']]]) });
      if (!line.length) continue;
      evidence.push({ source: o.source, detail: `${SOURCE_LABEL[o.source] ?? o.source} ${field.replace('_', ' ')} ${code} is a model code`, model: code, weight: MODEL_CODE_WEIGHT, ts: o.ts });
    }
    return evidence;
  }

  /** Whether touch would take this MAC as a device (not a group, ignored or router MAC). */
  private accepts(rawMac: string | null): boolean {
    const mac = normalizeMac(rawMac);
    return !!mac && !isNonDeviceMac(mac) && !this.ignore.has(mac) && !this.routers.has(mac);
  }

  private onDhcpReply(e: DhcpEvent): void {
    // RFC 2131 4.3.1: replies come from a DHCP server. In a home that is the router, but a plug or
    // camera in setup mode serves DHCP on its own access point too: evidence, not a verdict.
    const server = normalizeMac(e.src_mac);
    if (server && e.routers.includes(e.src_ip)) {
      this.touch(server, e.ts, { ip: e.src_ip, evidence: [{ source: 'dhcp', detail: `DHCP server, gateway ${e.src_ip}`, category: 'router', weight: 0.3, ts: e.ts }] });
    }
    if (e.message_type === 'ack' && e.yiaddr !== '0.0.0.0') this.touch(e.client_mac, e.ts, { ip: e.yiaddr, create: false });
  }

  /**
   * The home router forwards the Internet: packets from non-local addresses reach the LAN with its
   * MAC as source. Two distinct remote sources make it the router (not a device).
   */
  private onInbound(srcMac: string | null, srcIp: string, ts: number): void {
    const mac = normalizeMac(srcMac);
    if (!mac || this.routers.has(mac) || isNonDeviceMac(mac)) return;
    let seen = this.gatewayCandidates.get(mac);
    if (!seen) {
      if (this.gatewayCandidates.size >= 64) this.gatewayCandidates.clear();
      seen = new Set();
      this.gatewayCandidates.set(mac, seen);
    }
    seen.add(srcIp);
    if (seen.size >= 2) {
      this.gatewayCandidates.delete(mac);
      this.markRouter(mac, ts, undefined, seen);
    }
  }

  /**
   * The home's router: listed as a device (kind router), so analyze, the API, the store and MQTT show
   * the same set. Remote addresses it carried before it was recognised are taken off it.
   */
  private markRouter(mac: string | null, ts: number, ip?: string, remote?: Set<string>): void {
    const n = normalizeMac(mac);
    if (!n || this.routers.has(n) || isNonDeviceMac(n) || this.ignore.has(n)) return;
    const wasInbound = this.inbound;
    this.inbound = false;
    this.touch(n, ts, { ip, evidence: [{ source: ip ? 'ndp' : 'arp', detail: ip ? 'Sends IPv6 router advertisements' : 'Forwards traffic from the Internet (the home\'s gateway)', category: 'router', weight: 1, ts }] });
    this.inbound = wasInbound;
    if (this.routers.size < this.maxDevices) this.routers.add(n);
    const s = this.devices.get(n);
    if (!s) return;
    const d = s.device;
    d.router = true;
    if (remote) {
      for (const a of [...d.ips, ...d.ipv6]) if (remote.has(a)) this.releaseIp(s, a);
      d.ips = d.ips.filter((a) => !remote.has(a));
      d.ipv6 = d.ipv6.filter((a) => !remote.has(a));
    }
    this.reidentify(s);
    this.onChange?.(snapshot(d), 'changed');
  }

  /** A known device by MAC: event MACs are canonical already, so one Map look-up is the usual cost. */
  private lookup(rawMac: string | null): DeviceState | undefined {
    if (!rawMac) return undefined;
    const s = this.devices.get(rawMac);
    if (s) return s;
    const n = normalizeMac(rawMac);
    return n && n !== rawMac ? this.devices.get(n) : undefined;
  }

  /** Append a state at the newest end of the recency list. */
  private append(s: DeviceState): void {
    s.older = this.newest;
    s.newer = null;
    if (this.newest) this.newest.newer = s;
    else this.oldest = s;
    this.newest = s;
  }

  /** Take a state out of the recency list. */
  private unlink(s: DeviceState): void {
    if (s.older) s.older.newer = s.newer;
    else this.oldest = s.newer;
    if (s.newer) s.newer.older = s.older;
    else this.newest = s.older;
    s.older = s.newer = null;
  }

  /** Forget a device: out of the recency list and the map. */
  private remove(s: DeviceState): void {
    for (const ip of s.device.ips) this.releaseIp(s, ip);
    for (const ip of s.device.ipv6) this.releaseIp(s, ip);
    this.unlink(s);
    this.devices.delete(s.device.mac);
    this.behaviour.forget(s.device.mac);
  }

  /** Find or create the device for a MAC, record time, address, name and evidence; notify on change. */
  private touch(
    rawMac: string | null,
    ts: number,
    add: { ip?: string; hostname?: string | null; rank?: number; evidence?: Evidence[]; create?: boolean; dhcp?: DhcpEvent },
  ): void {
    // A device in the map already passed the checks below (touch is the only way in, and markRouter
    // removes a MAC it refuses later), so a hit skips normalising and the router/ignore/group tests.
    let s = this.lookup(rawMac);
    let change: InventoryChange | null = null;
    // The sensor's own addresses neither make a device nor move to one.
    if (add.ip !== undefined && this.ignoreIps.size && this.ignoreIps.has(add.ip.toLowerCase())) {
      if (!s) return;
      add = { ...add, ip: undefined };
    }
    // What the router forwards from the Internet is not the router speaking: only its time moves.
    if (s?.device.router && this.inbound) add = { create: false };
    if (!s) {
      if (add.create === false || !this.accepts(rawMac)) return;
      const mac = normalizeMac(rawMac)!;
      if (this.devices.size >= this.maxDevices) this.evictStalest();
      s = { device: newDevice(mac, ts), evidence: new Map(), nameRank: 0, syns: 0, seen: new Set(), seenTemplates: new Set(), older: null, newer: null };
      this.addOuiEvidence(s, ts);
      change = 'new';
      this.devices.set(mac, s);
      this.append(s);
    } else if (s !== this.newest) {
      // Most recently seen goes to the newest end (a no-op for runs of one device's events).
      this.unlink(s);
      this.append(s);
    }
    const d = s.device;
    const mac = d.mac;
    if (ts > d.last_seen) d.last_seen = ts;
    if (ts < d.first_seen) d.first_seen = ts;
    if (add.ip && this.bindIp(s, add.ip)) change ??= 'changed';
    if (add.hostname && (add.rank ?? 0) >= s.nameRank && d.hostname !== add.hostname) {
      d.hostname = add.hostname;
      s.nameRank = add.rank ?? 0;
      change ??= 'changed';
    }
    if (d.private_mac && this.group(s, add)) change ??= 'changed';
    let evChanged = false;
    const added = add.evidence;
    if (added === undefined || added.length === 0) {
      if (change === 'new' && this.reidentify(s)) change ??= 'changed';
      if (change) this.onChange?.(snapshot(d), change);
      return;
    }
    const evidence = [...added];
    for (const ev of added) {
      // Product-line knowledge: a model named by any evidence may say the category and the brand.
      if (ev.model && ev.source !== 'user') {
        evidence.push(...this.know.matcher.match({
          kind: 'model', source: ev.source, mac, ip: null, ts,
          fields: new Map([['model', [ev.model]], ['vendor', [ev.vendor ?? '']]]),
        }));
      }
    }
    for (const ev of evidence) {
      const key = `${(ev as { rule?: string }).rule ?? ev.detail}\u0000${ev.model ?? ''}`;
      if (s.evidence.has(key) || s.evidence.size >= MAX_EVIDENCE) continue;
      const { rule: _rule, ...plain } = ev as Evidence & { rule?: string };
      s.evidence.set(key, plain);
      evChanged = true;
    }
    if (evChanged || change === 'new') {
      if (this.reidentify(s)) change ??= 'changed';
    }
    if (change) this.onChange?.(snapshot(d), change);
  }

  private addOuiEvidence(s: DeviceState, ts: number): void {
    // Locally administered MACs are random: their first octets name no manufacturer (IEEE 802c).
    if (s.device.private_mac) return;
    const hit = ouiTable()?.lookup(s.device.mac);
    if (!hit) return;
    const v = this.know.vendors.fromOui(hit.name);
    s.evidence.set('oui', {
      source: 'oui',
      detail: `OUI ${hit.prefix} ${hit.name}${v.module_maker ? ' (Wi-Fi module maker)' : ''}`,
      vendor: v.vendor,
      weight: v.module_maker ? MODULE_OUI_WEIGHT : OUI_WEIGHT,
      ts,
    });
  }

  /**
   * Private (randomised) MACs of one phone or laptop: link devices that share a DHCP client id
   * (when it is not just the MAC), a hostname or an mDNS name. Returns true if links changed.
   */
  private group(s: DeviceState, add: { hostname?: string | null; dhcp?: DhcpEvent }): boolean {
    const keys: string[] = [];
    const cid = add.dhcp?.client_id?.toLowerCase();
    // RFC 2132 9.14: type 1 + the MAC is the default client id; anything else the device chose itself.
    if (cid && cid !== `01${s.device.mac.replace(/:/g, '')}`) keys.push(`cid:${cid}`);
    if (add.hostname) keys.push(`host:${add.hostname.toLowerCase()}`);
    let changed = false;
    for (const k of keys) {
      let set = this.groupKeys.get(k);
      if (!set) {
        if (this.groupKeys.size >= this.maxDevices * 2) continue;
        set = new Set();
        this.groupKeys.set(k, set);
      }
      if (set.size >= 16) continue;
      set.add(s.device.mac);
      for (const other of set) {
        if (other === s.device.mac) continue;
        const o = this.devices.get(other);
        if (!o) continue;
        changed = link(s.device, other) || changed;
        if (link(o.device, s.device.mac)) this.onChange?.(snapshot(o.device), 'changed');
      }
    }
    return changed;
  }

  /** Bind an address to this device, taking it from any other device that had it. */
  private bindIp(s: DeviceState, ip: string): boolean {
    const v6 = ip.includes(':');
    const list = v6 ? s.device.ipv6 : s.device.ips;
    if (list[0] === ip) return false;
    const had = list.indexOf(ip);
    if (had >= 0) { list.splice(had, 1); list.unshift(ip); return false; }
    // An address belongs to one device: the one that had it gives it up. bindIp is the only way an
    // address joins a list, so ipOwner knows that device (a scan of every device per new address made a
    // flood of spoofed MACs cost O(devices) a packet).
    const prev = this.ipOwner.get(ip);
    if (prev !== undefined && prev !== s) {
      const ol = v6 ? prev.device.ipv6 : prev.device.ips;
      const i = ol.indexOf(ip);
      if (i >= 0) ol.splice(i, 1);
    }
    this.ipOwner.set(ip, s);
    list.unshift(ip);
    while (list.length > MAX_IPS) this.releaseIp(s, list.pop()!);
    return true;
  }

  /** An address left a device's list: it no longer owns it. */
  private releaseIp(s: DeviceState, ip: string): void {
    if (this.ipOwner.get(ip) === s) this.ipOwner.delete(ip);
  }

  /** Recompute identity from evidence; true if anything a person sees changed. */
  private reidentify(s: DeviceState): boolean {
    return identify(s.device, [...s.evidence.values()], this.behaviour.isClient(s.device.mac), this.know.vendors);
  }

  /**
   * Every device with what its identity is computed from: its evidence as gathered (before forPeople
   * folds it) and whether it behaves as a general-purpose client. A sharded analysis merges these
   * (sensor/shard/merge.ts), oldest first like list().
   */
  records(): DeviceRecord[] {
    const out: DeviceRecord[] = [];
    for (let s = this.oldest; s; s = s.newer) {
      out.push({
        device: snapshot(s.device), evidence: [...s.evidence.values()].map((e) => ({ ...e })), keys: [...s.evidence.keys()],
        client: this.behaviour.isClient(s.device.mac),
      });
    }
    return out;
  }

  /**
   * One device seen by several shards: the first record (the shard that owns the MAC) with the others'
   * times, addresses, links and evidence added, and its identity computed again from all of it, as
   * reidentify does.
   */
  mergeRecords(parts: readonly DeviceRecord[]): Device {
    const d = snapshot(parts[0].device);
    const evidence = new Map<string, Evidence>();
    let client = false;
    for (const r of parts) {
      const o = r.device;
      if (o.first_seen < d.first_seen) d.first_seen = o.first_seen;
      if (o.last_seen > d.last_seen) d.last_seen = o.last_seen;
      if (o.router) d.router = true;
      d.hostname ??= o.hostname;
      for (const ip of o.ips) if (!d.ips.includes(ip) && d.ips.length < MAX_IPS) d.ips.push(ip);
      for (const ip of o.ipv6) if (!d.ipv6.includes(ip) && d.ipv6.length < MAX_IPS) d.ipv6.push(ip);
      for (const m of o.same_device_as ?? []) link(d, m);
      for (let i = 0; i < r.evidence.length; i++) {
        const e = r.evidence[i];
        // touch()'s own key (rule or detail, and model): two rules that matched one observation stay two.
        const key = r.keys[i];
        const had = evidence.get(key);
        // The same observation in two shards: it was first made at the earlier time.
        if (had === undefined) { if (evidence.size < MAX_EVIDENCE) evidence.set(key, e); }
        else if (e.ts !== undefined && (had.ts === undefined || e.ts < had.ts)) evidence.set(key, { ...had, ts: e.ts });
      }
      client ||= r.client;
    }
    identify(d, [...evidence.values()], client, this.know.vendors);
    return d;
  }

  private evictStalest(): void {
    const s = this.oldest;
    if (!s) return;
    const mac = s.device.mac;
    this.remove(s);
    for (const [k, set] of this.groupKeys) {
      set.delete(mac);
      if (!set.size) this.groupKeys.delete(k);
    }
    this.evictedCount++;
    this.onChange?.(snapshot(s.device), 'evicted');
  }
}

/** What a shard knows of one device (Inventory.records). */
export interface DeviceRecord {
  device: Device;
  evidence: Evidence[];
  /** The key each evidence has in the device's table (see touch): what makes two of them the same. */
  keys: string[];
  client: boolean;
}

/** Identity from evidence, written into the device; true if anything a person sees changed. */
function identify(d: Device, evidence: Evidence[], client: boolean, vendors: VendorIndex): boolean {
  const id = resolveIdentity(client ? evidence.map(asClientsApp) : evidence, d.private_mac, vendors);
  // The gateway is a router whatever else its evidence says (a FRITZ!Box also serves media and phones).
  if (d.router && id.category !== 'router') { id.category = 'router'; id.name = friendlyName(id.vendor, id.model, 'router', d.private_mac); }
  const before = `${d.vendor}|${d.model}|${d.category}|${d.name}|${d.confidence}|${d.evidence.length}`;
  d.vendor = id.vendor;
  d.model = id.model;
  d.category = id.category;
  d.name = id.name;
  d.confidence = id.confidence;
  d.evidence = forPeople(evidence);
  return before !== `${d.vendor}|${d.model}|${d.category}|${d.name}|${d.confidence}|${d.evidence.length}`;
}

/**
 * The evidence list people read: rules that matched the same observation become one line with all
 * they concluded (the heaviest weight kept), strongest first. Identity is computed from the full list.
 */
function forPeople(evidence: Evidence[]): Evidence[] {
  const byDetail = new Map<string, Evidence>();
  for (const e of evidence) {
    const m = byDetail.get(e.detail);
    if (!m) { byDetail.set(e.detail, { ...e }); continue; }
    if (e.vendor && !m.vendor) m.vendor = e.vendor;
    if (e.model && (!m.model || (e.weight ?? 0) > (m.weight ?? 0))) m.model = e.model;
    if (e.category && !m.category) m.category = e.category;
    m.weight = Math.max(m.weight ?? 0, e.weight ?? 0);
    if (e.ts !== undefined && (m.ts === undefined || e.ts < m.ts)) m.ts = e.ts;
  }
  return [...byDetail.values()].sort((a, b) => (b.weight ?? 0) - (a.weight ?? 0));
}

/** The name an observation gives its device, and the rank of that source (0: none). */
function nameOf(o: Observation, e: WaakhondEvent | null): [string | null, number] {
  if (e?.type === 'dhcp') return [clean(e.hostname ?? e.fqdn?.split('.')[0]), NAME_RANK.dhcp];
  if (o.kind === 'mdns') return [clean(o.fields.get('host')?.[0]), NAME_RANK.mdns];
  if (o.kind === 'netbios') return [clean(o.fields.get('name')?.[0]), NAME_RANK.netbios];
  return [null, 0];
}

function link(d: Device, other: string): boolean {
  const list = (d.same_device_as ??= []);
  if (list.includes(other) || list.length >= 16) return false;
  list.push(other);
  return true;
}

function newDevice(mac: string, ts: number): Device {
  return {
    mac, ips: [], ipv6: [], vendor: null, model: null, category: 'other', name: null, hostname: null,
    confidence: 0, evidence: [], first_seen: ts, last_seen: ts, private_mac: isLocallyAdministered(mac),
  };
}

/** A copy callers may keep or change without touching the inventory. */
function snapshot(d: Device): Device {
  const c: Device = { ...d, ips: [...d.ips], ipv6: [...d.ipv6], evidence: d.evidence.map((e) => ({ ...e })) };
  if (d.same_device_as) c.same_device_as = [...d.same_device_as];
  return c;
}

/** Bound and strip control characters from a name that came from the network. */
export function clean(s: string | null | undefined): string | null {
  if (!s) return null;
  // Controls and invisible format characters (bidi overrides...): names the household reads (bytes.ts).
  const t = stripInvisible(s).trim().slice(0, MAX_TEXT);
  // A name with no letter or digit ("*", NetBIOS wildcards) names nothing.
  return t && /[\p{L}\p{N}]/u.test(t) ? t : null;
}

/**
 * A general-purpose client's look-ups of vendor clouds (DNS names, TLS server names) are mostly its apps':
 * they keep a quarter of their weight, so the device's own evidence (DHCP, mDNS, its MAC) decides.
 */
const CLIENT_CLOUD_SHARE = 0.25;

function asClientsApp(e: Evidence): Evidence {
  if ((e.source !== 'dns' && e.source !== 'tls') || e.detail.startsWith(CLIENT_DETAIL) || !e.weight) return e;
  return { ...e, weight: e.weight * CLIENT_CLOUD_SHARE };
}
