// The rule file schema (zod): named fields, durations, thresholds; what `waakhond check` validates.
import { z } from 'zod';
import { SEVERITIES, ADVICE_IDS } from './types.js';
import { EVENT_TYPES } from '../../sensor/events.js';
import { CATEGORIES } from '../../sensor/inventory/types.js';
import { LANGS } from '../../sensor/i18n/langs.js';

const DURATION_RE = /^(\d+(?:\.\d+)?)(us|ms|s|m|h|d)$/;
const UNIT_US: Record<string, number> = { us: 1, ms: 1e3, s: 1e6, m: 60e6, h: 3600e6, d: 86400e6 };

/** "10s", "5m", "1h", "500ms" -> microseconds; null if malformed. */
export function durationUs(text: string): number | null {
  const m = DURATION_RE.exec(text);
  if (!m) return null;
  return Math.round(Number(m[1]) * UNIT_US[m[2]!]!);
}

export const Duration = z
  .string()
  .refine((s) => durationUs(s) !== null, { message: 'duration like "10s", "5m", "1h", "500ms"' });

const Scalar = z.union([z.string(), z.number(), z.boolean()]);
const StrOrList = z.union([z.string(), z.array(z.string()).min(1)]);
const regexString = z.string().refine((s) => {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}, { message: 'not a valid regular expression' });

export const ConditionOps = z
  .object({
    eq: Scalar, ne: Scalar,
    in: z.array(z.union([z.string(), z.number()])).min(1),
    not_in: z.array(z.union([z.string(), z.number()])).min(1),
    gt: z.number(), gte: z.number(), lt: z.number(), lte: z.number(),
    cidr: StrOrList, not_cidr: StrOrList,
    regex: regexString, not_regex: regexString,
    contains: z.string(), starts_with: z.string(), ends_with: z.string(),
    nocase: z.boolean(),
    private: z.boolean(), multicast: z.boolean(), public: z.boolean(), exists: z.boolean(),
    gte_field: z.object({ field: z.string(), times: z.number().positive().default(1) }).strict(),
  })
  .partial()
  .strict()
  .refine((o) => Object.keys(o).some((k) => k !== 'nocase'), { message: 'empty condition' });

export const Condition = z.union([Scalar, z.array(z.union([z.string(), z.number()])).min(1), ConditionOps]);

const EVENT_NAMES = [...EVENT_TYPES, 'alert'] as unknown as [string, ...string[]];

export const Match = z
  .object({ event: z.enum(EVENT_NAMES), device_is: z.enum(['src', 'dst']).optional() })
  .catchall(Condition);

/** order: ts keeps this many event times per key at most (see engine.ts periodicByTs). */
export const MAX_TS_PERIODIC = 64;

const Threshold = z.union([
  z.number().int().positive().transform((n) => ({ count: n })),
  z.object({ count: z.number().int().positive() }).strict(),
  z.object({ sum: z.string(), min: z.number().positive() }).strict(),
  z.object({ distinct: z.string(), min: z.number().int().positive() }).strict(),
  z.object({
    periodic: z.object({
      min_count: z.number().int().min(3),
      max_jitter: z.number().positive().max(1),
      min_interval: Duration.optional(),
      /** 'ts': test the events' own times, sorted (conn events arrive at flow end, out of order). */
      order: z.enum(['arrival', 'ts']).optional(),
    }).strict()
      .refine((p) => p.order !== 'ts' || p.min_count <= MAX_TS_PERIODIC, {
        message: `order: ts keeps the last min_count times per key: min_count at most ${MAX_TS_PERIODIC}`,
      }),
  }).strict(),
]);

/**
 * Device kinds a rule may name in severity_by_kind: the inventory's categories. Read when a file is
 * validated (not copied at import), so categories the inventory adds are accepted without a change here.
 */
export function knownKind(k: string): boolean {
  return (CATEGORIES as readonly string[]).includes(k);
}

export const SeverityByKind = z.record(z.string(), z.enum(SEVERITIES))
  .refine((m) => Object.keys(m).every(knownKind), {
    message: `severity_by_kind: keys are device categories (${CATEGORIES.join(', ')})`,
  });

const Window = z.union([
  Duration.transform((size) => ({ size, kind: 'sliding' as const })),
  z.object({ size: Duration, kind: z.enum(['sliding', 'tumbling']).default('sliding') }).strict(),
]);

/** One language's household text: plain words, {device} for the device's name (sensor/i18n/alert-text.ts). */
export const HouseholdTextDoc = z.object({
  title: z.string().min(3).max(200),
  summary: z.string().min(3).max(500),
}).strict();

/**
 * The household's text per language. Each language is optional here so that a missing one is reported
 * by load.ts as "rule X has no Dutch text" (with file and line) rather than as a zod "Required".
 */
export const HouseholdTextsDoc = z.object(
  Object.fromEntries(LANGS.map((l) => [l, HouseholdTextDoc.optional()])) as Record<(typeof LANGS)[number], z.ZodOptional<typeof HouseholdTextDoc>>,
).strict();

export const RuleDoc = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]{2,100}$/, 'lower-case id like "mirai.scan.seq-equals-dst"'),
    title: z.string().min(3).max(200),
    severity: z.enum(SEVERITIES),
    severity_by_kind: SeverityByKind.optional(),
    description: z.string().max(4000).default(''),
    match: Match.optional(),
    sequence: z.object({ within: Duration, steps: z.array(Match).min(2).max(8) }).strict().optional(),
    group_by: z.array(z.string()).max(4).default(['device']),
    window: Window.default('1m'),
    threshold: Threshold.default(1),
    suppress_for: Duration.default('1h'),
    advice: z.enum(ADVICE_IDS).nullable().default(null),
    references: z.array(z.string()).default([]),
    summary: z.string().min(3).max(300),
    /** What the household reads, in every language of sensor/i18n/langs.ts (load.ts refuses a missing one). */
    text: HouseholdTextsDoc.optional(),
    sample: z.string().max(300).optional(),
    max_keys: z.number().int().min(1).max(1_000_000).optional(),
    /** A known scanner's SYNs are counted into this rule's open alert instead of matched one by one (hold.ts). */
    hold: z.boolean().optional(),
  })
  .strict()
  .refine((r) => (r.match ? 1 : 0) + (r.sequence ? 1 : 0) === 1, {
    message: 'a rule needs exactly one of "match" or "sequence"',
  });

export type RuleDocT = z.infer<typeof RuleDoc>;
