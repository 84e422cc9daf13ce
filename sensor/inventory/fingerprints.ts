// Fingerprint data: the zod schema of the YAML files in fingerprints/, loading, and validation for `waakhond check`.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { yaml } from '../yaml-lazy.js';
import { z } from 'zod';
import { CATEGORIES, type Category } from './types.js';
import { projectPath } from '../paths.js';
import { DocsCache } from '../docs-cache.js';
import { fastSafeParse } from '../zod-fast.js';
import { HA_FILE, loadHaTables } from './ha-tables.js';

/** Which observation a rule looks at, and the fields it may name (see observe.ts). */
export const RULE_FIELDS = {
  dhcp: ['hostname', 'vendor_class', 'param_list', 'fqdn'],
  mdns: ['service', 'instance', 'host', 'txt', 'query'],
  ssdp: ['server', 'user_agent', 'st', 'usn', 'location', 'header', 'search'],
  upnp: ['manufacturer', 'model_name', 'model_number', 'model_description', 'friendly_name', 'device_type', 'manufacturer_url'],
  dns: ['domain'],
  http: ['user_agent', 'server'],
  /** A LAN client's HTTP request to the device: the API it serves (path without query, uri, port, method). */
  http_api: ['path', 'uri', 'port', 'method'],
  netbios: ['name'],
  tcp: ['syn'],
  /** A vendor discovery reply (DiscoveryEvent) as the device states it; protocol is the room's name ("edimax"). */
  discovery: ['protocol', 'vendor', 'model', 'firmware', 'name'],
  /** What a device does (behaviour.ts): "tcp/N"/"udp/N" it serves to LAN clients, calls on the Internet, or broadcasts to. */
  service: ['serves', 'calls', 'announces'],
  /** Second pass over models other evidence named: product-line naming ("DCS-" is a D-Link camera). */
  model: ['model', 'vendor'],
} as const;
export type RuleKind = keyof typeof RULE_FIELDS;
export const RULE_KINDS = Object.keys(RULE_FIELDS) as RuleKind[];

/** A regex source, compiled case-insensitively; refused at load when it does not compile. */
const pattern = z.string().min(1).max(400).superRefine((s, ctx) => {
  try {
    new RegExp(s, 'i');
  } catch (err) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `bad regex: ${(err as Error).message}` });
  }
});

const category = z.enum(CATEGORIES);

export const ruleSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'ids are lower-case words joined by . _ -'),
  /** Field -> regex (all must match, each against any value of that field). txt fields are "txt.KEY". */
  match: z.record(z.string(), pattern).refine((m) => Object.keys(m).length > 0, 'match needs at least one field'),
  /** Domain suffixes (dns rules): "meethue.com" matches meethue.com and *.meethue.com. */
  vendor: z.string().min(1).max(60).optional(),
  /** Literal model, or a template with {name} for a named regex group, e.g. "{model}". */
  model: z.string().min(1).max(80).optional(),
  category: category.optional(),
  /** 0..1: how much this evidence is worth; specific (a model in TXT md=) high, generic low. */
  weight: z.number().min(0).max(1),
  /** Shown with the evidence: why this rule means what it says. */
  note: z.string().max(200).optional(),
}).strict().refine((r) => r.vendor || r.model || r.category, 'a rule must say a vendor, a model or a category');

export const ruleFileSchema = z.object({
  kind: z.enum(RULE_KINDS as [RuleKind, ...RuleKind[]]),
  about: z.string().optional(),
  rules: z.array(z.unknown()),
}).strict();

export const vendorSchema = z.object({
  /** Display name: what a household reads. */
  name: z.string().min(1).max(60),
  /** Regexes over IEEE organisation names (OUI) that mean this vendor. */
  oui: z.array(pattern).default([]),
  /** Other spellings that name the same vendor in evidence. */
  aliases: z.array(z.string().min(1)).default([]),
  /** Wi-Fi/Ethernet module maker: its OUI says who made the chip, not the product's brand. */
  module_maker: z.boolean().default(false),
  /** Typical category of this vendor's networked products: a weak prior, used when nothing better says. */
  category: category.optional(),
  note: z.string().max(200).optional(),
}).strict();

export const vendorFileSchema = z.object({
  kind: z.literal('vendors'),
  about: z.string().optional(),
  vendors: z.array(z.unknown()),
}).strict();

export interface Rule {
  id: string;
  kind: RuleKind;
  /** [field, regex] pairs; field "txt.md" etc. for TXT keys. */
  match: [string, RegExp][];
  /** A dns rule whose only field is a plain domain: that domain, lower-case (the matcher indexes it). */
  domain?: string;
  vendor?: string;
  model?: string;
  category?: Category;
  weight: number;
  note?: string;
  file: string;
}

export interface VendorInfo {
  name: string;
  oui: RegExp[];
  aliases: string[];
  module_maker: boolean;
  category?: Category;
}

export interface FingerprintError {
  file: string;
  /** Entry index in the file's list, or null for the file itself. */
  entry: number | null;
  id: string | null;
  reason: string;
}

export interface Fingerprints {
  rules: Rule[];
  vendors: VendorInfo[];
  errors: FingerprintError[];
  files: string[];
}

/** Where the shipped fingerprints are: $WAAKHOND_FINGERPRINTS, else <install root>/sensor/inventory/fingerprints. */
export function defaultFingerprintsDir(): string {
  return process.env.WAAKHOND_FINGERPRINTS ?? projectPath('sensor', 'inventory', 'fingerprints');
}

function issues(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || '(entry)'}: ${i.message}`).join('; ');
}

/** Load every *.yaml / *.yml / *.json file in dir; invalid entries are refused (listed in errors), the rest load. */
export function loadFingerprints(dir: string = defaultFingerprintsDir()): Fingerprints {
  const out: Fingerprints = { rules: [], vendors: [], errors: [], files: [] };
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.(ya?ml|json)$/i.test(n)).sort();
  } catch (err) {
    out.errors.push({ file: dir, entry: null, id: null, reason: `cannot read fingerprint folder: ${(err as Error).message}` });
    return out;
  }
  const ids = new Map<string, string>();
  // Valid entries skip zod's machinery (zod-fast.ts, same checks); a refused one gets zod's own issues.
  // Parsed at build time when the text is unchanged: the YAML parser costs the daemon ~6 MB resident.
  const cache = DocsCache.open();
  for (const name of names) {
    const file = path.join(dir, name);
    out.files.push(file);
    let doc: unknown;
    try {
      const text = readFileSync(file, 'utf8');
      const hit = cache.get(text);
      if (/\.json$/i.test(name)) doc = JSON.parse(text);
      else if (hit) doc = hit.doc;
      else {
        const docs = yaml().parseAllDocuments(text);
        if (docs.length !== 1) throw new Error(`expected one YAML document, found ${docs.length}`);
        const d = docs[0];
        if (d.errors.length) throw new Error(d.errors[0].message);
        doc = d.toJS();
      }
    } catch (err) {
      out.errors.push({ file, entry: null, id: null, reason: (err as Error).message });
      continue;
    }
    if (doc && typeof doc === 'object' && (doc as { kind?: unknown }).kind === 'vendors') {
      const f = fastSafeParse(vendorFileSchema, doc);
      if (!f.success) { out.errors.push({ file, entry: null, id: null, reason: issues(f.error) }); continue; }
      f.data.vendors.forEach((raw, i) => {
        const v = fastSafeParse(vendorSchema, raw);
        if (!v.success) { out.errors.push({ file, entry: i, id: nameOf(raw), reason: issues(v.error) }); return; }
        out.vendors.push({ ...v.data, oui: v.data.oui.map((p) => new RegExp(p, 'i')) });
      });
      continue;
    }
    const f = fastSafeParse(ruleFileSchema, doc);
    if (!f.success) { out.errors.push({ file, entry: null, id: null, reason: issues(f.error) }); continue; }
    const kind = f.data.kind;
    const allowed = new Set<string>(RULE_FIELDS[kind]);
    f.data.rules.forEach((raw, i) => {
      const r = fastSafeParse(ruleSchema, raw);
      if (!r.success) { out.errors.push({ file, entry: i, id: idOf(raw), reason: issues(r.error) }); return; }
      const bad = Object.keys(r.data.match).filter((k) => !allowed.has(k.startsWith('txt.') && kind === 'mdns' ? 'txt' : k));
      if (bad.length) {
        out.errors.push({ file, entry: i, id: r.data.id, reason: `unknown ${kind} field(s) ${bad.join(', ')}; allowed: ${[...allowed].join(', ')}${kind === 'mdns' ? ', txt.KEY' : ''}` });
        return;
      }
      const prev = ids.get(r.data.id);
      if (prev) { out.errors.push({ file, entry: i, id: r.data.id, reason: `duplicate id (first in ${prev})` }); return; }
      ids.set(r.data.id, file);
      const entries = Object.entries(r.data.match);
      const match: [string, RegExp][] = entries.map(([k, p]) => [k, compileField(kind, k, p)]);
      const domain = entries.length === 1 ? plainDomain(kind, entries[0][0], entries[0][1]) : null;
      out.rules.push({ ...r.data, kind, match, file, ...(domain !== null ? { domain } : {}) });
    });
  }
  return out;
}

/** A dns rule's plain domain ("tuya.com", not a pattern), lower-cased; null for anything else. */
function plainDomain(kind: RuleKind, field: string, p: string): string | null {
  return kind === 'dns' && field === 'domain' && /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(p) ? p.toLowerCase() : null;
}

/** dns rules may name a plain domain: it matches that domain and every name under it. */
function compileField(kind: RuleKind, field: string, p: string): RegExp {
  if (plainDomain(kind, field, p) !== null) {
    return new RegExp(`(^|\\.)${p.replace(/\./g, '\\.')}\\.?$`, 'i');
  }
  return new RegExp(p, 'i');
}

function idOf(raw: unknown): string | null {
  return raw && typeof raw === 'object' && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : null;
}
function nameOf(raw: unknown): string | null {
  return raw && typeof raw === 'object' && typeof (raw as { name?: unknown }).name === 'string' ? (raw as { name: string }).name : null;
}

/**
 * For `waakhond check`: validate every fingerprint file in dir.
 * ok is false when any file or entry is refused; errors say file, entry and reason.
 */
export function validateFingerprints(dir: string = defaultFingerprintsDir()): { ok: boolean; files: number; rules: number; vendors: number; errors: FingerprintError[] } {
  const fp = loadFingerprints(dir);
  // The Home Assistant tables (generated/ha-tables.jsonl), when shipped, must load cleanly too.
  for (const reason of loadHaTables(dir)?.errors ?? []) fp.errors.push({ file: path.join(dir, HA_FILE), entry: null, id: null, reason });
  return { ok: fp.errors.length === 0 && fp.files.length > 0, files: fp.files.length, rules: fp.rules.length, vendors: fp.vendors.length, errors: fp.errors };
}
