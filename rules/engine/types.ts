// The rule engine's public shapes: alerts as the report, store, API and exports show them.

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
  /** How many times the rule fired for this key (repeats within suppress_for update this alert). */
  count: number;
  summary: string;
  evidence: AlertEvidence[];
  /** Advice id from rules/advice (e.g. "infected-reset", "change-password", "update"). */
  advice: string | null;
  /** The group-by values of this alert. */
  group: Record<string, string>;
}
