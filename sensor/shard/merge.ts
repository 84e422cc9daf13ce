// The shards' results as one: what a single thread would have found, as closely as the shards allow.
//
// The shard a MAC hashes to (its owner) sees every frame the device sends or receives (key.ts), so
// its record of the device and its alerts about the device are taken as they are; other shards'
// records of it (made from the copies they saw) only lend their times. The exception is the router:
// it forwards every device's internet traffic, which its owner does not see, so its owner's record
// takes the other shards' gateway lines and times (Inventory.mergeRecords: identity computed again).
// A device no owner record exists for (seen only in other shards' traffic) is merged from all of its
// records. Alerts about a device come from its owner; alerts about no device, or about
// one whose owner raised none, are merged by id with their counts added.
import { Inventory, type DeviceRecord } from '../inventory/inventory.js';
import type { Device } from '../inventory/types.js';
import type { Alert } from '../../rules/engine/types.js';
import { SEVERITIES } from '../../rules/engine/types.js';
import type { BaselineConfig } from '../../rules/engine/baseline-config.js';
import { progressNote } from '../../rules/engine/baseline.js';
import type { AnalysisResult } from '../analyze.js';
import { macHashOf, shardOf } from './key.js';

export interface MergedResult {
  devices: Device[];
  alerts: Alert[];
  counters: AnalysisResult['counters'];
  first_ts: number | null;
  last_ts: number | null;
  baseline: AnalysisResult['baseline'];
}

export function mergeResults(results: AnalysisResult[], baseline: BaselineConfig | null): MergedResult {
  return {
    devices: mergeDevices(results),
    alerts: mergeAlerts(results),
    counters: mergeCounters(results),
    first_ts: minOf(results.map((r) => r.first_ts)),
    last_ts: maxOf(results.map((r) => r.last_ts)),
    baseline: mergeBaseline(results, baseline),
  };
}

/** Devices by when they were last seen, as a single inventory lists them (by last touch). */
function mergeDevices(results: AnalysisResult[]): Device[] {
  const n = results.length;
  const byMac = new Map<string, { owner: DeviceRecord | null; all: DeviceRecord[] }>();
  for (let s = 0; s < n; s++) {
    for (const r of results[s].devices) {
      let m = byMac.get(r.device.mac);
      if (!m) byMac.set(r.device.mac, m = { owner: null, all: [] });
      if (shardOf(macHashOf(r.device.mac), n) === s) { m.owner = r; m.all.unshift(r); } else m.all.push(r);
    }
  }
  let inventory: Inventory | null = null;
  const out: Device[] = [];
  for (const { owner, all } of byMac.values()) {
    if (all.length === 1) out.push(all[0].device);
    else if (owner && !all.some((r) => r.device.router)) {
      const d = { ...owner.device };
      for (const r of all) {
        if (r.device.first_seen < d.first_seen) d.first_seen = r.device.first_seen;
        if (r.device.last_seen > d.last_seen) d.last_seen = r.device.last_seen;
      }
      out.push(d);
    } else {
      // The router: its owner saw its own traffic; the others add what they learnt of it as the gateway
      // (forwarding the internet, serving DHCP), not what they took for its words before they knew it
      // was the router (one thread knows it sooner: it sees every device's internet traffic).
      const parts = owner ? all.map((r) => (r === owner ? r : routerLines(r))) : all;
      out.push((inventory ??= new Inventory()).mergeRecords(parts));
    }
  }
  out.sort((a, b) => a.last_seen - b.last_seen || (a.mac < b.mac ? -1 : 1));
  oneOwnerPerAddress(out);
  return out;
}

/**
 * An address belongs to one device (Inventory.bindIp takes it from the device that had it). Shards
 * cannot take it from each other: the device seen last keeps it, as the one that bound it last would.
 */
function oneOwnerPerAddress(devices: Device[]): void {
  const owner = new Map<string, Device>();
  for (const d of devices) for (const ip of [...d.ips, ...d.ipv6]) owner.set(ip, d); // sorted by last_seen: the last wins
  for (const d of devices) {
    const mine = (ip: string) => owner.get(ip) === d;
    if (!d.ips.every(mine)) d.ips = d.ips.filter(mine);
    if (!d.ipv6.every(mine)) d.ipv6 = d.ipv6.filter(mine);
  }
}

/** A record with only its evidence that the device is the router, and its OUI line (its time: when the device was first seen). */
function routerLines(r: DeviceRecord): DeviceRecord {
  const keep = r.evidence.map((e) => e.category === 'router' || e.source === 'oui');
  return { ...r, evidence: r.evidence.filter((_, i) => keep[i]), keys: r.keys.filter((_, i) => keep[i]) };
}

const rank = (s: string): number => SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]);

function mergeAlerts(results: AnalysisResult[]): Alert[] {
  const n = results.length;
  const owned = new Map<string, Alert>();
  const byId = new Map<string, Alert>();
  for (let s = 0; s < n; s++) {
    for (const a of results[s].alerts) {
      if (a.device !== null && shardOf(macHashOf(a.device), n) === s) { owned.set(a.id, a); continue; }
      const m = byId.get(a.id);
      if (!m) { byId.set(a.id, a); continue; }
      // The one seen first tells the story (summary, evidence); counts and times are both shards'.
      const first = a.first_seen < m.first_seen ? a : m;
      const merged: Alert = { ...first, count: a.count + m.count, last_seen: Math.max(a.last_seen, m.last_seen) };
      if (rank(a.severity) > rank(merged.severity)) merged.severity = a.severity;
      if (rank(m.severity) > rank(merged.severity)) merged.severity = m.severity;
      byId.set(a.id, merged);
    }
  }
  for (const [id, a] of owned) byId.set(id, a);
  // As RuleEngine.alerts(): most severe first, then by first_seen, then id.
  return [...byId.values()].sort((x, y) => rank(y.severity) - rank(x.severity) || x.first_seen - y.first_seen || (x.id < y.id ? -1 : 1));
}

function mergeCounters(results: AnalysisResult[]): AnalysisResult['counters'] {
  const out = { ...results[0].counters };
  const sum = out as unknown as Record<string, number>;
  for (let i = 1; i < results.length; i++) {
    const c = results[i].counters as unknown as Record<string, number>;
    for (const k of Object.keys(c)) if (typeof c[k] === 'number') sum[k] = (sum[k] ?? 0) + c[k];
  }
  return out;
}

function mergeBaseline(results: AnalysisResult[], config: BaselineConfig | null): AnalysisResult['baseline'] {
  const parts = results.map((r) => r.baseline).filter((b) => b !== null);
  if (parts.length === 0 || config === null) return null;
  let devices = 0;
  let learnt = 0;
  let watched = 0;
  for (const b of parts) {
    devices += b.devices;
    learnt += b.devices_learnt;
    watched = Math.max(watched, b.watched_us);
  }
  return { devices, devices_learnt: learnt, watched_us: watched, note: progressNote(devices, learnt, watched, config) };
}

function minOf(xs: (number | null)[]): number | null {
  let m: number | null = null;
  for (const x of xs) if (x !== null && (m === null || x < m)) m = x;
  return m;
}

function maxOf(xs: (number | null)[]): number | null {
  let m: number | null = null;
  for (const x of xs) if (x !== null && (m === null || x > m)) m = x;
  return m;
}
