// Rule matching: an observation against the fingerprint rules of its kind -> evidence lines.
import type { Evidence } from './types.js';
import type { Rule, RuleKind } from './fingerprints.js';
import type { Observation } from './observe.js';

const LABEL: Record<string, string> = {
  dhcp: 'DHCP', mdns: 'mDNS', ssdp: 'SSDP', upnp: 'UPnP', dns: 'DNS', tls: 'TLS SNI', http: 'HTTP', netbios: 'NetBIOS', tcp: 'TCP',
  behaviour: 'Behaviour:', discovery: 'Discovery',
};
const FIELD_LABEL: Record<string, string> = {
  hostname: 'hostname', vendor_class: 'vendor class', param_list: 'option 55', fqdn: 'FQDN', service: 'service',
  instance: 'instance', host: 'host', txt: 'TXT', query: 'query for', server: 'SERVER', user_agent: 'User-Agent',
  st: 'NT/ST', usn: 'USN', location: 'LOCATION', header: 'header', search: 'M-SEARCH for', domain: 'name',
  manufacturer: 'manufacturer', model_name: 'modelName', model_number: 'modelNumber', model_description: 'modelDescription',
  friendly_name: 'friendlyName', device_type: 'deviceType', manufacturer_url: 'manufacturerURL', name: 'name', syn: 'SYN',
  path: 'request to it for', uri: 'request to it for', port: 'port', method: 'method',
  serves: 'a LAN device uses its port', calls: 'it calls the Internet on port', announces: 'it broadcasts to port',
};

/** Evidence from one matched rule, before it is attached to a device. */
export interface Match extends Evidence {
  rule: string;
}

export class Matcher {
  private readonly byKind = new Map<RuleKind, Rule[]>();
  /**
   * dns rules that name a plain domain (fingerprints.ts compiles them to "(^|\.)domain\.?$"), by that
   * domain: a name's own suffixes find them without running every rule's expression. The index only
   * picks candidates; each is still matched by its expression, in file order.
   */
  private readonly dnsByDomain = new Map<string, number[]>();
  /** Positions in byKind.get('dns') of the dns rules the index cannot find (patterns, several fields). */
  private readonly dnsOthers: number[] = [];

  constructor(rules: Rule[]) {
    for (const r of rules) {
      const list = this.byKind.get(r.kind) ?? [];
      list.push(r);
      this.byKind.set(r.kind, list);
    }
    const dns = this.byKind.get('dns') ?? [];
    for (let i = 0; i < dns.length; i++) {
      const domain = dns[i].domain;
      if (domain === undefined) { this.dnsOthers.push(i); continue; }
      const at = this.dnsByDomain.get(domain);
      if (at) at.push(i);
      else this.dnsByDomain.set(domain, [i]);
    }
  }

  match(o: Observation): Match[] {
    const out: Match[] = [];
    const rules = this.byKind.get(o.kind);
    if (rules === undefined) return out;
    if (o.kind === 'dns') {
      const names = o.fields.get('domain');
      const candidates = names === undefined ? this.dnsOthers : this.dnsCandidates(names);
      for (let i = 0; i < candidates.length; i++) {
        const m = matchRule(rules[candidates[i]], o);
        if (m) out.push(m);
      }
      return out;
    }
    for (let i = 0; i < rules.length; i++) {
      const m = matchRule(rules[i], o);
      if (m) out.push(m);
    }
    return out;
  }

  /** Positions of the dns rules that may match one of these names, ascending (the rules' order). */
  private dnsCandidates(names: string[]): number[] {
    let found: number[] | null = null;
    for (const full of names) {
      // "(^|\.)domain\.?$", case-insensitive: the name less one trailing dot is the domain or ends in ".domain".
      let n = full.toLowerCase();
      if (n.endsWith('.')) n = n.slice(0, -1);
      // The name itself, then what follows each of its dots.
      for (let at = 0; ;) {
        const hit = this.dnsByDomain.get(at === 0 ? n : n.slice(at));
        if (hit) (found ??= []).push(...hit);
        const dot = n.indexOf('.', at);
        if (dot < 0) break;
        at = dot + 1;
      }
    }
    if (found === null) return this.dnsOthers;
    found.push(...this.dnsOthers);
    return [...new Set(found)].sort((a, b) => a - b);
  }
}

function matchRule(r: Rule, o: Observation): Match | null {
  // Most rules fail on their first field: nothing is allocated until one matches.
  let groups: Record<string, string> | null = null;
  let parts: string[] | null = null;
  const match = r.match;
  for (let i = 0; i < match.length; i++) {
    const field = match[i][0];
    const values = o.fields.get(field.startsWith('txt.') ? field.toLowerCase() : field);
    if (!values) return null;
    const re = match[i][1];
    let hit: string | null = null;
    for (let j = 0; j < values.length; j++) {
      const v = values[j];
      const m = re.exec(v);
      if (m) {
        hit = v;
        if (m.groups) {
          groups ??= {};
          for (const k in m.groups) { const g = m.groups[k]; if (g && !groups[k]) groups[k] = g; }
        }
        break;
      }
    }
    if (hit === null) return null;
    const label = field.startsWith('txt.') ? `TXT ${field.slice(4)}=` : `${FIELD_LABEL[field] ?? field} `;
    (parts ??= []).push(`${label}${hit}`);
  }
  groups ??= {};
  parts ??= [];
  const model = r.model ? fill(r.model, groups) : undefined;
  const vendor = r.vendor ? fill(r.vendor, groups) : undefined;
  const ev: Match = {
    rule: r.id,
    source: o.source,
    detail: `${o.label ?? LABEL[o.source] ?? o.source} ${parts.join(', ')}`.slice(0, 240),
    weight: r.weight,
    ts: o.ts,
  };
  if (vendor) ev.vendor = vendor;
  if (model) ev.model = model;
  if (r.category) ev.category = r.category;
  return ev;
}

/** "{model}" -> the named group's text; a template whose group did not match gives undefined. */
function fill(template: string, groups: Record<string, string>): string | undefined {
  let missing = false;
  const s = template.replace(/\{(\w+)\}/g, (_, k: string) => {
    const g = groups[k];
    if (!g) missing = true;
    return g ?? '';
  }).trim();
  return missing || !s ? undefined : s.slice(0, 80);
}
