// Event -> observation: the named fields of one event that fingerprint rules match against.
import type { DhcpEvent, DiscoveryEvent, DnsEvent, TcpSynEvent, WaakhondEvent } from '../events.js';
import type { EvidenceSource } from './types.js';
import type { RuleKind } from './fingerprints.js';

export interface Observation {
  kind: RuleKind;
  /** Evidence source shown to people (a dns-kind rule may match a TLS SNI or an HTTP Host). */
  source: EvidenceSource;
  /** The MAC this observation speaks for. */
  mac: string | null;
  ip: string | null;
  ts: number;
  /** Shown instead of the source's name at the start of evidence lines ("Edimax discovery reply (UDP 20560):"). */
  label?: string;
  /** Field -> values; mDNS TXT keys appear as "txt.KEY" (lower-case key) and raw strings as "txt". */
  fields: Map<string, string[]>;
}

/** Bounds: hostile packets must not make the matcher do unbounded work. */
const MAX_VALUES = 32;
const MAX_VALUE_LEN = 200;

function add(fields: Map<string, string[]>, k: string, v: string | null | undefined): void {
  if (v == null) return;
  const t = v.slice(0, MAX_VALUE_LEN).trim();
  if (!t) return;
  const list = fields.get(k);
  if (!list) fields.set(k, [t]);
  else if (list.length < MAX_VALUES && !list.includes(t)) list.push(t);
}

/** A LAN sender: only then does an event speak for its source MAC (inbound packets carry the router's MAC). */
function fromLan(e: { direction: string }): boolean {
  return e.direction === 'outbound' || e.direction === 'internal';
}

export function observationsOf(e: WaakhondEvent): Observation[] {
  switch (e.type) {
    case 'dhcp': return e.op === 'request' ? [dhcpObs(e)] : [];
    case 'dns': return fromLan(e) ? dnsObs(e) : [];
    case 'ssdp': {
      if (!fromLan(e)) return [];
      const f = new Map<string, string[]>();
      add(f, 'server', e.server);
      add(f, 'user_agent', e.user_agent);
      if (e.method === 'M-SEARCH') add(f, 'search', e.st);
      else add(f, 'st', e.st ?? e.nt);
      add(f, 'usn', e.usn);
      add(f, 'location', e.location);
      for (const [k, v] of Object.entries(e.headers)) add(f, 'header', `${k}: ${v}`);
      return [{ kind: 'ssdp', source: 'ssdp', mac: e.src_mac, ip: e.src_ip, ts: e.ts, fields: f }];
    }
    case 'tls_client_hello':
      if (!fromLan(e) || !e.sni) return [];
      return [{ kind: 'dns', source: 'tls', mac: e.src_mac, ip: e.src_ip, ts: e.ts, fields: new Map([['domain', [e.sni.toLowerCase()]]]) }];
    case 'http_request': {
      if (!fromLan(e)) return [];
      const out: Observation[] = [];
      if (e.user_agent) out.push({ kind: 'http', source: 'http', mac: e.src_mac, ip: e.src_ip, ts: e.ts, fields: new Map([['user_agent', [e.user_agent.slice(0, MAX_VALUE_LEN)]]]) });
      if (e.direction === 'internal' && e.dst_mac) {
        // A LAN client (the phone's app) calling the device's own API says what the device is.
        const f = new Map<string, string[]>();
        add(f, 'uri', e.uri);
        add(f, 'path', e.uri.split('?')[0]);
        add(f, 'port', String(e.dst_port));
        add(f, 'method', e.method);
        out.push({ kind: 'http_api', source: 'http', mac: e.dst_mac, ip: e.dst_ip, ts: e.ts, fields: f });
      }
      const host = e.host?.replace(/:\d+$/, '').toLowerCase();
      if (host && !/^[\d.]+$/.test(host)) out.push({ kind: 'dns', source: 'http', mac: e.src_mac, ip: e.src_ip, ts: e.ts, fields: new Map([['domain', [host]]]) });
      return out;
    }
    case 'http_response':
      // A Server header speaks for the device only when the device answered (it is the LAN sender).
      if (!fromLan(e) || !e.server) return [];
      return [{ kind: 'http', source: 'http', mac: e.src_mac, ip: e.src_ip, ts: e.ts, fields: new Map([['server', [e.server.slice(0, MAX_VALUE_LEN)]]]) }];
    case 'netbios':
      if (!fromLan(e) || e.kind === 'query') return [];
      return [{ kind: 'netbios', source: 'netbios', mac: e.src_mac, ip: e.src_ip, ts: e.ts, fields: new Map([['name', [e.name]]]) }];
    case 'discovery': {
      // A device's reply to a vendor's discovery probe names its own vendor and model (probes name none).
      if (!fromLan(e) || e.kind !== 'reply') return [];
      const f = new Map<string, string[]>();
      add(f, 'protocol', e.protocol);
      add(f, 'vendor', e.vendor);
      add(f, 'model', e.model);
      add(f, 'firmware', e.firmware);
      add(f, 'name', e.name);
      return [{ kind: 'discovery', source: 'discovery', label: discoveryLabel(e), mac: e.src_mac, ip: e.src_ip, ts: e.ts, fields: f }];
    }
    case 'tcp_syn':
      if (!fromLan(e)) return [];
      return [{
        kind: 'tcp', source: 'tcp', mac: e.src_mac, ip: e.src_ip, ts: e.ts,
        fields: new Map([['syn', [`ttl=${e.ttl} win=${e.window} optlen=${e.options_length}`]]]),
      }];
    default:
      return [];
  }
}

/** "Edimax discovery reply (UDP 20560, firmware 1.09):": the protocol, the port the device answered from, its firmware. */
function discoveryLabel(e: DiscoveryEvent): string {
  const proto = e.protocol.slice(0, 1).toUpperCase() + e.protocol.slice(1, 40);
  const fw = e.firmware ? `, firmware ${e.firmware.slice(0, 40)}` : '';
  return `${proto} discovery reply (UDP ${e.src_port}${fw}):`;
}

/** Where a signature is written: as text (SignatureText), or hashed as it is made (Hash52, sensor/hash.ts). */
export interface SignatureSink {
  text(s: string): void;
  /** A non-negative integer, as its decimal digits. */
  digits(n: number): void;
}

/** A signature as text. */
export class SignatureText implements SignatureSink {
  s = '';
  text(s: string): void {
    this.s += s;
  }
  digits(n: number): void {
    this.s += String(n);
  }
}

/** One string value, length-prefixed so that no text (hostile names included) can fake a boundary; null/undefined -> "-". */
function sig(out: SignatureSink, v: string | null | undefined): void {
  if (v == null) { out.text('-'); return; }
  out.digits(v.length);
  out.text(':');
  out.text(v);
}

/**
 * Everything observationsOf(e) reads apart from the MACs, addresses and the time, as one string; null
 * for events that give no observations anyway. Equal signatures give equal observations (fields, kinds,
 * and which end each speaks for, see observationTarget): a device that sends the same mDNS announcement
 * or DNS query again need not have it rebuilt and matched again.
 */
export function observationSignature(e: WaakhondEvent): string | null {
  const t = new SignatureText();
  return writeSignature(e, t) ? t.s : null;
}

/**
 * observationSignature(e) written into a sink; false where the signature is null. The inventory hashes
 * it as it is written (no string per event: an mDNS announcement's was ~500 bytes).
 * Keep in step with observationsOf: a field read there and missing here would make two events share one.
 */
export function writeSignature(e: WaakhondEvent, out: SignatureSink): boolean {
  switch (e.type) {
    case 'dhcp':
      if (e.op !== 'request') return false;
      out.text('dhcp|');
      sig(out, e.hostname); sig(out, e.vendor_class); sig(out, e.param_list?.join(',')); sig(out, e.fqdn);
      return true;
    case 'dns': {
      if (!fromLan(e) || (!e.mdns && (e.response || e.llmnr))) return false;
      // Only what dnsObs reads: a query's names (and types, for mDNS browsing); of the records, PTR
      // targets, SRV targets, TXT strings and the names of A/AAAA (addresses and other types unread).
      out.text(e.mdns ? 'mdns|' : 'dns|');
      out.text(e.response ? 'r' : 'q');
      out.digits(e.questions.length);
      out.text('|');
      for (const q of e.questions) {
        sig(out, q.name);
        if (e.mdns) sig(out, q.type);
      }
      if (!e.mdns) return true;
      for (const r of e.answers) {
        switch (r.type) {
          case 'PTR': out.text('P'); sig(out, r.name); sig(out, r.data); break;
          case 'SRV': out.text('S'); sig(out, r.name); sig(out, r.srv?.target); break;
          case 'A': case 'AAAA': out.text('A'); sig(out, r.name); break;
          case 'TXT':
            out.text('T'); sig(out, r.name); out.digits(r.txt?.length ?? 0); out.text('|');
            for (const t of r.txt ?? []) sig(out, t);
            break;
        }
      }
      return true;
    }
    case 'ssdp': {
      if (!fromLan(e)) return false;
      out.text('ssdp|');
      sig(out, e.method); sig(out, e.server); sig(out, e.user_agent); sig(out, e.st); sig(out, e.nt); sig(out, e.usn); sig(out, e.location);
      for (const [h, v] of Object.entries(e.headers)) { sig(out, h); sig(out, v); }
      return true;
    }
    case 'tls_client_hello':
      if (!fromLan(e) || !e.sni) return false;
      out.text('tls|'); out.text(e.sni);
      return true;
    case 'http_request':
      if (!fromLan(e)) return false;
      // A LAN client calling a device's API also speaks for the device called (http_api).
      if (e.direction === 'internal' && e.dst_mac) {
        out.text('http|api|'); sig(out, e.user_agent); sig(out, e.host); sig(out, e.uri); sig(out, e.method); out.digits(e.dst_port);
        return true;
      }
      out.text('http|-|'); sig(out, e.user_agent); sig(out, e.host);
      return true;
    case 'http_response':
      if (!fromLan(e) || !e.server) return false;
      out.text('server|'); out.text(e.server);
      return true;
    case 'netbios':
      if (!fromLan(e) || e.kind === 'query') return false;
      out.text('netbios|'); out.text(e.name);
      return true;
    case 'discovery':
      if (!fromLan(e) || e.kind !== 'reply') return false;
      out.text('discovery|');
      sig(out, discoveryLabel(e)); sig(out, e.protocol); sig(out, e.vendor); sig(out, e.model); sig(out, e.firmware); sig(out, e.name);
      return true;
    case 'tcp_syn':
      if (!fromLan(e)) return false;
      out.text('syn|'); out.digits(e.ttl); out.text(','); out.digits(e.window); out.text(','); out.digits(e.options_length);
      return true;
    default:
      return false;
  }
}

/**
 * The two commonest signed events keyed without building a string: a SYN from the LAN by its stack
 * traits as one number (ttl < 2^8, window < 2^16, options length < 2^8: the fields its signature
 * "syn|ttl,window,optlen" holds), and a one-question unicast DNS query by its name alone (the only
 * thing its signature "dns|q1|<name>" holds; the caller keeps these in a table of their own, so a name
 * cannot meet another kind's signature). undefined: no quick key, use observationSignature.
 */
export function synSignature(e: TcpSynEvent): number | null | undefined {
  if (!fromLan(e)) return null;
  if (e.ttl > 255 || e.window > 65535 || e.options_length > 255) return undefined;
  return e.ttl * 16777216 + e.window * 256 + e.options_length;
}

export function dnsQuerySignature(e: DnsEvent): string | undefined {
  return !e.mdns && !e.response && !e.llmnr && e.questions.length === 1 && fromLan(e) ? e.questions[0].name : undefined;
}

/** Whether an observation speaks for the device an event was sent to (http_api) rather than its sender. */
export function forReceiver(o: Observation): boolean {
  return o.kind === 'http_api';
}

/** The MAC and address an observation of e speaks for (as observationsOf sets them), by forReceiver. */
export function observationTarget(e: WaakhondEvent, receiver: boolean): { mac: string | null; ip: string | null } {
  if (e.type === 'dhcp') return { mac: e.client_mac, ip: e.ciaddr !== '0.0.0.0' ? e.ciaddr : null };
  if (!('src_mac' in e)) return { mac: null, ip: null };
  return receiver ? { mac: e.dst_mac, ip: e.dst_ip } : { mac: e.src_mac, ip: e.src_ip };
}

function dhcpObs(e: DhcpEvent): Observation {
  const f = new Map<string, string[]>();
  add(f, 'hostname', e.hostname);
  add(f, 'vendor_class', e.vendor_class);
  if (e.param_list) add(f, 'param_list', e.param_list.join(','));
  add(f, 'fqdn', e.fqdn);
  return { kind: 'dhcp', source: 'dhcp', mac: e.client_mac, ip: e.ciaddr !== '0.0.0.0' ? e.ciaddr : null, ts: e.ts, fields: f };
}

/** "Name._svc._tcp.local" -> ["Name", "_svc._tcp"]; service-only names give ["", "_svc._tcp"]. */
export function splitServiceName(name: string): [string, string] | null {
  const m = /^(?:(.*)\.)?(_[^.]+\._(?:tcp|udp))\.local\.?$/i.exec(name);
  if (!m) return null;
  return [m[1] ?? '', m[2].toLowerCase()];
}

function dnsObs(e: DnsEvent): Observation[] {
  if (!e.mdns) {
    // Unicast DNS: the names a device looks up (its clouds). Responses come from the resolver: skip.
    if (e.response || e.llmnr) return [];
    const f = new Map<string, string[]>();
    for (const q of e.questions) if (!/\.(arpa|local)\.?$/i.test(q.name)) add(f, 'domain', q.name.toLowerCase().replace(/\.$/, ''));
    return f.size ? [{ kind: 'dns', source: 'dns', mac: e.src_mac, ip: e.src_ip, ts: e.ts, fields: f }] : [];
  }
  const f = new Map<string, string[]>();
  if (!e.response) {
    // mDNS queries say what a device looks for (a phone asks for _googlecast, _airplay): weaker, kept apart.
    for (const q of e.questions) {
      // Browsing is a PTR question for a bare service type. A question of type ANY for "Name._svc._tcp"
      // is the device probing its own instance name (RFC 6762 8.1: probes use QTYPE ANY), which says what
      // it offers; SRV/TXT questions for an instance resolve someone else's (Chrome on a Mac asking for a
      // Chromecast's TXT record is no Chromecast).
      const s = splitServiceName(q.name);
      if (s && !s[0] && q.type === 'PTR') add(f, 'query', s[1]);
      else if (s && s[0] && q.type === 'ANY') { add(f, 'service', s[1]); add(f, 'instance', s[0]); }
    }
  }
  for (const r of e.answers) {
    const own = splitServiceName(r.name);
    if (r.type === 'PTR') {
      if (/^_services\._dns-sd\._udp\.local\.?$/i.test(r.name)) {
        const s = splitServiceName(r.data);
        if (s) add(f, 'service', s[1]);
        continue;
      }
      const inst = splitServiceName(r.data);
      if (own && inst) {
        add(f, 'service', inst[1]);
        if (inst[0]) add(f, 'instance', inst[0]);
      }
    } else if (r.type === 'SRV') {
      if (own) {
        add(f, 'service', own[1]);
        if (own[0]) add(f, 'instance', own[0]);
      }
      if (r.srv?.target) add(f, 'host', r.srv.target.replace(/\.local\.?$/i, ''));
    } else if (r.type === 'TXT') {
      if (own) {
        add(f, 'service', own[1]);
        if (own[0]) add(f, 'instance', own[0]);
      }
      for (const t of r.txt ?? []) {
        add(f, 'txt', t);
        const eq = t.indexOf('=');
        if (eq > 0) add(f, `txt.${t.slice(0, eq).toLowerCase()}`, t.slice(eq + 1));
      }
    } else if ((r.type === 'A' || r.type === 'AAAA') && /\.local\.?$/i.test(r.name)) {
      add(f, 'host', r.name.replace(/\.local\.?$/i, ''));
    }
  }
  return f.size ? [{ kind: 'mdns', source: 'mdns', mac: e.src_mac, ip: e.src_ip, ts: e.ts, fields: f }] : [];
}

/**
 * A name that is a bare product code ("HS110", "DCS-930L", "HWE-P1"): letters, an optional dash, digits,
 * a short suffix. Vendors ship devices with their model as the default host name; such a code becomes
 * the model only when models.yaml knows its product line (inventory.ts checks that).
 */
const MODEL_CODE = /^(?=.*\d)[A-Za-z]{1,6}(-?[A-Za-z]{0,4})-?\d{1,5}[A-Za-z]{0,4}(-[A-Za-z0-9]{1,4})?$/;

/** Fields whose value (or, for SSDP SERVER, one of its product tokens) may be a bare model code. */
const CODE_FIELDS: Partial<Record<string, string[]>> = {
  dhcp: ['hostname'], mdns: ['host'], netbios: ['name'], ssdp: ['server'], upnp: ['model_name', 'model_number'],
};

/** Candidate model codes in an observation, with the field each came from (bounded: 4). */
export function modelCodesOf(o: Observation): { field: string; code: string }[] {
  const out: { field: string; code: string }[] = [];
  for (const field of CODE_FIELDS[o.kind] ?? []) {
    for (const v of o.fields.get(field) ?? []) {
      // SSDP SERVER is "OS/version UPnP/1.0 product/version" (UDA 2.0 1.1.2): the product tokens.
      const tokens = field === 'server' ? v.split(/[\s/]+/) : [v];
      for (const t of tokens) {
        if (t.length >= 3 && t.length <= 24 && MODEL_CODE.test(t) && !out.some((c) => c.code === t)) out.push({ field, code: t });
        if (out.length >= 4) return out;
      }
    }
  }
  return out;
}
