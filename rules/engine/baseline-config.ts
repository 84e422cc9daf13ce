// The per-device baseline's settings and protocol families as validated data (rules/baseline/baseline.yaml).
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { ADVICE_IDS, SEVERITIES, type Rule } from './types.js';
import { Duration, durationUs, HouseholdTextsDoc, SeverityByKind } from './schema.js';
import { textErrors } from './load.js';
import type { HouseholdTexts } from '../../sensor/i18n/alert-text.js';
import { fieldKnown } from './fields.js';
import { EVENT_TYPES } from '../../sensor/events.js';
import { DocsCache } from '../../sensor/docs-cache.js';
import { yaml } from '../../sensor/yaml-lazy.js';
import { fastSafeParse } from '../../sensor/zod-fast.js';
import { projectPath } from '../../sensor/paths.js';
import type { RuleLoadError } from './load.js';

/** The baseline's alerts, by the key in baseline.yaml's `alerts:` (the rule id is `baseline.<key>`). */
export const BASELINE_ALERTS = ['new-family', 'destination-burst', 'first-outbound', 'new-device'] as const;
export type BaselineAlert = (typeof BASELINE_ALERTS)[number];

/** Families are kept as bits of one 32-bit number per device. */
export const MAX_FAMILIES = 32;

/** A port (23) or an inclusive range ("6660-6669"). */
const PortSpec = z.union([
  z.number().int().min(0).max(65535),
  z.string().regex(/^\d{1,5}-\d{1,5}$/, 'a port range like "6660-6669"').refine((s) => {
    const [a, b] = s.split('-').map(Number) as [number, number];
    return a <= b && b <= 65535;
  }, { message: 'a range low-high within 0-65535' }),
]);

const FamilyDoc = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]{1,30}$/),
  /** How people call it ("telnet", "IRC", "BitTorrent DHT"). */
  name: z.string().min(2).max(60),
  /** Why a device starting to use it matters, with the published behaviour it follows. */
  reason: z.string().min(10).max(600),
  references: z.array(z.string()).default([]),
  tcp: z.array(PortSpec).default([]),
  udp: z.array(PortSpec).default([]),
  /** Events that show the family on any port: `{ type: bt_dht }`, `{ type: tcp_text, has: irc_commands }`. */
  events: z.array(z.object({ type: z.enum(EVENT_TYPES as unknown as [string, ...string[]]), has: z.string().optional() }).strict()).default([]),
}).strict();

const AlertDoc = z.object({
  title: z.string().min(3).max(200),
  severity: z.enum(SEVERITIES),
  severity_by_kind: SeverityByKind.optional(),
  description: z.string().max(4000).default(''),
  suppress_for: Duration.default('24h'),
  advice: z.enum(ADVICE_IDS).nullable().default(null),
  references: z.array(z.string()).default([]),
  summary: z.string().min(3).max(300),
  /** What the household reads, per language (like a rule's text; a missing language is refused). */
  text: HouseholdTextsDoc.optional(),
  sample: z.string().max(300).optional(),
}).strict();

export const BaselineDoc = z.object({
  version: z.literal(1),
  /** Per device: capture time since the device was first seen before it can raise anything. */
  learning: Duration,
  /** New-device alerts: none while the install is younger than this (capture time since its first packet). */
  install_learning: Duration,
  /** A new device is announced this long after it was first seen, unless it turned out to be the router. */
  new_device_confirm: Duration,
  max_devices: z.number().int().min(1).max(65536),
  max_known_macs: z.number().int().min(1).max(1_000_000),
  /** Cap on the saved state in the daemon's store (bytes of JSON); the least recently seen devices go first. */
  state_max_bytes: z.number().int().min(1024).max(64 * 1024 * 1024),
  destinations: z.object({
    bucket: Duration,
    /** A bucket with at least factor x the device's busiest bucket so far ... */
    factor: z.number().min(1).max(1000),
    /** ... and at least this many new destinations is a burst. */
    min_new: z.number().int().min(1),
  }).strict(),
  families: z.array(FamilyDoc).min(1).max(MAX_FAMILIES),
  alerts: z.object(Object.fromEntries(BASELINE_ALERTS.map((k) => [k, AlertDoc])) as Record<BaselineAlert, typeof AlertDoc>).strict(),
}).strict();

export interface BaselineFamily {
  id: string;
  name: string;
  reason: string;
  references: string[];
  tcp: [number, number][];
  udp: [number, number][];
  events: { type: string; has?: string }[];
}

/** What the engine runs on (durations in microseconds). */
export interface BaselineConfig {
  learningUs: number;
  installLearningUs: number;
  newDeviceConfirmUs: number;
  maxDevices: number;
  maxKnownMacs: number;
  stateMaxBytes: number;
  bucketUs: number;
  factor: number;
  minNew: number;
  families: BaselineFamily[];
  /** The alerts as rules (no match: the baseline raises them), by key. */
  rules: Record<BaselineAlert, Rule>;
}

function ranges(list: (number | string)[]): [number, number][] {
  return list.map((p) => {
    if (typeof p === 'number') return [p, p];
    const [a, b] = p.split('-').map(Number) as [number, number];
    return [a, b];
  });
}

/** rules/baseline/baseline.yaml under the installation root. */
export function defaultBaselineFile(): string {
  return projectPath('rules', 'baseline', 'baseline.yaml');
}

/** Checks zod cannot do alone: unique family ids, a port in one family only, `has` a field of its event. */
function semantic(doc: z.infer<typeof BaselineDoc>): string[] {
  const out: string[] = [];
  const ids = new Set<string>();
  const owner = new Map<string, string>();
  for (const f of doc.families) {
    if (ids.has(f.id)) out.push(`families: duplicate id "${f.id}"`);
    ids.add(f.id);
    for (const [proto, list] of [['tcp', f.tcp], ['udp', f.udp]] as const) {
      for (const [a, b] of ranges(list)) {
        if (b - a > 4096) { out.push(`families.${f.id}: ${proto} range ${a}-${b} wider than 4096 ports`); continue; }
        for (let p = a; p <= b; p++) {
          const prev = owner.get(`${proto}/${p}`);
          if (prev && prev !== f.id) { out.push(`families.${f.id}: ${proto} port ${p} is already in family "${prev}"`); break; }
          owner.set(`${proto}/${p}`, f.id);
        }
      }
    }
    for (const ev of f.events) {
      if (ev.has !== undefined && !fieldKnown(ev.type, ev.has)) out.push(`families.${f.id}: "${ev.has}" is not a field of event ${ev.type}`);
    }
    if (f.tcp.length + f.udp.length + f.events.length === 0) out.push(`families.${f.id}: no tcp, udp or events`);
  }
  for (const k of BASELINE_ALERTS) {
    const a = doc.alerts[k];
    for (const e of textErrors(`baseline.${k}`, a.text, a.summary, ['alerts', k, 'text'])) out.push(e.reason);
  }
  return out;
}

/** Parse and validate the baseline's YAML text; errors name the file, line (when known) and reason. */
export function parseBaselineText(file: string, text: string, cache?: DocsCache): { config: BaselineConfig | null; errors: RuleLoadError[] } {
  let raw: unknown;
  const hit = cache?.get(text);
  if (hit) raw = hit.doc;
  else {
    const { LineCounter, parseDocument } = yaml();
    const lc = new LineCounter();
    const d = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
    if (d.errors.length) {
      return { config: null, errors: d.errors.map((e) => ({ file, line: e.pos ? lc.linePos(e.pos[0]).line : null, reason: `YAML: ${e.message.split('\n')[0]}` })) };
    }
    raw = d.toJS({ maxAliasCount: 10 });
  }
  // A valid file skips zod's machinery (zod-fast.ts, same checks: ~3 ms of every start); a refused one gets zod's issues.
  const parsed = fastSafeParse(BaselineDoc, raw);
  if (!parsed.success) {
    return { config: null, errors: parsed.error.issues.map((i) => ({ file, line: null, reason: `${i.path.join('.')}${i.path.length ? ': ' : ''}${i.message}` })) };
  }
  const doc = parsed.data;
  const sem = semantic(doc);
  if (sem.length) return { config: null, errors: sem.map((reason) => ({ file, line: null, reason })) };
  const rules = {} as Record<BaselineAlert, Rule>;
  for (const k of BASELINE_ALERTS) {
    const a = doc.alerts[k];
    rules[k] = {
      id: `baseline.${k}`, title: a.title, severity: a.severity, severity_by_kind: a.severity_by_kind,
      description: a.description, group_by: k === 'new-family' ? ['device', 'family'] : ['device'],
      window: { size: '1m', kind: 'sliding' }, threshold: { count: 1 }, suppress_for: a.suppress_for, advice: a.advice,
      references: a.references, summary: a.summary, text: a.text as HouseholdTexts, sample: a.sample, source: { file, line: null },
    };
  }
  return {
    config: {
      learningUs: durationUs(doc.learning)!, installLearningUs: durationUs(doc.install_learning)!,
      newDeviceConfirmUs: durationUs(doc.new_device_confirm)!, maxDevices: doc.max_devices, maxKnownMacs: doc.max_known_macs,
      stateMaxBytes: doc.state_max_bytes, bucketUs: durationUs(doc.destinations.bucket)!, factor: doc.destinations.factor,
      minNew: doc.destinations.min_new,
      families: doc.families.map((f) => ({ id: f.id, name: f.name, reason: f.reason, references: f.references, tcp: ranges(f.tcp), udp: ranges(f.udp), events: f.events })),
      rules,
    },
    errors: [],
  };
}

/**
 * The last load per file, reused while the file is unchanged (same size and mtime, looked at once a
 * second at most): analysing many small captures one by one must not read and validate it each time
 * (~1 ms). Configs are never mutated (callers spread a copy to change the learning period).
 */
const loaded = new Map<string, { stamp: string; checked: number; result: { config: BaselineConfig | null; errors: RuleLoadError[] } }>();

/** Load the baseline file; a missing or invalid one gives null and its errors (the engine then runs without it). */
export function loadBaselineConfig(file: string = defaultBaselineFile()): { config: BaselineConfig | null; errors: RuleLoadError[] } {
  const now = Date.now();
  const hit = loaded.get(file);
  if (hit && now - hit.checked < 1000) return { config: hit.result.config, errors: [...hit.result.errors] };
  let stamp: string;
  try {
    const st = statSync(file);
    stamp = `${st.size}:${st.mtimeMs}`;
  } catch {
    stamp = 'missing';
  }
  if (hit && hit.stamp === stamp) {
    hit.checked = now;
    return { config: hit.result.config, errors: [...hit.result.errors] };
  }
  const result = loadUncached(file);
  if (loaded.size > 8) loaded.clear();
  loaded.set(file, { stamp, checked: now, result });
  return { config: result.config, errors: [...result.errors] };
}

function loadUncached(file: string): { config: BaselineConfig | null; errors: RuleLoadError[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { config: null, errors: [{ file, line: null, reason: `cannot read: ${(err as Error).message}` }] };
  }
  if (text.length > 256 * 1024) return { config: null, errors: [{ file, line: null, reason: 'file larger than 256 KiB' }] };
  return parseBaselineText(file, text, DocsCache.open());
}
