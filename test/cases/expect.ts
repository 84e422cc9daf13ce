// Test case expectations (suricata-verify style): where the capture comes from, and alert filters over the report.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { SEVERITIES } from '../../rules/engine/types.js';
import type { Report, ReportAlert } from '../../sensor/analyze.js';

const Filter = z.object({
  rule: z.string().optional(),
  device: z.string().optional(),
  severity: z.enum(SEVERITIES).optional(),
  /** Number of alerts matching (default: at least one). */
  alerts: z.number().int().min(0).optional(),
  /** Bounds on the alert's count (times it fired). */
  count_min: z.number().int().optional(),
  count_max: z.number().int().optional(),
  /**
   * Lower bound on the events counted into the alert (its counters evidence): what a household reads as
   * "N attempts". Unlike count it does not change when the device is held as a known scanner.
   */
  events_min: z.number().int().optional(),
  /** first_seen bounds in seconds after the capture's first packet. */
  first_seen_min: z.number().optional(),
  first_seen_max: z.number().optional(),
}).strict();

export const CaseSpec = z.object({
  description: z.string(),
  capture: z.union([
    z.object({ generated: z.string() }).strict(),
    z.object({ shared: z.string() }).strict(),
    z.object({ file: z.string() }).strict(),
  ]),
  local_nets: z.array(z.string()).optional(),
  /** Each filter must match (at least one, or exactly `alerts`) alerts. */
  expect: z.array(Filter).default([]),
  /** Each filter must match no alert. */
  absent: z.array(Filter).default([]),
  /** Alerts not matched by `expect` must be below this severity ('none': no other alerts at all). */
  others_below: z.enum([...SEVERITIES, 'none', 'any']).default('none'),
}).strict();

export type CaseSpecT = z.infer<typeof CaseSpec>;
export type FilterT = z.infer<typeof Filter>;

export function readCase(file: string): CaseSpecT {
  try {
    return CaseSpec.parse(parse(readFileSync(file, 'utf8')));
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
}

function matches(f: FilterT, a: ReportAlert, t0: number): boolean {
  if (f.rule !== undefined && a.rule !== f.rule) return false;
  if (f.device !== undefined && a.device !== f.device) return false;
  if (f.severity !== undefined && a.severity !== f.severity) return false;
  if (f.count_min !== undefined && a.count < f.count_min) return false;
  if (f.count_max !== undefined && a.count > f.count_max) return false;
  if (f.events_min !== undefined && eventsOf(a) < f.events_min) return false;
  const rel = (Date.parse(a.first_seen) - t0) / 1000;
  if (f.first_seen_min !== undefined && rel < f.first_seen_min) return false;
  if (f.first_seen_max !== undefined && rel > f.first_seen_max) return false;
  return true;
}

/** The events an alert counted (its counters evidence line); 0 when it has none. */
function eventsOf(a: ReportAlert): number {
  const c = a.evidence.find((e) => e.kind === 'counters');
  return typeof c?.events === 'number' ? c.events : 0;
}

/** Problems with a report against a case (empty = pass), in words. */
export function check(spec: CaseSpecT, r: Report): string[] {
  const problems: string[] = [];
  const t0 = r.stats.first_packet ? Date.parse(r.stats.first_packet) : 0;
  const show = (a: ReportAlert): string =>
    `${a.severity} ${a.rule} ${a.device} x${a.count} (${eventsOf(a)} events) at ${((Date.parse(a.first_seen) - t0) / 1000).toFixed(3)}s`;
  const used = new Set<ReportAlert>();
  for (const f of spec.expect) {
    const hit = r.alerts.filter((a) => matches(f, a, t0));
    hit.forEach((a) => used.add(a));
    // Alerts of the same rule and device count as explained even if a bound did not hold.
    r.alerts.filter((a) => a.rule === f.rule && (f.device === undefined || a.device === f.device)).forEach((a) => used.add(a));
    const ok = f.alerts === undefined ? hit.length >= 1 : hit.length === f.alerts;
    if (!ok) problems.push(`expected ${f.alerts ?? '>= 1'} alert(s) matching ${JSON.stringify(f)}, got ${hit.length}: ${r.alerts.map(show).join('; ') || 'no alerts'}`);
  }
  for (const f of spec.absent) {
    const hit = r.alerts.filter((a) => matches(f, a, t0));
    if (hit.length) problems.push(`expected no alert matching ${JSON.stringify(f)}, got ${hit.map(show).join('; ')}`);
  }
  if (spec.others_below !== 'any') {
    const limit = spec.others_below === 'none' ? -1 : SEVERITIES.indexOf(spec.others_below);
    const extra = r.alerts.filter((a) => !used.has(a) && SEVERITIES.indexOf(a.severity) >= limit);
    if (extra.length) problems.push(`unexpected alert(s) (others must be below ${spec.others_below}): ${extra.map(show).join('; ')}`);
  }
  return problems;
}
