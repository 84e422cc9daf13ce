// The rule engine's public shapes: alerts as the report, store, API and exports show them.
import type { HouseholdTexts } from '../../sensor/i18n/alert-text.js';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface AlertEvidence {
  /** What is shown, in words: "SYN to 23/tcp of 41.2.3.4 with seq = destination address". */
  detail: string;
  ts?: number;
  [key: string]: unknown;
}

export interface Alert {
  /** Stable id: rule id + group key (device, remote, ...). */
  id: string;
  rule: string;
  title: string;
  severity: Severity;
  /** The home device (MAC) the alert is about, or null. */
  device: string | null;
  /** Capture time, microseconds since the epoch. */
  first_seen: number;
  last_seen: number;
  /**
   * How many times the rule fired for this key (repeats within suppress_for update this alert). While the
   * device is held as a known scanner (hold.ts), each second with held SYNs for this alert counts once.
   */
  count: number;
  summary: string;
  evidence: AlertEvidence[];
  /** Advice id from rules/advice (e.g. "infected-reset", "change-password", "update"). */
  advice: string | null;
  /** The group-by values of this alert. */
  group: Record<string, string>;
  /**
   * The household's title and summary per language, values filled, {device} left for the name the
   * household knows the device by (sensor/i18n/alert-text.ts alertText). title/summary above stay the
   * technical English ones. Absent on alerts stored before rules had texts.
   */
  text?: HouseholdTexts;
}

// ---- Rules (added by the rule engine; additive) ----

/** Advice ids a rule may name (rules/advice holds their text). */
export const ADVICE_IDS = [
  'update', 'change-password', 'disable-telnet', 'disable-upnp', 'infected-reset', 'ask-isp', 'check-device', 'new-device',
  'close-port-forward',
] as const;
export type AdviceId = (typeof ADVICE_IDS)[number];

/** A field condition as written in a rule file: a scalar (equals), a list (in), or named operators. */
export type RuleCondition =
  | string | number | boolean
  | (string | number)[]
  | {
      eq?: string | number | boolean; ne?: string | number | boolean;
      in?: (string | number)[]; not_in?: (string | number)[];
      gt?: number; gte?: number; lt?: number; lte?: number;
      cidr?: string | string[]; not_cidr?: string | string[];
      regex?: string; not_regex?: string; contains?: string; starts_with?: string; ends_with?: string;
      nocase?: boolean;
      private?: boolean; multicast?: boolean; public?: boolean; exists?: boolean;
      /** value >= times * other field of the same event (e.g. ACK-only packets vs packets received). */
      gte_field?: { field: string; times?: number };
    };

/** One event pattern: `event` names the type; every other key is a field condition. */
export interface RuleMatch {
  event: string;
  /** Which side is the home device when the direction does not say (default: by direction). */
  device_is?: 'src' | 'dst';
  [field: string]: RuleCondition | string | undefined;
}

export type RuleThreshold =
  | { count: number }
  | { sum: string; min: number }
  | { distinct: string; min: number }
  | { periodic: { min_count: number; max_jitter: number; min_interval?: string; order?: 'arrival' | 'ts' } };

/** A validated rule document (one detection per file). */
export interface Rule {
  id: string;
  title: string;
  severity: Severity;
  /** Severity by the device's inventory category (camera: high, ...); `severity` for any other. */
  severity_by_kind?: Record<string, Severity>;
  description: string;
  match?: RuleMatch;
  sequence?: { within: string; steps: RuleMatch[] };
  group_by: string[];
  window: { size: string; kind: 'sliding' | 'tumbling' };
  threshold: RuleThreshold;
  suppress_for: string;
  advice: AdviceId | null;
  references: string[];
  /** One-line summary template: {field} from the group, counters and the last event. */
  summary: string;
  /** The household's text per language (validated: every language present, see load.ts). */
  text: HouseholdTexts;
  /** Template for one evidence sample, from the event's fields. */
  sample?: string;
  max_keys?: number;
  /**
   * An open alert of this rule holds its device (rules/engine/hold.ts): the device's outbound SYNs to
   * public addresses are then counted into the open alerts of the hold rules they match.
   */
  hold?: boolean;
  /** Where the rule came from (file path and line of `id`). */
  source: { file: string; line: number | null };
}
