// Offline analysis: captures in order -> pipeline -> inventory + rule engine -> one JSON report.
import { openCaptureFile } from './capture/file.js';
import type { FrameBatch } from './capture/frame.js';
import { mergeResults } from './shard/merge.js';
import type { EventSink, WaakhondEvent } from './events.js';
import { Inventory, type DeviceRecord } from './inventory/inventory.js';
import { oneDevicePerDevice, type OneDevice } from './inventory/one-device.js';
import type { Device, Evidence } from './inventory/types.js';
import { projectPath } from './paths.js';
import { Pipeline, type PipelineStats } from './pipeline.js';
import { loadRulePacks, RuleEngine, type RuleLoadError } from '../rules/engine/engine.js';
import type { Alert, AlertEvidence, Rule, Severity } from '../rules/engine/types.js';
import { loadBaselineConfig, type BaselineConfig } from '../rules/engine/baseline-config.js';
import type { HouseholdTexts } from './i18n/alert-text.js';

export interface AnalyzeOptions {
  /** Home networks (CIDR); default RFC 1918 + link-local + ULA. */
  localNets?: string[];
  /** Rule pack directories; default the built-in packs. [] disables rules. */
  ruleDirs?: string[];
  /** Rules already loaded (saves the load when analysing many captures one by one). */
  rules?: { rules: Rule[]; errors: RuleLoadError[] };
  /** Extra sinks (tests, the lookup command). */
  sinks?: EventSink[];
  /** Called for every event (after inventory and rules have seen it). */
  onEvent?: (e: WaakhondEvent) => void;
  maxFlows?: number;
  /**
   * The per-device baseline (rules/baseline/baseline.yaml by default; null: off, as with ruleDirs []).
   * A capture shorter than its learning period (24 h per device) raises no baseline alert, and no
   * new-device alert before the install's learning period (24 h from the first packet) has passed.
   */
  baseline?: BaselineConfig | null;
  /** Shorter (or longer) learning, per device and for the install, in microseconds (`--baseline-learning`). */
  baselineLearningUs?: number;
  /**
   * Hold known scanners (rules/engine/hold.ts; default true): their SYNs to the internet are counted into
   * their alerts, not made into events. Sinks given here then do not see those SYNs. false: every SYN is
   * an event (`--no-hold`, to compare).
   */
  hold?: boolean;
  /**
   * Worker threads, each with its own pipeline, inventory and rule engine for a share of the home's
   * devices (sensor/shard). 1 (the default): everything on this thread. Ignored with sinks or onEvent,
   * which want every event on this thread.
   */
  threads?: number;
  /** Tests: run the shards on this thread, one after another, instead of in workers. */
  shardsInProcess?: boolean;
}

export interface ReportDevice {
  mac: string;
  ips: string[];
  ipv6: string[];
  vendor: string | null;
  model: string | null;
  category: string;
  name: string | null;
  hostname: string | null;
  private_mac: boolean;
  /** The home's router (gateway of Internet traffic): listed like any device, marked. */
  router: boolean;
  /** Every MAC this device was seen as (private addresses of one phone/laptop), its key first. */
  seen_as: string[];
  confidence: number;
  first_seen: string;
  last_seen: string;
  evidence: Evidence[];
}

export interface ReportAlert {
  id: string;
  rule: string;
  title: string;
  severity: Severity;
  device: string | null;
  first_seen: string;
  last_seen: string;
  count: number;
  summary: string;
  advice: string | null;
  group: Record<string, string>;
  evidence: AlertEvidence[];
  /** The household's title and summary per language ({device} for the device's name: sensor/i18n/alert-text.ts). */
  text?: HouseholdTexts;
}

export interface Report {
  devices: ReportDevice[];
  alerts: ReportAlert[];
  /** The pipeline's counters, plus what the analysis adds; times as ISO-8601. */
  stats: Omit<PipelineStats, 'first_ts' | 'last_ts'> & {
    files: number;
    first_packet: string | null;
    last_packet: string | null;
    rules_loaded: number;
    rule_errors: RuleLoadError[];
    errors: { file: string; error: string }[];
    /** The per-device baseline at the end of the capture (null when off): says when a capture was too short for it. */
    baseline?: { devices: number; devices_learnt: number; watched_s: number; note: string } | null;
  };
}

/** Microseconds since the epoch -> ISO-8601 with microseconds kept as milliseconds. */
export function isoTime(us: number): string {
  const d = new Date(Math.floor(us / 1000));
  return Number.isFinite(d.getTime()) ? d.toISOString() : new Date(0).toISOString();
}

export function defaultRuleDirs(): string[] {
  return [projectPath('rules', 'packs')];
}

/** What one analysis (or one shard of it) found: merged into a Report by buildReport. */
export interface AnalysisResult {
  devices: DeviceRecord[];
  alerts: Alert[];
  counters: Omit<PipelineStats, 'first_ts' | 'last_ts'>;
  first_ts: number | null;
  last_ts: number | null;
  baseline: BaselineProgress | null;
}

type BaselineProgress = ReturnType<NonNullable<RuleEngine['baseline']>['progress']>;

/** The rules and baseline an analysis runs with, loaded once (and once per shard thread). */
export function analysisSetup(opts: AnalyzeOptions): { rules: Rule[]; ruleErrors: RuleLoadError[]; baseline: BaselineConfig | null } {
  const { rules, errors: ruleErrors } = opts.rules ?? loadRulePacks(opts.ruleDirs ?? defaultRuleDirs());
  let baseline: BaselineConfig | null = null;
  const errors = [...ruleErrors];
  if (opts.baseline !== undefined) baseline = opts.baseline;
  else if (opts.ruleDirs === undefined || opts.ruleDirs.length > 0) {
    const b = loadBaselineConfig();
    baseline = b.config;
    errors.push(...b.errors);
  }
  if (baseline && opts.baselineLearningUs !== undefined) {
    baseline = { ...baseline, learningUs: opts.baselineLearningUs, installLearningUs: opts.baselineLearningUs };
  }
  return { rules, ruleErrors: errors, baseline };
}

/** One pipeline with its inventory and rule engine: the whole analysis, or one shard's part of it. */
export class Analysis {
  readonly inventory = new Inventory();
  readonly engine: RuleEngine;
  readonly pipeline: Pipeline;

  constructor(opts: AnalyzeOptions, setup: ReturnType<typeof analysisSetup>) {
    const inventory = this.inventory;
    const engine = this.engine = new RuleEngine(setup.rules, {
      baseline: setup.baseline,
      // The same category the report shows: analyze, the API and MQTT agree on severity_by_kind.
      deviceKind: (mac) => inventory.get(mac)?.category ?? null,
    });
    // As in the daemon: a device identified after its alert was raised escalates it (severity_by_kind).
    inventory.onChange = (d, change) => { if (change !== 'evicted') engine.deviceChanged(d.mac); };
    const sinks: EventSink[] = [(e) => inventory.observe(e), (e) => engine.observe(e)];
    if (opts.sinks) sinks.push(...opts.sinks);
    if (opts.onEvent) sinks.push(opts.onEvent);
    // A device known to scan is held: its SYNs to the internet are counted into its alerts (rules/engine/hold.ts).
    const hold = opts.hold ?? true;
    const pipeline = this.pipeline = new Pipeline({ sinks, localNets: opts.localNets, maxFlows: opts.maxFlows, ...(hold ? { held: engine } : {}) });
    if (hold) engine.onHold = (mac, handle) => pipeline.hold(mac, handle);
  }

  /** Capture time ts has come (a shard told of time its own frames did not bring: sensor/shard). */
  clock(ts: number): void {
    this.pipeline.tick(ts);
    this.engine.baseline?.clock(ts);
  }

  /** End of the capture: flows end, counters flush, pending decisions are made. owns: a shard's devices. */
  finish(owns?: (mac: string) => boolean): AnalysisResult {
    this.pipeline.finish();
    const { first_ts, last_ts, ...counters } = this.pipeline.stats;
    return {
      devices: this.inventory.records(),
      alerts: this.engine.alerts(),
      counters,
      first_ts,
      last_ts,
      baseline: this.engine.baseline ? this.engine.baseline.progress(owns) : null,
    };
  }
}

export async function analyzeFiles(paths: string[], opts: AnalyzeOptions = {}): Promise<Report> {
  const setup = analysisSetup(opts);
  const threads = opts.sinks || opts.onEvent ? 1 : Math.max(1, Math.floor(opts.threads ?? 1));
  const errors: { file: string; error: string }[] = [];
  let filesRead = 0;
  let results: AnalysisResult[];
  const read = async (push: (b: FrameBatch) => void | Promise<void>) => {
    for (const path of paths) {
      const source = openCaptureFile(path);
      let frames = 0;
      for await (const batch of source) {
        frames += batch.length;
        await push(batch);
      }
      const err = source.stats.error;
      if (err !== null) errors.push({ file: path, error: err });
      if (err === null || frames > 0) filesRead++;
    }
  };
  if (threads === 1) {
    const a = new Analysis(opts, setup);
    await read((b) => a.pipeline.push(b));
    results = [a.finish()];
  } else {
    const { Shards } = await import('./shard/shards.js');
    const shards = new Shards(threads, opts, setup, opts.shardsInProcess === true);
    try {
      await read((b) => shards.push(b));
      results = await shards.finish();
      // One thread's first_packet is the first frame read, which need not be the earliest.
      for (const r of results) r.first_ts = shards.firstTs;
    } finally {
      await shards.close();
    }
  }
  return buildReport(results, {
    files: filesRead, errors, rulesLoaded: setup.rules.length, ruleErrors: setup.ruleErrors, baseline: setup.baseline,
  });
}

/** The report from one analysis's result, or from every shard's (sensor/shard/merge.ts). */
function buildReport(
  results: AnalysisResult[],
  o: { files: number; errors: { file: string; error: string }[]; rulesLoaded: number; ruleErrors: RuleLoadError[]; baseline: BaselineConfig | null },
): Report {
  const r = results.length === 1 ? { ...results[0], devices: results[0].devices.map((d) => d.device) } : mergeResults(results, o.baseline);
  // One device per phone/laptop however many private MACs it rotated through; alerts follow its key.
  const people = oneDevicePerDevice(r.devices);
  return {
    devices: people.devices.map(reportDevice),
    alerts: r.alerts.map((a) => reportAlert(a.device ? { ...a, device: people.aliases.get(a.device) ?? a.device } : a)),
    stats: {
      files: o.files,
      ...r.counters,
      first_packet: r.first_ts === null ? null : isoTime(r.first_ts),
      last_packet: r.last_ts === null ? null : isoTime(r.last_ts),
      rules_loaded: o.rulesLoaded,
      rule_errors: o.ruleErrors,
      errors: o.errors,
      baseline: r.baseline ? baselineProgress(r.baseline) : null,
    },
  };
}

function baselineProgress(p: BaselineProgress): NonNullable<Report['stats']['baseline']> {
  return { devices: p.devices, devices_learnt: p.devices_learnt, watched_s: Math.round(p.watched_us / 1e6), note: p.note };
}

export function reportDevice(d: Device | OneDevice): ReportDevice {
  return {
    mac: d.mac, ips: d.ips, ipv6: d.ipv6, vendor: d.vendor, model: d.model, category: d.category,
    name: d.name, hostname: d.hostname, private_mac: d.private_mac, router: d.router === true, seen_as: 'seen_as' in d ? d.seen_as : [d.mac], confidence: d.confidence,
    first_seen: isoTime(d.first_seen), last_seen: isoTime(d.last_seen), evidence: d.evidence,
  };
}

export function reportAlert(a: Alert): ReportAlert {
  return {
    id: a.id, rule: a.rule, title: a.title, severity: a.severity, device: a.device,
    first_seen: isoTime(a.first_seen), last_seen: isoTime(a.last_seen), count: a.count,
    summary: a.summary, advice: a.advice, group: a.group, evidence: a.evidence,
    ...(a.text ? { text: a.text } : {}),
  };
}
