// The streaming rule engine: match events against compiled rules, keep bounded windowed state per key, raise alerts.
import type { EventType, WaakhondEvent } from '../../sensor/events.js';
import type { Alert, AlertEvidence, Rule, Severity } from './types.js';
import { SEVERITIES } from './types.js';
import { acceptedValues, compileMatch, deviceOf, getter, matches, type Check, type FieldContext, type Getter } from './compile.js';
import { DistinctCounter, WindowSum } from './counters.js';
import type { AlertPseudoEvent, EngineEvent } from './fields.js';
import { durationUs } from './schema.js';
import { projectPath } from '../../sensor/paths.js';
import { listRuleFiles, loadRulePacks, type RuleLoadError } from './load.js';
import { Baseline } from './baseline.js';
import { fillTexts } from '../../sensor/i18n/alert-text.js';
import type { BaselineConfig } from './baseline-config.js';
import { HOLD_PASS, HoldPlan, type PlanRule } from './hold.js';
import { ipv4ToString } from '../../sensor/decode/format.js';
import { HELD_MATCHED, HELD_OTHER, type HeldSyn } from '../../sensor/scan-hold.js';

export { loadRulePacks, type RuleLoadError };

/** rules/packs/ under the installation root: the default pack folder (every subfolder is a pack). */
export function defaultPackDirs(): string[] {
  return [projectPath('rules', 'packs')];
}

/** For `waakhond check`: load every pack, report counts and every refused file with line and reason. */
export function validateRulePacks(dirs: string[] = defaultPackDirs()): {
  ok: boolean;
  files: number;
  rules: number;
  errors: RuleLoadError[];
  /** Human-readable lines: "file:line: reason", then a total. */
  lines: string[];
} {
  const { files } = listRuleFiles(dirs);
  const { rules, errors } = loadRulePacks(dirs);
  const lines = errors.map((e) => `${e.file}${e.line !== null ? `:${e.line}` : ''}: ${e.reason}`);
  lines.push(`${rules.length} rule(s) valid in ${files.length} file(s), ${errors.length} error(s)`);
  return { ok: errors.length === 0, files: files.length, rules: rules.length, errors, lines };
}

export interface RuleEngineOptions {
  /** Cap on keys (group-by values) per rule; oldest are evicted past it. Default 1024. */
  maxKeysPerRule?: number;
  /** Exact distinct values kept per key before switching to HyperLogLog. Default 256. */
  distinctCap?: number;
  /** Cap on alerts kept (oldest-updated evicted). Default 5000. */
  maxAlerts?: number;
  /** Evidence samples kept per alert. Default 5. */
  maxSamples?: number;
  /** Minimum capture time between two 'updated' notifications of one alert. Default 10 s. */
  updateIntervalUs?: number;
  /** Cap on devices whose DHCP resolvers are remembered. Default 4096. */
  maxDhcpLeases?: number;
  /**
   * The device's inventory category ("camera", "computer", ...) or null when unknown: rules with
   * severity_by_kind ask it when an alert is raised or updated (and on deviceChanged()). Supplied by
   * whoever owns an inventory (analyze, the daemon).
   */
  deviceKind?: ((device: string) => string | null) | null;
  /** The per-device baseline's settings (rules/baseline/baseline.yaml); null or absent: no baseline. */
  baseline?: BaselineConfig | null;
  /** MACs of the sensor itself: never announced as a new device. */
  selfMacs?: string[];
}

const rankOf = (s: string): number => SEVERITIES.indexOf(s as Severity);
/** The highest severity a rule can give (its default or any of severity_by_kind). */
const topRank = (r: Rule): number => Math.max(rankOf(r.severity), ...Object.values(r.severity_by_kind ?? {}).map(rankOf));

interface KeyState {
  last: number;
  sum: WindowSum | null;
  distinct: DistinctCounter | null;
  /** periodic: last event, count of intervals, Welford mean and M2 (µs). */
  pLast: number;
  pN: number;
  pMean: number;
  pM2: number;
  /** periodic with order: ts: the last min_count event times, sorted (null otherwise). */
  pTimes: number[] | null;
  /** sequence: next step index and time of step 0. */
  step: number;
  t0: number;
}

interface Compiled {
  rule: Rule;
  index: number;
  /** Compiled match block of each step (one for a plain match). */
  steps: Check[][];
  stepEvents: string[];
  groupGet: Getter[];
  /**
   * Rules grouping by the same fields (and device side) share one key per event: the group key is
   * built once, and the same string object (its hash cached by V8) is looked up in each rule's map.
   * -1: not shared (a group field that reads engine state).
   */
  groupSig: number;
  windowUs: number;
  withinUs: number;
  suppressUs: number;
  kind: 'count' | 'sum' | 'distinct' | 'periodic' | 'sequence';
  min: number;
  valueGet: Getter | null;
  periodic: { minCount: number; maxJitter: number; minIntervalUs: number; byTs: boolean } | null;
  /** severity_by_kind, or null; and the highest severity it gives (an alert there cannot escalate further). */
  byKind: Record<string, Severity> | null;
  byKindTop: number;
  /** Raised by the engine itself (the baseline), not matched from events. */
  synthetic: boolean;
  sliding: boolean;
  keys: Map<string, KeyState>;
  maxKeys: number;
  keysEvicted: number;
  /** Evicted key states kept for reuse: a flood of new keys then allocates nothing. */
  free: KeyState[];
  lastSweep: number;
  matched: number;
  fired: number;
  sampleFields: string[];
  /** Index among the hold rules (hold.ts), or -1. */
  holdIndex: number;
  /** What a held SYN adds to the alert's distinct counter: 1 dst_ip, 2 dst_port, 0 none. */
  holdDistinct: number;
}

/**
 * Where an event goes: the rules listening to its type, sorted by the value of the field most of them
 * test for equality (conn: proto, then dst_port; tcp_syn: direction, then dst_port; dns: response ...),
 * so an event visits only the rules that can accept the values it carries. A node looks up one field
 * (field non-null) or is a leaf listing the rules to test. Every leaf keeps rule order, so alerts fire
 * in the same order as without the tree.
 */
interface Route {
  /** The field looked up here, or null at a leaf. */
  field: string | null;
  /** Field value -> the rules that do not test the field plus those that accept this value. */
  byValue: Map<unknown, Route>;
  /** The rules that do not test the field (for any value no rule accepts); null at a leaf. */
  rest: Route | null;
  /** At a leaf: the rules to visit, and what is left of each match (null: a sequence, tested step by step). */
  rules: Compiled[];
  checks: (Check[] | null)[];
}

/** A rule on its way down the tree, with the checks no node above has decided yet. */
interface RouteEntry {
  c: Compiled;
  checks: Check[] | null;
}

/** Field lookups per event at most (each level removes one equality test from the rules below it). */
const ROUTE_DEPTH = 2;
/** Nodes per event type at most: lists of many values at every level could multiply out. */
const ROUTE_BUDGET = 4096;

interface AlertState {
  alert: Alert;
  c: Compiled;
  episode: number;
  events: number;
  total: number;
  distinct: DistinctCounter | null;
  lastEmit: number;
  pending: boolean;
  samples: AlertEvidence[];
  lastEvent: EngineEvent | null;
  /** Extra counters from the last firing (periodic: interval and jitter; the baseline's values). */
  extra: Record<string, number | string> | null;
  /** Evidence the engine adds (severity escalations), a few at most. */
  notes: AlertEvidence[];
  /** Capture time the device's kind was last asked at an update (asked once a second at most). */
  kindAsked: number;
  /** Evicted from the alert table: a held device's SYNs must not count into it any more. */
  gone: boolean;
}

/**
 * A device held as a known scanner (hold.ts): the open alert of each hold rule for it, and what its held
 * SYNs added since the last fold (counts, the last destination per rule). The pipeline keeps it as the
 * handle it passes back with each held SYN.
 */
export interface HeldDevice {
  device: string;
  alerts: (AlertState | null)[];
  n: number[];
  lastDst: number[];
  lastPort: number[];
  /** Capture time of the next fold (once a second). */
  nextFold: number;
  released: boolean;
}

/** Devices held at once at most (a home with more scanners than this has bigger problems; the rest go the usual way). */
const MAX_HELD = 64;

/** Delete up to n entries from the front (oldest inserted) of a Map in one pass; returns how many. */
function evictOldest<K, V>(m: Map<K, V>, n: number, free?: V[]): number {
  // Deleting the entry just visited is safe while iterating a Map (ECMA-262 24.1.3.5: iteration goes on
  // from the next entry), so no list of doomed keys nor [key, value] pair is made (a flood evicts all the time).
  let done = 0;
  for (const k of m.keys()) {
    if (done >= n) break;
    if (free) free.push(m.get(k)!);
    m.delete(k);
    done++;
  }
  return done;
}

/** Build the dispatch tree for one event type's rules (see Route). */
function buildRoutes(list: Compiled[]): Route {
  const budget = { left: ROUTE_BUDGET };
  return buildRoute(list.map((c) => ({ c, checks: c.kind === 'sequence' ? null : c.steps[0]! })), 0, budget);
}

/** `budget.left`: nodes that may still be made below the root (shared by the whole tree). */
function buildRoute(entries: RouteEntry[], depth: number, budget: { left: number }): Route {
  const leaf: Route = { field: null, byValue: new Map(), rest: null, rules: entries.map((en) => en.c), checks: entries.map((en) => en.checks) };
  if (depth >= ROUTE_DEPTH) return leaf;
  // Per entry and field: the first equality check on the field and every value that passes it.
  const eqOf = new Map<RouteEntry, Map<string, { check: Check; values: Set<unknown> }>>();
  const votes = new Map<string, number>();
  for (const en of entries) {
    if (en.checks === null) continue; // a sequence: several steps, always visited
    const fields = new Map<string, { check: Check; values: Set<unknown> }>();
    for (const check of en.checks) {
      const values = acceptedValues(check);
      if (values === null || fields.has(check.field)) continue;
      fields.set(check.field, { check, values: new Set(values) });
      votes.set(check.field, (votes.get(check.field) ?? 0) + 1);
    }
    eqOf.set(en, fields);
  }
  let field: string | null = null;
  for (const [f, n] of votes) if (field === null || n > votes.get(field)!) field = f;
  if (field === null) return leaf;
  const decided = (en: RouteEntry): { check: Check; values: Set<unknown> } | undefined => eqOf.get(en)?.get(field);
  const values = new Set<unknown>();
  for (const en of entries) for (const v of decided(en)?.values ?? []) values.add(v);
  if (values.size + 1 > budget.left) return leaf;
  budget.left -= values.size + 1; // this node's children, counted before any of them splits further
  // Below a value, a rule that tests the field holds for it: drop that check (it would only pass again).
  const below = (v: unknown): RouteEntry[] => entries.flatMap((en) => {
    const d = decided(en);
    if (d === undefined) return [en];
    return d.values.has(v) ? [{ c: en.c, checks: en.checks!.filter((check) => check !== d.check) }] : [];
  });
  const byValue = new Map<unknown, Route>();
  for (const v of values) byValue.set(v, buildRoute(below(v), depth + 1, budget));
  const rest = buildRoute(entries.filter((en) => decided(en) === undefined), depth + 1, budget);
  return { field, byValue, rest, rules: [], checks: [] };
}

/** The event a held SYN stands for, made when a hold rule fires on it (its sample and summary read it). */
function heldEvent(type: string, device: string, s: HeldSyn, seqIsDst: boolean): EngineEvent & Record<string, unknown> {
  const base = {
    ts: s.ts, src_mac: device, dst_mac: null, src_ip: ipv4ToString(s.srcIp), dst_ip: ipv4ToString(s.dstIp),
    direction: 'outbound', src_port: s.srcPort, dst_port: s.dstPort,
  };
  if (type === 'udp') {
    return { ...base, type: 'conn', end_ts: s.ts, proto: 'udp', ip_proto: 17, state: 'S0', orig_pkts: 1, orig_bytes: 0, resp_pkts: 0, resp_bytes: 0, reason: 'held' } as never;
  }
  return (type === 'conn'
    ? { ...base, type: 'conn', end_ts: s.ts, proto: 'tcp', ip_proto: 6, state: 'S0', orig_pkts: 1, orig_bytes: 0, resp_pkts: 0, resp_bytes: 0, reason: 'held' }
    : { ...base, type: 'tcp_syn', seq: s.seq, window: s.window, ttl: s.ttl, options_length: s.optLen, mirai_seq: seqIsDst, ecn: s.ecn }) as never;
}

const planRule = (c: Compiled): PlanRule => ({ stepEvents: c.stepEvents, steps: c.steps, groupBy: c.rule.group_by });

const TEMPLATE_RE = /\{([a-z_0-9]+)\}/g;

/** The key state synthetic alerts pass to fire() (they keep no counters per key). */
const SYNTHETIC_KEY: KeyState = {
  last: 0, sum: null, distinct: null, pLast: 0, pN: 0, pMean: 0, pM2: 0, pTimes: null, step: 0, t0: 0,
};

function fmtValue(v: unknown): string {
  if (v === null || v === undefined) return '?';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(2);
  // Summaries are one line: network text may carry line breaks and control characters.
  const s = (typeof v === 'string' ? v : JSON.stringify(v)).replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return s.length > 120 ? s.slice(0, 117) + '...' : s;
}

function fmtDuration(us: number): string {
  if (us % 3_600_000_000 === 0) return `${us / 3_600_000_000} h`;
  if (us % 60_000_000 === 0) return `${us / 60_000_000} min`;
  if (us >= 1_000_000) return `${+(us / 1e6).toFixed(1)} s`;
  return `${us / 1000} ms`;
}

export class RuleEngine implements FieldContext {
  onAlert: ((a: Alert, change: 'raised' | 'updated') => void) | null = null;
  readonly stats = {
    rules: 0,
    events: 0,
    matched: 0,
    alerts_raised: 0,
    alerts_updated: 0,
    alerts_evicted: 0,
    /** Open alerts raised to a higher severity once the device's kind was known (severity_by_kind). */
    alerts_escalated: 0,
    keys: 0,
    keys_evicted: 0,
    /** The per-device baseline (0 without one): profiles, evicted profiles, devices known, capture seconds watched. */
    baseline_devices: 0,
    baseline_devices_evicted: 0,
    baseline_known_macs: 0,
    baseline_watched_s: 0,
    /**
     * Known scanners held (hold.ts): holds started, SYNs counted while held, holds refused because
     * MAX_HELD devices were held already (those devices' SYNs stay events).
     */
    holds_started: 0,
    held_syns: 0,
    held_datagrams: 0,
    holds_refused: 0,
    /** Names of full tables (pressure warnings), as in sensor_stats. */
    tables_full: [] as string[],
  };

  private readonly byType = new Map<string, Compiled[]>();
  private readonly routes = new Map<string, Route>();
  private readonly compiled: Compiled[] = [];
  private readonly alertsById = new Map<string, AlertState>();
  /** rule + group key -> the alert id of the current episode. */
  private readonly current = new Map<string, string>();
  private readonly leases = new Map<string, string[]>();
  private readonly opts: Required<Omit<RuleEngineOptions, 'deviceKind' | 'baseline' | 'selfMacs'>>;
  private readonly deviceKind: ((device: string) => string | null) | null;
  /** Open alerts of rules with severity_by_kind, by device: what deviceChanged() re-evaluates. */
  private readonly byKindAlerts = new Map<string, Set<AlertState>>();
  /** The per-device baseline, when configured. */
  readonly baseline: Baseline | null;
  private readonly full = new Set<string>();
  private leasesEvicted = 0;
  private now = 0;
  /** Capture time of the first event seen (traffic intervals start before their first packet). */
  private firstTs = -1;
  private alertDepth = 0;
  /** Alerts with an 'updated' notification held back by the update interval. */
  private readonly pendingUpdates = new Set<AlertState>();
  private lastPendingCheck = 0;
  /**
   * Group keys of the event being matched, by group signature: valid while keyAt[sig] === keyEpoch.
   * The epoch moves with every observe() and whenever keyOf() sees another event object (an alert
   * fed to sequence rules in the middle of an event).
   */
  private readonly sigIds = new Map<string, number>();
  private readonly keyAt: number[] = [];
  private readonly keyVal: string[] = [];
  private keyEvent: unknown = null;
  private keyEpoch = 0;
  /** Rules marked `hold: true`, in hold-index order, and the plan deciding what a held SYN matches (made at the first hold). */
  private readonly holdRules: Compiled[] = [];
  private holdPlan: HoldPlan | null = null;
  private readonly held = new Map<string, HeldDevice>();
  /**
   * Called when an alert of a hold rule starts holding its device (a MAC): whoever owns the packet path
   * (the pipeline) then passes that device's outbound SYNs to public IPv4 addresses to heldSyn().
   */
  onHold: ((device: string, handle: HeldDevice) => void) | null = null;
  /** The held SYN being counted, and the tcp_syn event it stands for, made only when the baseline raises on it. */
  private heldDev: HeldDevice | null = null;
  private heldCur: HeldSyn | null = null;
  private readonly heldUdpFlow = (): WaakhondEvent => heldEvent('udp', this.heldDev!.device, this.heldCur!, false) as unknown as WaakhondEvent;
  private readonly heldTcpSyn = (): WaakhondEvent => heldEvent('tcp_syn', this.heldDev!.device, this.heldCur!, this.heldCur!.seq === this.heldCur!.dstIp) as unknown as WaakhondEvent;

  constructor(rules: Rule[], opts: RuleEngineOptions = {}) {
    this.opts = {
      maxKeysPerRule: opts.maxKeysPerRule ?? 1024,
      distinctCap: opts.distinctCap ?? 256,
      maxAlerts: opts.maxAlerts ?? 5000,
      maxSamples: opts.maxSamples ?? 5,
      updateIntervalUs: opts.updateIntervalUs ?? 10_000_000,
      maxDhcpLeases: opts.maxDhcpLeases ?? 4096,
    };
    this.deviceKind = opts.deviceKind ?? null;
    rules.forEach((r, i) => this.add(r, i));
    this.baseline = opts.baseline
      ? new Baseline(opts.baseline, {
        rule: (r) => this.addSynthetic(r),
        raise: (c, group, e, extra) => this.raiseSynthetic(c as Compiled, group, e, extra),
        deviceKind: (d) => this.kindOf(d),
        markFull: (name) => this.markFull(name),
      }, opts.selfMacs ?? [])
      : null;
    for (const [type, list] of this.byType) this.routes.set(type, buildRoutes(list));
    this.stats.rules = this.compiled.length;
  }

  private add(rule: Rule, index: number): void {
    const steps = rule.match ? [rule.match] : rule.sequence!.steps;
    const t = rule.threshold as Record<string, unknown>;
    const kind: Compiled['kind'] = rule.sequence ? 'sequence'
      : 'sum' in t ? 'sum' : 'distinct' in t ? 'distinct' : 'periodic' in t ? 'periodic' : 'count';
    const side = steps[0]!.device_is;
    const p = t.periodic as { min_count: number; max_jitter: number; min_interval?: string; order?: string } | undefined;
    const c: Compiled = {
      rule,
      index,
      steps: steps.map(compileMatch),
      stepEvents: steps.map((s) => s.event),
      groupGet: rule.group_by.map((g) => getter(g, side)),
      groupSig: rule.group_by.includes('dhcp_dns') ? -1 : this.groupSig(`${side ?? ''}/${rule.group_by.join(',')}`),
      windowUs: durationUs(rule.window.size)!,
      withinUs: rule.sequence ? durationUs(rule.sequence.within)! : 0,
      suppressUs: durationUs(rule.suppress_for)!,
      kind,
      min: kind === 'count' ? (t.count as number) : kind === 'periodic' ? p!.min_count : ((t.min as number) ?? 1),
      valueGet: kind === 'sum' ? getter(t.sum as string, side) : kind === 'distinct' ? getter(t.distinct as string, side) : null,
      periodic: p ? {
        minCount: p.min_count, maxJitter: p.max_jitter, minIntervalUs: p.min_interval ? durationUs(p.min_interval)! : 0,
        byTs: p.order === 'ts',
      } : null,
      byKind: rule.severity_by_kind && Object.keys(rule.severity_by_kind).length ? rule.severity_by_kind : null,
      byKindTop: topRank(rule),
      synthetic: false,
      sliding: rule.window.kind === 'sliding',
      keys: new Map(),
      maxKeys: rule.max_keys ?? this.opts.maxKeysPerRule,
      keysEvicted: 0,
      free: [],
      lastSweep: 0,
      matched: 0,
      fired: 0,
      sampleFields: [...(rule.sample ?? '').matchAll(TEMPLATE_RE)].map((m) => m[1]!),
      holdIndex: -1,
      holdDistinct: t.distinct === 'dst_ip' ? 1 : t.distinct === 'dst_port' ? 2 : 0,
    };
    if (rule.hold === true) {
      c.holdIndex = this.holdRules.length;
      this.holdRules.push(c);
    }
    this.compiled.push(c);
    for (const ev of new Set(c.stepEvents)) {
      let list = this.byType.get(ev);
      if (!list) this.byType.set(ev, (list = []));
      list.push(c);
    }
  }

  /** A rule the engine raises itself (the baseline's alerts): compiled for ids, suppression and rendering, never matched. */
  private addSynthetic(rule: Rule): Compiled {
    const c: Compiled = {
      rule, index: this.compiled.length, steps: [], stepEvents: [],
      groupGet: rule.group_by.map((g) => getter(g)),
      groupSig: -1,
      windowUs: durationUs(rule.window.size)!, withinUs: 0, suppressUs: durationUs(rule.suppress_for)!,
      kind: 'count', min: 1, valueGet: null, periodic: null,
      byKind: rule.severity_by_kind && Object.keys(rule.severity_by_kind).length ? rule.severity_by_kind : null,
      byKindTop: topRank(rule),
      synthetic: true, sliding: true, keys: new Map(), maxKeys: 1, keysEvicted: 0, free: [], lastSweep: 0,
      matched: 0, fired: 0, sampleFields: [...(rule.sample ?? '').matchAll(TEMPLATE_RE)].map((m) => m[1]!),
      holdIndex: -1, holdDistinct: 0,
    };
    this.compiled.push(c);
    this.stats.rules = this.compiled.length;
    return c;
  }

  /** The baseline's way in: raise or update the alert of a synthetic rule for this group. */
  private raiseSynthetic(c: Compiled, group: Record<string, string>, e: EngineEvent, extra: Record<string, number | string>): void {
    c.matched++;
    let key = '';
    for (const g of c.rule.group_by) key += (key ? '|' : '') + (group[g] ?? '?');
    this.fire(c, key, SYNTHETIC_KEY, e as EngineEvent & Record<string, unknown>, 1, extra, group);
  }

  /** The device's kind from the inventory (null when unknown or no inventory); never throws. */
  private kindOf(device: string | null): string | null {
    if (device === null || this.deviceKind === null) return null;
    try {
      return this.deviceKind(device);
    } catch {
      return null;
    }
  }

  /** The severity a rule gives this device now, and the kind it was decided by (null: the rule's default). */
  private severityFor(c: Compiled, device: string | null): { severity: Severity; kind: string | null } {
    if (c.byKind === null) return { severity: c.rule.severity, kind: null };
    const kind = this.kindOf(device);
    const s = kind !== null ? c.byKind[kind] : undefined;
    return s !== undefined ? { severity: s, kind } : { severity: c.rule.severity, kind: null };
  }

  /**
   * Raise an open alert's severity when its device's kind now calls for more (never lower it: a
   * device misidentified for a moment must not quiet an alert). The change is an evidence line.
   */
  private escalate(as: AlertState): boolean {
    if (as.c.byKind === null || rankOf(as.alert.severity) >= as.c.byKindTop) return false;
    const { severity, kind } = this.severityFor(as.c, as.alert.device);
    if (rankOf(severity) <= rankOf(as.alert.severity)) return false;
    const from = as.alert.severity;
    as.alert.severity = severity;
    if (as.notes.length < 4) {
      as.notes.push({
        detail: `severity ${from} -> ${severity}: the device is a ${kind}`, kind: 'severity', ts: Math.max(this.now, as.alert.last_seen),
        from, to: severity, device_kind: kind,
      });
    }
    this.stats.alerts_escalated++;
    return true;
  }

  /**
   * The inventory learnt something about a device (it calls this on a change): open alerts of rules
   * with severity_by_kind for it are escalated if its kind now calls for more, and sent as 'updated'.
   */
  deviceChanged(device: string): void {
    const set = this.byKindAlerts.get(device);
    if (set === undefined) return;
    for (const as of set) if (this.escalate(as)) this.emit(as, 'updated');
  }
  /** FieldContext: resolvers DHCP handed to a device. */
  dhcpResolvers(device: string): readonly string[] | undefined {
    return this.leases.get(device);
  }

  /** Event types some rule listens to (the pipeline may skip producing others). */
  eventTypes(): EventType[] {
    return [...this.byType.keys()].filter((t) => t !== 'alert') as EventType[];
  }

  observe(e: WaakhondEvent): void {
    this.stats.events++;
    this.keyEpoch++; // a new event (callers may reuse one object, changed, for the next)
    if (e.ts > this.now) this.now = e.ts;
    if (this.firstTs < 0) this.firstTs = e.ts;
    // Once per second of capture time, send the held-back updates that are due.
    if (this.pendingUpdates.size > 0 && e.ts - this.lastPendingCheck >= 1_000_000) this.sendDueUpdates(e.ts);
    if (e.type === 'dhcp') this.noteDhcp(e);
    if (this.baseline !== null) this.baseline.observe(e);
    let route = this.routes.get(e.type);
    if (route === undefined) return;
    const ev = e as EngineEvent & Record<string, unknown>;
    // Down the tree (ROUTE_DEPTH lookups at most) to the rules that can accept this event's values.
    while (route.field !== null) route = route.byValue.get(ev[route.field]) ?? route.rest!;
    const rules = route.rules;
    for (let i = 0; i < rules.length; i++) {
      const c = rules[i]!;
      const checks = route.checks[i] as Check[] | null;
      // Most (event, rule) pairs fail the match: test it here, where matches() is inlined, and call
      // update() only for the few that pass (the same test as run(), without a call per pair).
      if (checks !== null ? matches(checks, ev, this) : this.stepMatches(c, ev)) this.update(c, ev);
    }
  }

  private noteDhcp(e: Extract<WaakhondEvent, { type: 'dhcp' }>): void {
    // RFC 2132 3.5/3.8: the resolvers and routers the server hands out are what the device should use.
    if (e.op !== 'reply' || (e.message_type !== 'ack' && e.message_type !== 'offer')) return;
    if (e.dns_servers.length === 0 && e.routers.length === 0) return;
    const list = [...e.dns_servers, ...e.routers].slice(0, 16);
    if (!this.leases.has(e.client_mac) && this.leases.size >= this.opts.maxDhcpLeases) {
      const oldest = this.leases.keys().next().value as string;
      this.leases.delete(oldest);
      this.leasesEvicted++;
      this.markFull('rules.dhcp_leases');
    }
    this.leases.delete(e.client_mac);
    this.leases.set(e.client_mac, list);
  }

  private run(c: Compiled, e: EngineEvent): void {
    const a = e as EngineEvent & Record<string, unknown>;
    if (c.kind !== 'sequence' ? matches(c.steps[0]!, a, this) : this.stepMatches(c, a)) this.update(c, a);
  }

  /** An event matched the rule: count it under its key and fire when the threshold is reached. */
  private update(c: Compiled, e: EngineEvent & Record<string, unknown>): void {
    c.matched++;
    this.stats.matched++;
    const key = this.keyOf(c, e);
    if (key === null) return;
    let st = c.keys.get(key);
    if (st === undefined) st = this.newKey(c, key, e.ts);
    // Events may come out of order of ts (conn at flow end): "last" only moves forward.
    if (e.ts > st.last) st.last = e.ts;
    switch (c.kind) {
      case 'count':
        if (c.min === 1) return this.fire(c, key, st, e, 1);
        st.sum!.add(e.ts, 1);
        if (st.sum!.total >= c.min) { const n = st.sum!.total; st.sum!.reset(); this.fire(c, key, st, e, n); }
        return;
      case 'sum': {
        const v = c.valueGet!(e, this);
        if (typeof v !== 'number' || !(v > 0)) return;
        st.sum!.add(e.ts, v);
        if (st.sum!.total >= c.min) { const n = st.sum!.total; st.sum!.reset(); this.fire(c, key, st, e, n); }
        return;
      }
      case 'distinct': {
        const v = c.valueGet!(e, this);
        if (v === null || v === undefined) return;
        const d = st.distinct!;
        d.add(typeof v === 'string' || typeof v === 'number' ? v : String(v), e.ts);
        st.pN++;
        if (d.count() >= c.min) { const n = st.pN; st.pN = 0; this.fire(c, key, st, e, n); d.clear(); }
        return;
      }
      case 'periodic':
        return c.periodic!.byTs ? this.periodicByTs(c, key, st, e) : this.periodic(c, key, st, e);
      case 'sequence':
        return this.sequence(c, key, st, e);
    }
  }

  private stepMatches(c: Compiled, e: EngineEvent & Record<string, unknown>): boolean {
    for (let i = 0; i < c.steps.length; i++) if (c.stepEvents[i] === e.type && matches(c.steps[i]!, e, this)) return true;
    return false;
  }

  private sequence(c: Compiled, key: string, st: KeyState, e: EngineEvent & Record<string, unknown>): void {
    if (st.step > 0 && e.ts - st.t0 > c.withinUs) st.step = 0;
    // Advance past every step this event satisfies, in order (one event can be the last step only).
    const i = st.step;
    if (c.stepEvents[i] === e.type && matches(c.steps[i]!, e, this)) {
      if (i === 0) st.t0 = e.ts;
      st.step = i + 1;
      if (st.step === c.steps.length) {
        st.step = 0;
        this.fire(c, key, st, e, c.steps.length);
      }
    } else if (i > 0 && c.stepEvents[0] === e.type && matches(c.steps[0]!, e, this) && e.ts - st.t0 > c.withinUs / 2) {
      // A fresh first step restarts an old partial sequence.
      st.t0 = e.ts;
      st.step = 1;
    }
  }

  private periodic(c: Compiled, key: string, st: KeyState, e: EngineEvent & Record<string, unknown>): void {
    const p = c.periodic!;
    if (st.pLast > 0) {
      const dt = e.ts - st.pLast;
      if (dt > c.windowUs) {
        st.pN = 0; st.pMean = 0; st.pM2 = 0; // a gap longer than the window starts over
      } else if (dt > 0) {
        st.pN++;
        const d = dt - st.pMean;
        st.pMean += d / st.pN;
        st.pM2 += d * (dt - st.pMean);
      }
    }
    st.pLast = e.ts;
    if (st.pN + 1 >= p.minCount && st.pMean >= p.minIntervalUs && st.pMean > 0) {
      const cv = Math.sqrt(st.pM2 / st.pN) / st.pMean;
      if (cv <= p.maxJitter) {
        const n = st.pN + 1;
        const mean = st.pMean;
        st.pN = 0; st.pMean = 0; st.pM2 = 0;
        this.fire(c, key, st, e, n, { interval_s: +(mean / 1e6).toFixed(3), jitter: +cv.toFixed(3) });
      }
    }
  }

  /**
   * Periodic on the events' own times: conn events reach the engine when their flow ends (S0 after
   * the 5 min idle timeout, REJ 5 s after the RST), out of order of ts, the flow's first packet. The
   * last min_count times are kept sorted; a time older than the window before the newest is too late
   * to matter and dropped, and a gap longer than the window starts the run over (as in periodic()).
   */
  private periodicByTs(c: Compiled, key: string, st: KeyState, e: EngineEvent & Record<string, unknown>): void {
    const p = c.periodic!;
    const t = st.pTimes ?? (st.pTimes = []);
    const ts = e.ts;
    const n0 = t.length;
    if (n0 > 0 && ts < t[n0 - 1]! - c.windowUs) return;
    let i = n0;
    while (i > 0 && t[i - 1]! > ts) i--;
    if (i > 0 && t[i - 1] === ts) return; // the same start time twice is one attempt
    t.splice(i, 0, ts);
    for (let j = t.length - 1; j > 0; j--) {
      if (t[j]! - t[j - 1]! > c.windowUs) { t.splice(0, j); break; }
    }
    if (t.length > p.minCount) t.splice(0, t.length - p.minCount);
    if (t.length < p.minCount) return;
    const n = t.length - 1;
    const mean = (t[n]! - t[0]!) / n;
    if (!(mean > 0) || mean < p.minIntervalUs) return;
    let m2 = 0;
    for (let j = 1; j <= n; j++) { const d = t[j]! - t[j - 1]! - mean; m2 += d * d; }
    const cv = Math.sqrt(m2 / n) / mean;
    if (cv > p.maxJitter) return;
    t.length = 0;
    this.fire(c, key, st, e, n + 1, { interval_s: +(mean / 1e6).toFixed(3), jitter: +cv.toFixed(3) });
  }

  /** The shared-key slot of a group_by signature (see Compiled.groupSig). */
  private groupSig(sig: string): number {
    let id = this.sigIds.get(sig);
    if (id === undefined) {
      this.sigIds.set(sig, (id = this.sigIds.size));
      this.keyAt.push(-1);
      this.keyVal.push('');
    }
    return id;
  }

  private keyOf(c: Compiled, e: EngineEvent & Record<string, unknown>): string | null {
    const sig = c.groupSig;
    if (sig >= 0) {
      if (e !== this.keyEvent) { this.keyEvent = e; this.keyEpoch++; }
      if (this.keyAt[sig] === this.keyEpoch) return this.keyVal[sig]!;
      const k = this.makeKey(c, e);
      this.keyAt[sig] = this.keyEpoch;
      this.keyVal[sig] = k;
      return k;
    }
    return this.makeKey(c, e);
  }

  private makeKey(c: Compiled, e: EngineEvent & Record<string, unknown>): string {
    const g = c.groupGet;
    if (g.length === 1) {
      const v = g[0]!(e, this);
      return v === null || v === undefined ? '?' : typeof v === 'string' ? v : String(v);
    }
    let k = '';
    for (let i = 0; i < g.length; i++) {
      const v = g[i]!(e, this);
      k += (i ? '|' : '') + (v === null || v === undefined ? '?' : String(v));
    }
    return k;
  }

  private newKey(c: Compiled, key: string, ts: number): KeyState {
    if (c.keys.size >= c.maxKeys) {
      const horizon = Math.max(c.windowUs, c.withinUs);
      // Sweep idle keys at most twice per window; otherwise evict the oldest-created key (O(1)).
      if (ts - c.lastSweep > horizon / 2) {
        c.lastSweep = ts;
        for (const [k, s] of c.keys) if (ts - s.last > horizon) c.keys.delete(k);
      }
      if (c.keys.size >= c.maxKeys) {
        // Evict the oldest eighth in one pass: deleting one key at a time from the front of a Map
        // leaves holes that every later keys().next() walks over (O(n) per eviction under a flood).
        const n = evictOldest(c.keys, Math.max(1, c.maxKeys >> 3), c.free);
        c.keysEvicted += n;
        this.stats.keys_evicted += n;
        this.markFull(`rules.keys:${c.rule.id}`);
      }
    }
    let st = c.free.pop();
    if (st !== undefined) {
      st.last = ts;
      st.sum?.clear();
      st.distinct?.clear();
      st.pLast = 0; st.pN = 0; st.pMean = 0; st.pM2 = 0; st.step = 0; st.t0 = 0;
      if (st.pTimes !== null && st.pTimes.length !== 0) st.pTimes.length = 0;
    } else {
      st = {
        last: ts,
        sum: c.kind === 'count' || c.kind === 'sum' ? new WindowSum(c.windowUs, c.sliding) : null,
        distinct: c.kind === 'distinct' ? new DistinctCounter(this.opts.distinctCap, c.windowUs) : null,
        pLast: 0, pN: 0, pMean: 0, pM2: 0, pTimes: null, step: 0, t0: 0,
      };
    }
    c.keys.set(key, st);
    return st;
  }

  private markFull(name: string): void {
    if (!this.full.has(name)) {
      this.full.add(name);
      this.stats.tables_full = [...this.full];
    }
  }

  private fire(c: Compiled, key: string, st: KeyState, e: EngineEvent & Record<string, unknown>, n: number,
    extra?: Record<string, number | string>, groupIn?: Record<string, string>): void {
    c.fired++;
    // A traffic interval is stamped with its start, which may precede the capture's first packet.
    const ts = e.ts < this.firstTs ? this.firstTs : e.ts;
    const ck = c.index + '\u0000' + key;
    const curId = this.current.get(ck);
    let as = curId !== undefined ? this.alertsById.get(curId) : undefined;
    if (as !== undefined && ts - as.alert.last_seen <= c.suppressUs) {
      as.alert.count++;
      as.alert.last_seen = Math.max(as.alert.last_seen, ts);
      as.events += 1;
      as.total += n;
      this.collect(as, st, e, extra);
      // Keep eviction order = least recently updated first.
      this.alertsById.delete(as.alert.id);
      this.alertsById.set(as.alert.id, as);
      as.pending = true;
      // An escalation is news: it is sent now, not held back by the update interval. The inventory is
      // asked once a second at most (a rule of count 1 updates on every matching packet of a flood).
      let escalated = false;
      if (as.c.byKind !== null && ts - as.kindAsked >= 1_000_000) {
        as.kindAsked = ts;
        escalated = this.escalate(as);
      }
      if (escalated || ts - as.lastEmit >= this.opts.updateIntervalUs) this.emit(as, 'updated');
      else this.pendingUpdates.add(as);
      if (c.holdIndex >= 0) this.hold(as);
      return;
    }
    const episode = as ? as.episode + 1 : 1;
    const baseId = `${c.rule.id}/${key}`;
    const id = episode === 1 ? baseId : `${baseId}/${episode}`;
    let group: Record<string, string>;
    if (groupIn !== undefined) group = { ...groupIn };
    else {
      group = {};
      c.rule.group_by.forEach((g, i) => {
        const v = c.groupGet[i]!(e, this);
        group[g] = v === null || v === undefined ? '?' : String(v);
      });
    }
    const device = group.device ?? deviceOf(e) ?? null;
    const sev = this.severityFor(c, device);
    const alert: Alert = {
      id,
      rule: c.rule.id,
      title: c.rule.title,
      severity: sev.severity,
      device,
      first_seen: ts,
      last_seen: ts,
      count: 1,
      summary: '',
      evidence: [],
      advice: c.rule.advice,
      group,
    };
    as = {
      alert, c, episode, events: 1, total: n,
      distinct: c.kind === 'distinct' ? new DistinctCounter(this.opts.distinctCap, Infinity) : null,
      lastEmit: ts, pending: false, samples: [], lastEvent: null, extra: null, notes: [], kindAsked: ts, gone: false,
    };
    if (sev.kind !== null && sev.severity !== c.rule.severity) {
      as.notes.push({
        detail: `severity ${sev.severity} (not ${c.rule.severity}): the device is a ${sev.kind}`, kind: 'severity', ts,
        from: c.rule.severity, to: sev.severity, device_kind: sev.kind,
      });
    }
    this.collect(as, st, e, extra);
    if (this.alertsById.size >= this.opts.maxAlerts) {
      // Least recently updated first, a batch at a time (see evictOldest).
      let n = Math.max(1, this.opts.maxAlerts >> 4);
      for (const [oldId, old] of this.alertsById) {
        if (n-- <= 0) break;
        this.alertsById.delete(oldId);
        old.gone = true;
        this.pendingUpdates.delete(old);
        if (old.c.byKind !== null && old.alert.device !== null) this.forgetByKind(old);
        this.current.delete(old.c.index + '\u0000' + this.keyFromId(old));
        this.stats.alerts_evicted++;
      }
      this.markFull('rules.alerts');
    }
    this.alertsById.set(id, as);
    this.current.set(ck, id);
    if (c.byKind !== null && device !== null) {
      let set = this.byKindAlerts.get(device);
      if (set === undefined) this.byKindAlerts.set(device, (set = new Set()));
      set.add(as);
    }
    this.stats.alerts_raised++;
    this.emit(as, 'raised');
    this.feedAlert(alert);
    if (c.holdIndex >= 0) this.hold(as);
  }

  /** An alert of a hold rule fired: its device (a MAC, the sender) is held, this alert counting its SYNs. */
  private hold(as: AlertState): void {
    const device = as.alert.device;
    if (device === null || this.onHold === null || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(device)) return;
    let h = this.held.get(device);
    if (h === undefined) {
      if (this.held.size >= MAX_HELD) { this.stats.holds_refused++; return; }
      const n = this.holdRules.length;
      h = {
        device, alerts: new Array<AlertState | null>(n).fill(null), n: new Array<number>(n).fill(0),
        lastDst: new Array<number>(n).fill(0), lastPort: new Array<number>(n).fill(0), nextFold: 0, released: false,
      };
      this.held.set(device, h);
      this.stats.holds_started++;
      h.alerts[as.c.holdIndex] = as;
      this.holdPlan ??= new HoldPlan(this.holdRules.map(planRule), this.compiled.filter((c) => c.holdIndex < 0 && !c.synthetic).map(planRule), this);
      this.onHold(device, h);
      return;
    }
    if (h.alerts[as.c.holdIndex] !== as) {
      this.foldHeld(h);
      h.alerts[as.c.holdIndex] = as;
    }
    // The rule fired again: the device still does what it is held for (a flood rule fires every few seconds).
    this.onHold(device, h);
  }

  /**
   * A held device's outbound SYN to a public IPv4 address (the pipeline's numbers, no event made). Returns
   * false when the SYN must go the usual way: a rule that is not a hold rule names its port, or it matches
   * a hold rule whose alert for the device is not open (never raised, evicted, past suppress_for), so that
   * rule decides it on the event as always.
   */
  heldSyn(h: HeldDevice, s: HeldSyn): number {
    if (h.released) return 0;
    const ts = s.ts;
    const seqIsDst = s.seq === s.dstIp;
    const m = this.holdPlan!.mask(s.dstPort, seqIsDst, s.optLen);
    if (m === HOLD_PASS) return 0;
    if (ts > this.now) this.now = ts;
    this.stats.held_syns++;
    if (this.baseline !== null) {
      this.heldDev = h;
      this.heldCur = s;
      this.baseline.heldSyn(h.device, s, this.heldTcpSyn);
    }
    const alerts = h.alerts;
    for (let i = 0, bits = m; bits !== 0; i++, bits >>>= 1) {
      if ((bits & 1) === 0) continue;
      const as = alerts[i];
      if (as === null || as === undefined || as.gone || ts - as.alert.last_seen > as.c.suppressUs) {
        // No open alert of this rule for the device yet (or no more): its threshold is kept as the event would.
        this.heldThreshold(h, this.holdRules[i]!, s, seqIsDst);
        continue;
      }
      as.total++;
      as.events++;
      const hd = as.c.holdDistinct;
      if (hd === 1) as.distinct!.addIp4(s.dstIp, ts, ipv4ToString);
      else if (hd === 2) as.distinct!.add(s.dstPort, ts);
      if (ts > as.alert.last_seen) as.alert.last_seen = ts;
      h.n[i]++;
      h.lastDst[i] = s.dstIp;
      h.lastPort[i] = s.dstPort;
    }
    if (ts >= h.nextFold) {
      this.foldHeld(h);
      h.nextFold = ts + 1_000_000;
    }
    return m === 0 ? HELD_OTHER : HELD_MATCHED;
  }

  /**
   * A held device's datagram to a public IPv4 address that no room wants (a UDP flood): the baseline
   * sees it as its UDP flow; false when a rule wants it as an event (HoldPlan.udpPass).
   */
  heldUdp(h: HeldDevice, s: HeldSyn): boolean {
    if (h.released || this.holdPlan!.udpPass(s.dstPort)) return false;
    if (s.ts > this.now) this.now = s.ts;
    this.stats.held_datagrams++;
    if (this.baseline !== null) {
      this.heldDev = h;
      this.heldCur = s;
      this.baseline.heldSyn(h.device, s, this.heldUdpFlow, true);
    }
    return true;
  }

  /**
   * A held SYN for a hold rule without an open alert for the device: the rule's count or distinct
   * threshold under the device's key, as update() keeps it; the event is made only when it fires.
   */
  private heldThreshold(h: HeldDevice, c: Compiled, s: HeldSyn, seqIsDst: boolean): void {
    c.matched++;
    this.stats.matched++;
    const key = h.device;
    let st = c.keys.get(key);
    if (st === undefined) st = this.newKey(c, key, s.ts);
    if (s.ts > st.last) st.last = s.ts;
    let n = 0;
    if (c.kind === 'count') {
      if (c.min === 1) n = 1;
      else {
        st.sum!.add(s.ts, 1);
        if (st.sum!.total >= c.min) { n = st.sum!.total; st.sum!.reset(); }
      }
    } else {
      const d = st.distinct!;
      if (c.holdDistinct === 1) d.addIp4(s.dstIp, s.ts, ipv4ToString);
      else d.add(s.dstPort, s.ts);
      st.pN++;
      if (d.count() >= c.min) { n = st.pN; st.pN = 0; }
    }
    if (n === 0) return;
    this.fire(c, key, st, heldEvent(c.stepEvents[0]!, h.device, s, seqIsDst), n);
    if (c.kind === 'distinct') st.distinct!.clear();
  }

  /** The pipeline stopped holding the device (idle): what it counted is folded in and it is forgotten. */
  releaseHeld(h: HeldDevice): void {
    this.foldHeld(h);
    h.released = true;
    if (this.held.get(h.device) === h) this.held.delete(h.device);
  }

  /**
   * Bring the held counts into the alerts: one firing per fold with held SYNs, the last destination in
   * the summary, a note (once) that the device is held, and the 'updated' notification when due.
   */
  private foldHeld(h: HeldDevice): void {
    for (let i = 0; i < h.n.length; i++) {
      if (h.n[i] === 0) continue;
      h.n[i] = 0;
      const as = h.alerts[i];
      if (as === null || as.gone) continue;
      as.alert.count++;
      as.extra = { ...(as.extra ?? {}), dst_ip: ipv4ToString(h.lastDst[i]!), dst_port: h.lastPort[i]! };
      if (!as.notes.some((n) => n.kind === 'held') && as.notes.length < 4) {
        as.notes.push({
          detail: 'from here on this device\'s SYNs to internet addresses are counted into this alert, not matched one by one (it is held as a known scanner)',
          kind: 'held', ts: as.alert.last_seen,
        });
      }
      this.alertsById.delete(as.alert.id);
      this.alertsById.set(as.alert.id, as);
      as.pending = true;
      if (this.now - as.lastEmit >= this.opts.updateIntervalUs) this.emit(as, 'updated');
      else this.pendingUpdates.add(as);
    }
  }

  private forgetByKind(as: AlertState): void {
    const set = this.byKindAlerts.get(as.alert.device!);
    if (set === undefined) return;
    set.delete(as);
    if (set.size === 0) this.byKindAlerts.delete(as.alert.device!);
  }

  private keyFromId(as: AlertState): string {
    const rest = as.alert.id.slice(as.c.rule.id.length + 1);
    return as.episode === 1 ? rest : rest.slice(0, rest.lastIndexOf('/'));
  }

  private collect(as: AlertState, st: KeyState, e: EngineEvent & Record<string, unknown>, extra?: Record<string, number | string>): void {
    if (as.distinct && st.distinct) as.distinct.mergeFrom(st.distinct, e.ts);
    as.lastEvent = e;
    if (extra) as.extra = extra;
    if (as.samples.length < this.opts.maxSamples) as.samples.push(this.sample(as.c, e, extra));
  }

  private sample(c: Compiled, e: EngineEvent & Record<string, unknown>, extra?: Record<string, number | string>): AlertEvidence {
    const ev: AlertEvidence = { detail: '', ts: e.ts };
    // The baseline's values (family, counts) first, then the event's fields.
    const value = (f: string): unknown => (extra !== undefined && f in extra ? extra[f] : getter(f)(e, this));
    if (c.rule.sample) {
      ev.detail = c.rule.sample.replace(TEMPLATE_RE, (_, f: string) => fmtValue(value(f)));
      for (const f of c.sampleFields) ev[f] = value(f);
    } else {
      ev.detail = `${e.type} event`;
    }
    return ev;
  }

  /** Bring an alert's summary and evidence up to date (done lazily: only when someone looks). */
  private render(as: AlertState): Alert {
    const a = as.alert;
    const c = as.c;
    const vars: Record<string, unknown> = {
      ...a.group,
      count: a.count,
      events: as.total,
      window: fmtDuration(c.windowUs),
      threshold: c.min,
      distinct: as.distinct ? as.distinct.count() : undefined,
      ...(as.extra ?? {}),
    };
    const last = as.lastEvent as (EngineEvent & Record<string, unknown>) | null;
    const value = (f: string): unknown => (f in vars && vars[f] !== undefined ? vars[f] : last ? getter(f)(last, this) : undefined);
    a.summary = c.rule.summary.replace(TEMPLATE_RE, (_, f: string) => fmtValue(value(f)));
    // The household's words (sensor/i18n): same values, numbers and spans in their language.
    if (c.rule.text) a.text = fillTexts(c.rule.text, value, c.windowUs);
    // threshold_kind, threshold_min and span_us let sensor/i18n evidenceText say the line in any language.
    const counters: AlertEvidence = c.synthetic ? {
      detail: `${a.count} time(s) (per-device baseline, learnt from this device's own traffic)`,
      kind: 'counters',
      fired: a.count,
      events: as.total,
      baseline: true,
    } : {
      detail: `${a.count} time(s) over threshold (${c.kind}${c.kind === 'sequence' ? '' : ` >= ${c.min}`}` +
        `${c.kind === 'sequence' ? ` within ${fmtDuration(c.withinUs)}` : ` in ${fmtDuration(c.windowUs)}`}), ${as.total} ${c.kind === 'sum' ? 'total' : 'event(s)'}`,
      kind: 'counters',
      fired: a.count,
      events: as.total,
      threshold_kind: c.kind,
      threshold_min: c.min,
      span_us: c.kind === 'sequence' ? c.withinUs : c.windowUs,
    };
    if (as.distinct) {
      counters.distinct = as.distinct.count();
      counters.distinct_approximate = as.distinct.approximate;
      counters.distinct_field = (c.rule.threshold as { distinct: string }).distinct;
      counters.distinct_samples = as.distinct.sampleValues(5);
    }
    a.evidence = as.notes.length ? [counters, ...as.notes, ...as.samples] : [counters, ...as.samples];
    return a;
  }

  private sendDueUpdates(now: number): void {
    this.lastPendingCheck = now;
    for (const as of this.pendingUpdates) {
      if (!as.pending) this.pendingUpdates.delete(as);
      else if (now - as.lastEmit >= this.opts.updateIntervalUs) this.emit(as, 'updated');
    }
  }

  private emit(as: AlertState, change: 'raised' | 'updated'): void {
    as.lastEmit = Math.max(this.now, as.alert.last_seen);
    as.pending = false;
    this.pendingUpdates.delete(as);
    if (change === 'updated') this.stats.alerts_updated++;
    if (this.onAlert) this.onAlert(this.render(as), change);
  }

  /** Alerts feed sequence rules that listen to `event: alert` (bounded recursion). */
  private feedAlert(a: Alert): void {
    const list = this.byType.get('alert');
    if (!list || this.alertDepth > 2) return;
    this.alertDepth++;
    const pe: AlertPseudoEvent = { type: 'alert', ts: a.last_seen, rule: a.rule, severity: a.severity, device: a.device };
    for (const c of list) this.run(c, pe);
    this.alertDepth--;
  }

  /** End of capture: send the 'updated' notifications still held back by the update interval. */
  flush(): void {
    // The capture ended: devices still waiting for their new-device confirmation are decided now.
    this.baseline?.tick(Infinity);
    for (const h of this.held.values()) this.foldHeld(h);
    for (const as of [...this.pendingUpdates]) if (as.pending) this.emit(as, 'updated');
    this.pendingUpdates.clear();
  }

  /** Every alert kept, most severe first, then by first_seen. */
  alerts(): Alert[] {
    const out: Alert[] = [];
    for (const as of this.alertsById.values()) out.push(this.render(as));
    const rank = (s: string): number => SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]);
    return out.sort((x, y) => rank(y.severity) - rank(x.severity) || x.first_seen - y.first_seen || (x.id < y.id ? -1 : 1));
  }

  /** Current key counts, refreshed on demand. */
  private refreshStats(): void {
    let keys = 0;
    for (const c of this.compiled) keys += c.keys.size;
    this.stats.keys = keys;
    const b = this.baseline;
    if (b !== null) {
      this.stats.baseline_devices = b.stats.devices;
      this.stats.baseline_devices_evicted = b.stats.devices_evicted;
      this.stats.baseline_known_macs = b.stats.known_macs;
      this.stats.baseline_watched_s = Math.floor(b.watchedUs / 1e6);
    }
  }

  /** Pressure warnings in words (empty when all is well). */
  health(): string[] {
    this.refreshStats();
    const out: string[] = [];
    for (const c of this.compiled) {
      if (c.keysEvicted > 0) {
        out.push(`rule ${c.rule.id}: state table full (${c.maxKeys} keys), ${c.keysEvicted} key(s) evicted`);
      }
    }
    if (this.stats.alerts_evicted > 0) out.push(`alert table full (${this.opts.maxAlerts}), ${this.stats.alerts_evicted} alert(s) evicted`);
    if (this.leasesEvicted > 0) out.push(`DHCP lease table full (${this.opts.maxDhcpLeases}), ${this.leasesEvicted} evicted`);
    if (this.baseline !== null) out.push(...this.baseline.health());
    return out;
  }

  /** Per-rule counters (for `--stats` and the bench). */
  ruleStats(): { id: string; matched: number; fired: number; keys: number; evicted: number }[] {
    return this.compiled.map((c) => ({ id: c.rule.id, matched: c.matched, fired: c.fired, keys: c.keys.size, evicted: c.keysEvicted }));
  }
}
