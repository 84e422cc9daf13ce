// Home Assistant's discovery matchers (fingerprints/generated/ha-tables.jsonl) as indexed look-ups: an observation in, evidence lines out.
//
// The data is Home Assistant's dhcp/zeroconf/ssdp tables (Apache-2.0, see generated/NOTICE), imported by
// firmware-scripts/ha-import/import.mjs with a curated brand and kind per integration. Matching follows
// Home Assistant's own rules (homeassistant/components/{dhcp,zeroconf,ssdp}): fnmatch-style globs on the
// lower-cased DHCP host name and upper-case MAC without separators, on the full mDNS service name and
// TXT values, and a HomeKit `md` model by exact name or its part before the first space or hyphen.
// Several hundred globs are never tried one by one: DHCP is indexed by the MAC's first three octets and
// the host name's first character, zeroconf by service type, HomeKit by model, SSDP by ST and manufacturer;
// a glob becomes a RegExp the first time its bucket is looked at.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CATEGORIES, type Category } from './types.js';
import { Matcher, type Match } from './match.js';
import type { Fingerprints, Rule } from './fingerprints.js';
import type { Observation } from './observe.js';

export const HA_FORMAT = 'waakhond.ha-tables/1';
export const HA_FILE = path.join('generated', 'ha-tables.jsonl');

/**
 * Weights: below the hand-written rules (~0.9 for a model, 0.6-0.7 for a brand's own service: at most
 * 0.55 here) and above the OUI (0.35): Home Assistant's matchers name an integration, often from a generic clue.
 */
export const HA_WEIGHT = {
  dhcpHostAndMac: 0.55,
  dhcpHost: 0.45,
  /** A host-name glob with under 5 literal leading characters ("hs*", "ps5-*") is a weaker clue. */
  dhcpShortHost: 0.4,
  /** A MAC prefix alone: Home Assistant's list of a brand's prefixes, just above the OUI's own 0.35. */
  dhcpMac: 0.4,
  zeroconfType: 0.5,
  zeroconfNamed: 0.55,
  homekit: 0.55,
  ssdpSt: 0.45,
  upnp: 0.55,
  /** A protocol integration (UPnP IGD, IPP, DLNA) says a kind and no brand. */
  generic: 0.3,
} as const;

/**
 * Kinds named in the data that this build's CATEGORIES may not have yet (issue #12 adds them): the
 * nearest existing category until then; lock has none and is left out (brand only).
 */
export const HA_KIND_FALLBACK: Record<string, Category | null> = {
  doorbell: 'camera', tv: 'media', 'game-console': 'media', 'voice-assistant': 'speaker', vacuum: 'appliance',
  thermostat: 'appliance', energy: 'sensor', lock: null,
};

/** Text from the data file (trusted, but checked) becomes at most this long in evidence. */
const MAX_DETAIL = 240;
/** Bound on the candidate mDNS names built from one observation (instances x services). */
const MAX_NAMES = 64;

interface Meaning {
  domain: string;
  brand: string | null;
  kind: Category | null;
}

/** Globs compiled so far in this process (the index test shows a look-up compiles only its bucket). */
let compiledGlobs = 0;
export function compiledGlobCount(): number {
  return compiledGlobs;
}

/** A glob compiled on first use (most buckets are never looked at in one home). */
class Glob {
  private re: RegExp | null = null;
  constructor(readonly text: string) {}
  test(s: string): boolean {
    if (!this.re) {
      this.re = globToRegExp(this.text);
      compiledGlobs++;
    }
    return this.re.test(s);
  }
  /** Leading characters before the first wildcard or set. */
  get literalPrefix(): string {
    const m = /^[^*?[]*/.exec(this.text);
    return m ? m[0] : '';
  }
}

/**
 * Python fnmatch.translate's language, case-insensitive: * ? [set] [!set]; every other character is
 * literal (so "(balay|bosch)-*" matches only those parentheses, as in Home Assistant). A "[" without
 * its "]" is a literal, and "]" first in a set is a member.
 */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') out += '[\\s\\S]*';
    else if (c === '?') out += '[\\s\\S]';
    else if (c === '[') {
      let j = i + 1;
      if (glob[j] === '!') j++;
      if (glob[j] === ']') j++;
      while (j < glob.length && glob[j] !== ']') j++;
      if (j >= glob.length) { out += '\\['; continue; }
      let body = glob.slice(i + 1, j);
      const neg = body.startsWith('!');
      if (neg) body = body.slice(1);
      out += `[${neg ? '^' : ''}${body.replace(/[\\\]^]/g, (x) => `\\${x}`)}]`;
      i = j;
    } else out += c.replace(/[.*+?^${}()|[\]\\/-]/g, (x) => `\\${x}`);
  }
  return new RegExp(`^(?:${out})$`, 'is');
}

interface DhcpM { id: string; m: Meaning; host: Glob | null; mac: string | null }
interface ZeroconfM { id: string; m: Meaning; type: string; name: Glob | null; props: [string, Glob][] }
interface HomekitM { id: string; m: Meaning; model: string }
interface SsdpM { id: string; m: Meaning; fields: [string, Glob][] }

/** Home Assistant's SSDP description keys -> the upnp observation's field names (observe.ts, UpnpDescription). */
const UPNP_FIELD: Record<string, string> = {
  manufacturer: 'manufacturer', manufacturerURL: 'manufacturer_url', modelName: 'model_name', modelNumber: 'model_number',
  modelDescription: 'model_description', deviceType: 'device_type', friendlyName: 'friendly_name',
};
const LABEL: Record<string, string> = {
  manufacturer: 'manufacturer', manufacturerURL: 'manufacturerURL', modelName: 'modelName', modelNumber: 'modelNumber',
  modelDescription: 'modelDescription', deviceType: 'deviceType', friendlyName: 'friendlyName', st: 'NT/ST', nt: 'NT/ST',
};

export interface HaStats {
  /** Matchers usable on passive observations, per table. */
  loaded: Record<string, number>;
  /** Matchers not used, with why (registered_devices needs HA's own device registry; an SSDP matcher that needs headers and a description at once). */
  skipped: Record<string, number>;
}

export class HaTables {
  readonly sources: { table: string; repo: string; path: string; commit: string }[] = [];
  readonly stats: HaStats = { loaded: {}, skipped: {} };
  readonly errors: string[] = [];
  private readonly dhcpByOui = new Map<string, DhcpM[]>();
  /** MAC globs shorter than an OUI ("09E29*"): few, tried by prefix. */
  private readonly dhcpShortMac: DhcpM[] = [];
  private readonly dhcpByHostChar = new Map<string, DhcpM[]>();
  private readonly dhcpHostWild: DhcpM[] = [];
  private readonly zeroconfByType = new Map<string, ZeroconfM[]>();
  private readonly homekitByModel = new Map<string, HomekitM>();
  private readonly homekitGlobs: [Glob, HomekitM][] = [];
  private readonly ssdpBySt = new Map<string, SsdpM[]>();
  /** NT/ST globs (none in today's tables: every ST there is literal). */
  private readonly ssdpStGlobs: SsdpM[] = [];
  private readonly upnpByManufacturer = new Map<string, SsdpM[]>();
  private readonly upnpOther: SsdpM[] = [];

  /** Parse the JSON-lines text; a bad line is refused (listed in errors) and the rest load. */
  constructor(text: string) {
    const lines = text.split('\n');
    const head = parseHead(lines[0]);
    if (!head || head.format !== HA_FORMAT) {
      this.errors.push(`line 1: not ${HA_FORMAT}`);
      return;
    }
    if (Array.isArray(head.sources)) this.sources = head.sources as HaTables['sources'];
    const meanings = new Map<string, Meaning>();
    for (let i = 1; i < lines.length; i++) {
      if (!lines[i]) continue;
      let row: unknown;
      try { row = JSON.parse(lines[i]); } catch { this.errors.push(`line ${i + 1}: not JSON`); continue; }
      const why = this.add(row, i + 1, meanings);
      if (why) this.errors.push(`line ${i + 1}: ${why}`);
    }
  }

  private count(which: 'loaded' | 'skipped', k: string): void {
    this.stats[which][k] = (this.stats[which][k] ?? 0) + 1;
  }

  /** One data row into the indexes; returns why it was refused, or null. */
  private add(row: unknown, line: number, meanings: Map<string, Meaning>): string | null {
    if (!Array.isArray(row) || typeof row[0] !== 'string') return 'not a row';
    const s = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 200;
    if (row[0] === 'domain') {
      const [, d, brand, kind] = row as unknown[];
      if (!s(d) || (brand !== null && !s(brand)) || (kind !== null && !s(kind))) return 'bad domain row';
      meanings.set(d, { domain: d, brand: brand as string | null, kind: category(kind as string | null) });
      return null;
    }
    const d = row[2];
    const base = s(d) ? meanings.get(d) : undefined;
    if (!base) return `unknown domain ${String(d)}`;
    const id = `ha.${row[0]}.${line}`;
    const withKind = (k: unknown): Meaning => (s(k) ? { ...base, kind: category(k) } : base);
    const kindAt = { dhcp: 6, zeroconf: 6, homekit: 4 }[row[0] as string];
    if (kindAt !== undefined && row[kindAt] !== null && !s(row[kindAt])) return `bad kind in ${row[0] as string} row`;
    switch (row[0]) {
      case 'dhcp': {
        const [, , , host, mac, registered, kind] = row as unknown[];
        if ((host !== null && !s(host)) || (mac !== null && !(s(mac) && /^[0-9A-F]{1,12}\*?$/.test(mac)))) return 'bad dhcp row';
        if (!host && !mac) { this.count('skipped', registered ? 'dhcp registered_devices' : 'dhcp empty'); return null; }
        const m = withKind(kind);
        if (!m.brand && !m.kind) { this.count('skipped', 'no brand or kind'); return null; }
        const e: DhcpM = { id, m, host: host ? new Glob(host as string) : null, mac: mac as string | null };
        const hex = e.mac?.replace(/\*$/, '') ?? '';
        if (e.mac && hex.length >= 6) push(this.dhcpByOui, hex.slice(0, 6), e);
        else if (e.mac) this.dhcpShortMac.push(e);
        else {
          const first = e.host!.literalPrefix.slice(0, 1).toLowerCase();
          if (first) push(this.dhcpByHostChar, first, e);
          else this.dhcpHostWild.push(e);
        }
        this.count('loaded', 'dhcp');
        return null;
      }
      case 'zeroconf': {
        const [, , , type, name, props, kind] = row as unknown[];
        if (!s(type) || (name !== null && !s(name)) || (props !== null && (typeof props !== 'object' || Array.isArray(props)))) return 'bad zeroconf row';
        const m = withKind(kind);
        if (!m.brand && !m.kind) { this.count('skipped', 'no brand or kind'); return null; }
        const p: [string, Glob][] = [];
        for (const [k, v] of Object.entries((props ?? {}) as Record<string, unknown>)) {
          if (!s(v)) return 'bad zeroconf property';
          p.push([k.toLowerCase(), new Glob(v)]);
        }
        const t = type.toLowerCase().replace(/\.local\.?$/, '');
        push(this.zeroconfByType, t, { id, m, type: t, name: name ? new Glob(name as string) : null, props: p });
        this.count('loaded', 'zeroconf');
        return null;
      }
      case 'homekit': {
        const [, , , model, kind] = row as unknown[];
        if (!s(model)) return 'bad homekit row';
        const m = withKind(kind);
        if (!m.brand && !m.kind) { this.count('skipped', 'no brand or kind'); return null; }
        const e: HomekitM = { id, m, model };
        if (/[*?[]/.test(model)) this.homekitGlobs.push([new Glob(model), e]);
        else this.homekitByModel.set(model, e);
        this.count('loaded', 'homekit');
        return null;
      }
      case 'ssdp': {
        const [, , , fields] = row as unknown[];
        if (!fields || typeof fields !== 'object' || Array.isArray(fields)) return 'bad ssdp row';
        if (!base.brand && !base.kind) { this.count('skipped', 'no brand or kind'); return null; }
        const f = Object.entries(fields as Record<string, unknown>);
        if (!f.every(([, v]) => s(v))) return 'bad ssdp field';
        const header = f.filter(([k]) => k === 'st' || k === 'nt');
        const desc = f.filter(([k]) => k !== 'st' && k !== 'nt');
        if (desc.some(([k]) => !UPNP_FIELD[k])) return 'unknown ssdp field';
        if (header.length && desc.length) { this.count('skipped', 'ssdp header and description at once'); return null; }
        const e: SsdpM = { id, m: base, fields: f.map(([k, v]) => [k, new Glob(v as string)]) };
        if (header.length) {
          if (header.length > 1) { this.count('skipped', 'ssdp header and description at once'); return null; }
          const st = header[0][1] as string;
          if (/[*?[]/.test(st)) this.ssdpStGlobs.push(e);
          else push(this.ssdpBySt, st.toLowerCase(), e);
          this.count('loaded', 'ssdp');
        } else {
          const man = desc.find(([k]) => k === 'manufacturer');
          if (man && !/[*?[]/.test(man[1] as string)) push(this.upnpByManufacturer, (man[1] as string).toLowerCase(), e);
          else this.upnpOther.push(e);
          this.count('loaded', 'upnp');
        }
        return null;
      }
      default:
        return `unknown table ${row[0]}`;
    }
  }

  /** Evidence for one observation: the Home Assistant matchers it satisfies. */
  match(o: Observation): Match[] {
    switch (o.kind) {
      case 'dhcp': return this.matchDhcp(o);
      case 'mdns': return this.matchMdns(o);
      case 'ssdp': return this.matchSsdp(o);
      case 'upnp': return this.matchUpnp(o);
      default: return [];
    }
  }

  private matchDhcp(o: Observation): Match[] {
    const out: Match[] = [];
    const hex = o.mac ? o.mac.replace(/[^0-9a-f]/gi, '').toUpperCase() : '';
    const hosts = (o.fields.get('hostname') ?? []).map((h) => h.toLowerCase());
    const test = (e: DhcpM) => {
      if (e.mac && !(hex.length === 12 && macMatches(e.mac, hex))) return;
      let host: string | null = null;
      if (e.host) {
        host = hosts.find((h) => e.host!.test(h)) ?? null;
        if (host === null) return;
      }
      const what = host !== null
        ? `DHCP hostname ${host}${e.mac ? `, MAC ${macText(e.mac)}` : ''}`
        : `DHCP from MAC ${macText(e.mac!)}`;
      const w = !e.host ? HA_WEIGHT.dhcpMac : e.mac ? HA_WEIGHT.dhcpHostAndMac : e.host.literalPrefix.length >= 5 ? HA_WEIGHT.dhcpHost : HA_WEIGHT.dhcpShortHost;
      out.push(evidence(e.id, e.m, o, what, e.host?.text ?? null, w));
    };
    if (hex.length === 12) {
      for (const e of this.dhcpByOui.get(hex.slice(0, 6)) ?? []) test(e);
      for (const e of this.dhcpShortMac) test(e);
    }
    const firsts = new Set(hosts.map((h) => h[0]));
    for (const c of firsts) for (const e of this.dhcpByHostChar.get(c) ?? []) test(e);
    if (hosts.length) for (const e of this.dhcpHostWild) test(e);
    return out;
  }

  private matchMdns(o: Observation): Match[] {
    const out: Match[] = [];
    const services = o.fields.get('service') ?? [];
    if (!services.length) return out;
    const instances = o.fields.get('instance') ?? [];
    for (const svc of services) {
      const list = this.zeroconfByType.get(svc.toLowerCase());
      if (!list) continue;
      // Home Assistant matches `name` against the full service name, lower-cased ("shelly1-ab._http._tcp.local.").
      const names = instances.slice(0, MAX_NAMES).map((i) => `${i}.${svc}.local.`.toLowerCase());
      for (const e of list) {
        let name: string | null = null;
        if (e.name) {
          name = names.find((n) => e.name!.test(n)) ?? null;
          if (name === null) continue;
        }
        const txt: string[] = [];
        let ok = true;
        for (const [k, g] of e.props) {
          const v = (o.fields.get(`txt.${k}`) ?? []).find((x) => g.test(x.toLowerCase()));
          if (v === undefined) { ok = false; break; }
          txt.push(`${k}=${v}`);
        }
        if (!ok) continue;
        const what = `mDNS service ${svc}${name !== null ? `, name ${name}` : ''}${txt.length ? `, TXT ${txt.join(' ')}` : ''}`;
        out.push(evidence(e.id, e.m, o, what, e.name?.text ?? null, e.name || e.props.length ? HA_WEIGHT.zeroconfNamed : HA_WEIGHT.zeroconfType));
      }
    }
    // HomeKit accessories say their model in TXT md (HomeKit Accessory Protocol, Bonjour TXT record).
    if (services.some((s) => s === '_hap._tcp' || s === '_hap._udp')) {
      for (const md of o.fields.get('txt.md') ?? []) {
        const e = this.homekitByModel.get(md) ?? this.homekitByModel.get(md.split(' ')[0]) ?? this.homekitByModel.get(md.split('-')[0])
          ?? this.homekitGlobs.find(([g]) => g.test(md))?.[1];
        if (e) out.push(evidence(e.id, e.m, o, `mDNS HomeKit model md=${md}`, e.model === md ? null : e.model, HA_WEIGHT.homekit));
      }
    }
    return out;
  }

  private matchSsdp(o: Observation): Match[] {
    const out: Match[] = [];
    for (const st of o.fields.get('st') ?? []) {
      const globbed = this.ssdpStGlobs.filter((e) => e.fields[0][1].test(st));
      for (const e of [...(this.ssdpBySt.get(st.toLowerCase()) ?? []), ...globbed]) {
        out.push(evidence(e.id, e.m, o, `SSDP NT/ST ${st}`, null, HA_WEIGHT.ssdpSt));
      }
    }
    return out;
  }

  private matchUpnp(o: Observation): Match[] {
    const out: Match[] = [];
    const man = (o.fields.get('manufacturer') ?? [])[0]?.toLowerCase();
    const cands = [...(man ? this.upnpByManufacturer.get(man) ?? [] : []), ...this.upnpOther];
    for (const e of cands) {
      const parts: string[] = [];
      let ok = true;
      for (const [k, g] of e.fields) {
        const v = (o.fields.get(UPNP_FIELD[k]) ?? []).find((x) => g.test(x));
        if (v === undefined) { ok = false; break; }
        parts.push(`${LABEL[k] ?? k} ${v}`);
      }
      if (ok) out.push(evidence(e.id, e.m, o, `UPnP ${parts.join(', ')}`, null, HA_WEIGHT.upnp));
    }
    return out;
  }
}

function parseHead(line: string): { format?: unknown; sources?: unknown } | null {
  try {
    const h: unknown = JSON.parse(line);
    return h && typeof h === 'object' ? (h as { format?: unknown; sources?: unknown }) : null;
  } catch {
    return null;
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

function category(k: string | null): Category | null {
  if (!k) return null;
  if ((CATEGORIES as readonly string[]).includes(k)) return k as Category;
  return HA_KIND_FALLBACK[k] ?? null;
}

/** "50C7BF*" against "50C7BF0A1B2C": Home Assistant's MAC globs are hex prefixes (the importer checks). */
function macMatches(glob: string, hex: string): boolean {
  return glob.endsWith('*') ? hex.startsWith(glob.slice(0, -1)) : hex === glob;
}

/** "50C7BF*" -> "50:C7:BF", "986D35C*" -> "98:6D:35:C": how people read a MAC prefix. */
function macText(glob: string): string {
  return glob.replace(/\*$/, '').replace(/(..)(?=.)/g, '$1:');
}

/** One evidence line: what was seen, then where the knowledge came from ("(Home Assistant shelly matcher shelly*)"). */
function evidence(id: string, m: Meaning, o: Observation, what: string, glob: string | null, weight: number): Match {
  const w = m.brand ? weight : HA_WEIGHT.generic;
  const ev: Match = {
    rule: id,
    source: o.source,
    detail: `${what} (Home Assistant ${m.domain} matcher${glob ? ` ${glob}` : ''})`.slice(0, MAX_DETAIL),
    weight: w,
    ts: o.ts,
  };
  if (m.brand) ev.vendor = m.brand;
  if (m.kind) ev.category = m.kind;
  return ev;
}

/** The tables shipped beside the fingerprints (dir/generated/ha-tables.jsonl); null when the folder has none. */
export function loadHaTables(fingerprintsDir: string): HaTables | null {
  let text: string;
  try {
    text = readFileSync(path.join(fingerprintsDir, HA_FILE), 'utf8');
  } catch {
    return null;
  }
  return new HaTables(text);
}

/** The hand-written rules' matcher, also asking the Home Assistant tables (a matcher's kinds are disjoint: no duplicates). */
class RulesAndHa extends Matcher {
  constructor(rules: Rule[], private readonly ha: HaTables) {
    super(rules);
  }
  override match(o: Observation): Match[] {
    const a = super.match(o);
    const b = this.ha.match(o);
    return b.length ? a.concat(b) : a;
  }
}

/**
 * The inventory's hook: the matcher of the fingerprint rules and, when dir ships them, the Home
 * Assistant tables; their refused data lines join the fingerprint errors (Inventory.health shows them).
 */
export function withHaTables(dir: string, fp: Fingerprints): Matcher {
  const ha = loadHaTables(dir);
  if (!ha) return new Matcher(fp.rules);
  for (const reason of ha.errors) fp.errors.push({ file: path.join(dir, HA_FILE), entry: null, id: null, reason });
  return new RulesAndHa(fp.rules, ha);
}
