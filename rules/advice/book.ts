// Loads and validates the advice data (advice.yaml, vendors.yaml) and turns a device and its alerts into advice cards.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { yaml } from '../../sensor/yaml-lazy.js';
import { z } from 'zod';
import { DocsCache } from '../../sensor/docs-cache.js';
import { fastSafeParse } from '../../sensor/zod-fast.js';
import { CATEGORIES } from '../../sensor/inventory/types.js';
import type { Device, Category } from '../../sensor/inventory/types.js';
import type { Alert, Severity } from '../engine/types.js';

export const LANGS = ['nl', 'en'] as const;
export type Lang = (typeof LANGS)[number];

/**
 * ok < check < update-advised < exposed < infected: the worst open card decides a device's status.
 * The exports schema has no "check" (it is a hint, not a problem): exports get "ok" for it.
 */
export const DEVICE_STATUSES = ['ok', 'check', 'update-advised', 'exposed', 'infected'] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

const text = z.object({ nl: z.string().min(1), en: z.string().min(1) }).strict();
const texts = z.object({ nl: z.array(z.string().min(1)), en: z.array(z.string().min(1)) }).strict();
const answer = z.enum(['yes', 'no', 'partly', 'setting', 'unknown']);
export type Answer = z.infer<typeof answer>;

/** Why a standing card is more than a tip: the facts the card names when it shows (see `reasons` below). */
export const REASONS = ['alert', 'exposure', 'end-of-support'] as const;
export type ReasonKind = (typeof REASONS)[number];

/** The same advice in other words for other kinds: a computer is reinstalled, not reset with a button. */
const variantSchema = z.object({
  kinds: z.array(z.enum(CATEGORIES)).min(1),
  title: text,
  why: text,
  steps: texts,
  /** Show the maker's update knowledge (firmware) on this variant's card. */
  vendor_card: z.boolean(),
}).strict();

const adviceSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/),
  priority: z.number().int(),
  status: z.enum(['check', 'update-advised', 'exposed', 'infected']),
  title: text,
  why: text,
  steps: texts,
  /** Steps shown first only while we are not sure what the device is ("do you know which device this is?"). */
  steps_if_unsure: texts.optional(),
  variants: z.array(variantSchema).optional(),
  /**
   * A standing card with `reasons` is a quiet tip (`tip` is its title, it sets no status) unless one of
   * these facts holds for the device; the card then says which one.
   */
  reasons: z.object(Object.fromEntries(REASONS.map((r) => [r, text])) as Record<ReasonKind, typeof text>).strict().optional(),
  tip: text.optional(),
}).strict();

const vendorSchema = z.object({
  vendor: z.string().min(1),
  match: z.array(z.string().min(2)).min(1),
  updates_url: z.string().url().startsWith('https://').nullable(),
  where: text,
  auto_update: answer,
  security_updates: answer,
  support_period: text.nullable(),
  works_offline: answer,
}).strict();

const adviceFile = z.object({ version: z.literal(1), advice: z.array(adviceSchema).min(1) }).strict();
const vendorFile = z.object({ version: z.literal(1), vendors: z.array(vendorSchema), generic: z.object({ where: text }).strict() }).strict();

export type AdviceEntry = z.infer<typeof adviceSchema>;
export type VendorEntry = z.infer<typeof vendorSchema>;

/** What the dashboard shows about a maker, in one language. */
export interface VendorCard {
  vendor: string | null;
  where: string;
  updates_url: string | null;
  auto_update: Answer;
  security_updates: Answer;
  /** null = unknown. */
  support_period: string | null;
  works_offline: Answer;
}

export type AdviceStateName = 'open' | 'done' | 'snoozed';

export interface AdviceCard {
  /** "<advice id>@<mac>": the id POST /api/advice/:id takes. */
  key: string;
  advice: string;
  priority: number;
  status: Exclude<DeviceStatus, 'ok'>;
  /** A quiet tip: shown on the device page and as one "doe je updates" link, never a status or a to-do. */
  quiet: boolean;
  /** Why this card is more than a tip, in words (an alert, an exposure, the maker's end of support); null for tips and alert cards. */
  reason: string | null;
  title: string;
  why: string;
  steps: string[];
  vendor: VendorCard | null;
  /** Alerts that call for this advice (ids). */
  alerts: string[];
  severity: Severity | null;
  state: AdviceStateName;
  snoozed_until: number | null;
}

export interface AdviceStates {
  /** capture_at: the capture clock (µs) when the user set it: an alert seen later reopens a "done" card. */
  [key: string]: { state: 'done' | 'snoozed'; until?: number; capture_at?: number } | undefined;
}

/** Kinds of device that get a standing "doe je updates" card: things without an update nag of their own. */
const UPDATE_CATEGORIES: ReadonlySet<Category> = new Set<Category>([
  'camera', 'smart-plug', 'hub', 'sensor', 'lighting', 'appliance', 'health', 'media', 'speaker', 'printer', 'nas', 'router',
  'lock', 'doorbell', 'thermostat', 'energy', 'vacuum', 'tv', 'game-console', 'voice-assistant',
]);

const SEVERITY_RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

export class AdviceBook {
  readonly advice: Map<string, AdviceEntry>;
  readonly vendors: VendorEntry[];
  readonly generic: { where: { nl: string; en: string } };

  constructor(advice: AdviceEntry[], vendors: VendorEntry[], generic: { where: { nl: string; en: string } }) {
    this.advice = new Map(advice.map((a) => [a.id, a]));
    this.vendors = vendors;
    this.generic = generic;
  }

  vendorEntry(vendor: string | null): VendorEntry | null {
    if (!vendor) return null;
    const v = ` ${vendor.toLowerCase()} `;
    for (const e of this.vendors) if (e.match.some((m) => v.includes(m.toLowerCase()))) return e;
    return null;
  }

  vendorCard(vendor: string | null, lang: Lang): VendorCard {
    const e = this.vendorEntry(vendor);
    if (!e) {
      return { vendor, where: this.generic.where[lang], updates_url: null, auto_update: 'unknown', security_updates: 'unknown', support_period: null, works_offline: 'unknown' };
    }
    return {
      vendor: e.vendor, where: e.where[lang], updates_url: e.updates_url, auto_update: e.auto_update,
      security_updates: e.security_updates, support_period: e.support_period ? e.support_period[lang] : null, works_offline: e.works_offline,
    };
  }

  /**
   * The advice cards for one device: one per advice id its alerts name, plus a standing
   * "doe je updates" for IoT kinds that do not (known to) update themselves. Most urgent first.
   */
  cardsFor(device: Pick<Device, 'mac' | 'vendor' | 'category'> & { label: string; sure?: boolean }, alerts: Alert[], lang: Lang, states: AdviceStates, nowMs = Date.now()): AdviceCard[] {
    const byAdvice = new Map<string, Alert[]>();
    for (const a of alerts) {
      if (!a.advice || !this.advice.has(a.advice)) continue;
      const list = byAdvice.get(a.advice) ?? [];
      list.push(a);
      byAdvice.set(a.advice, list);
    }
    const vendorEntry = this.vendorEntry(device.vendor);
    if (!byAdvice.has('update') && UPDATE_CATEGORIES.has(device.category) && vendorEntry?.auto_update !== 'yes') byAdvice.set('update', []);
    // An infected device also needs its updates, and the ISP may already know.
    if (byAdvice.has('infected-reset') && !byAdvice.has('update')) byAdvice.set('update', []);
    const cards: AdviceCard[] = [];
    for (const [id, list] of byAdvice) {
      const e = this.advice.get(id)!;
      const key = `${id}@${device.mac}`;
      const st = states[key];
      let state: AdviceStateName = 'open';
      let until: number | null = null;
      // A new alert after "done" reopens the card (last_seen is capture time, µs).
      const again = st?.capture_at !== undefined && list.some((a) => a.last_seen > st.capture_at!);
      if (st?.state === 'done' && !again) state = 'done';
      else if (st?.state === 'snoozed' && (st.until ?? 0) > nowMs) { state = 'snoozed'; until = st.until ?? null; }
      const fill = (s: string) => s.replaceAll('{device}', device.label).replaceAll('{vendor}', vendorEntry?.vendor ?? (lang === 'nl' ? 'de fabrikant' : 'the maker'));
      let severity: Severity | null = null;
      for (const a of list) if (severity === null || SEVERITY_RANK[a.severity] > SEVERITY_RANK[severity]) severity = a.severity;
      const v = e.variants?.find((x) => x.kinds.includes(device.category));
      const body = v ?? e;
      const reason = e.reasons ? this.reasonOf(list, byAdvice, vendorEntry) : null;
      const quiet = !!e.reasons && reason === null;
      const unsure = device.sure === false && e.steps_if_unsure ? e.steps_if_unsure[lang] : [];
      const withVendor = v ? v.vendor_card : id === 'update' || id === 'infected-reset';
      cards.push({
        key, advice: id, priority: e.priority, status: e.status, quiet,
        reason: reason && e.reasons ? fill(e.reasons[reason][lang]) : null,
        title: fill(quiet && e.tip ? e.tip[lang] : body.title[lang]), why: fill(body.why[lang]),
        steps: [...unsure, ...body.steps[lang]].map(fill), vendor: withVendor ? this.vendorCard(device.vendor, lang) : null,
        alerts: list.map((a) => a.id), severity, state, snoozed_until: until,
      });
    }
    cards.sort((a, b) => a.priority - b.priority);
    return cards;
  }

  /**
   * Which fact makes a standing card more than a tip, strongest first: an alert that calls for it, the
   * device being attacked, exposed or infected (another open card says so), the maker giving no security updates.
   */
  private reasonOf(own: Alert[], byAdvice: Map<string, Alert[]>, vendor: VendorEntry | null): ReasonKind | null {
    if (own.length > 0) return 'alert';
    for (const [id, list] of byAdvice) {
      const st = this.advice.get(id)?.status;
      if (list.length > 0 && (st === 'exposed' || st === 'infected')) return 'exposure';
    }
    if (vendor?.security_updates === 'no') return 'end-of-support';
    return null;
  }

  /** The worst status among open cards; quiet tips set none. */
  static statusOf(cards: AdviceCard[]): DeviceStatus {
    let worst: DeviceStatus = 'ok';
    for (const c of cards) {
      if (c.state !== 'open' || c.quiet) continue;
      if (DEVICE_STATUSES.indexOf(c.status) > DEVICE_STATUSES.indexOf(worst)) worst = c.status;
    }
    return worst;
  }
}

export interface LoadError { file: string; reason: string }

/** Finds <root>/rules/advice from this module's place (source tree, or dist/ next to it in the bundle). */
export function defaultAdviceDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const cand = path.join(dir, 'rules', 'advice');
    if (existsSync(path.join(cand, 'advice.yaml'))) return cand;
    if (existsSync(path.join(dir, 'advice.yaml')) && existsSync(path.join(dir, 'vendors.yaml'))) return dir;
    dir = path.dirname(dir);
  }
  return path.join(process.cwd(), 'rules', 'advice');
}

/** Loads and validates the advice data; throws with file and reason when it is invalid (it is ours, not the user's). */
export function loadAdviceBook(dir = defaultAdviceDir()): AdviceBook {
  // Parsed at build time when the text is unchanged: the YAML parser costs the daemon ~6 MB resident.
  const cache = DocsCache.open();
  const a = parseFile(path.join(dir, 'advice.yaml'), adviceFile, cache);
  const v = parseFile(path.join(dir, 'vendors.yaml'), vendorFile, cache);
  const ids = new Set<string>();
  for (const e of a.advice) {
    if (ids.has(e.id)) throw new Error(`${path.join(dir, 'advice.yaml')}: advice id "${e.id}" appears twice`);
    ids.add(e.id);
    const f = path.join(dir, 'advice.yaml');
    const pairs: [string, { nl: string[]; en: string[] } | undefined][] = [['steps', e.steps], ['steps_if_unsure', e.steps_if_unsure],
      ...(e.variants ?? []).map((v, i) => [`variants.${i}.steps`, v.steps] as [string, { nl: string[]; en: string[] }])];
    for (const [name, p] of pairs) if (p && p.nl.length !== p.en.length) throw new Error(`${f}: advice "${e.id}" has ${p.nl.length} nl ${name} but ${p.en.length} en ${name}`);
    if (!!e.reasons !== !!e.tip) throw new Error(`${f}: advice "${e.id}": "reasons" and "tip" go together (a card that can be quiet needs its quiet title)`);
    const kinds = (e.variants ?? []).flatMap((v) => v.kinds);
    const twice = kinds.find((k, i) => kinds.indexOf(k) !== i);
    if (twice) throw new Error(`${f}: advice "${e.id}": kind "${twice}" is in two variants`);
  }
  return new AdviceBook(a.advice, v.vendors, v.generic);
}

function parseFile<T>(file: string, schema: z.ZodType<T>, cache: DocsCache): T {
  const text = readFileSync(file, 'utf8');
  const hit = cache.get(text);
  const data = hit ? hit.doc : yaml().parse(text);
  const r = fastSafeParse(schema, data);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`${file}: ${i.path.join('.') || '(top)'}: ${i.message}`);
  }
  return r.data;
}

/** For `waakhond check`: the advice data loads, and every advice id the rules name exists. */
export function validateAdvice(dir: string, ruleAdviceIds: Iterable<string> = []): { ok: boolean; lines: string[] } {
  let book: AdviceBook;
  try {
    book = loadAdviceBook(dir);
  } catch (err) {
    return { ok: false, lines: [(err as Error).message] };
  }
  const lines: string[] = [];
  for (const id of new Set(ruleAdviceIds)) if (!book.advice.has(id)) lines.push(`rules name advice "${id}", which ${path.join(dir, 'advice.yaml')} does not have`);
  lines.push(`${book.advice.size} advice entries (nl, en), ${book.vendors.length} vendors`);
  return { ok: lines.length === 1, lines };
}
