// Builds waakhond.event/1 messages from the sensor's shapes: microsecond capture times become ISO-8601,
// hostile text is bounded, evidence is cut to a few lines.
import type { Device } from '../../../sensor/inventory/types.js';
import type { Alert } from '../../../rules/engine/types.js';
import type { SensorStatsEvent } from '../../../sensor/events.js';
import { SCHEMA_ID } from './schema.js';
import { alertText } from '../../../sensor/i18n/alert-text.js';
import { LANGS, type Lang } from '../../../sensor/i18n/langs.js';
import type { AlertMessage, DeviceMessage, DeviceStatus, HealthMessage } from './schema.js';

/** Capture-time microseconds -> ISO-8601 UTC (millisecond precision); bad input becomes the epoch, not a throw. */
export function isoFromMicros(us: number): string {
  const ms = Number.isFinite(us) ? Math.floor(us / 1000) : 0;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? new Date(0).toISOString() : d.toISOString();
}

/** Cut text to max UTF-16 units and drop C0/C1 controls: names from the network are hostile. */
export function clip(s: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  return clean.length <= max ? clean : clean.slice(0, max - 1) + '…';
}

function clipOrNull(s: string | null | undefined, max: number): string | null {
  return s == null ? null : clip(s, max);
}

export type HealthInput = SensorStatsEvent & { devices?: number; alerts?: number };
export type ExportCounters = Record<string, { queued: number; queued_bytes: number; dropped: number; sent: number; failed: number }>;

/** A device as the daemon exports it: the household's answer applied (identity) and its MACs (seen_as). */
export type ExportedDevice = Device & { identity?: 'user' | 'inferred'; seen_as?: string[] };

export function deviceMessage(site: string, d: ExportedDevice, status: DeviceStatus, change: DeviceMessage['change']): DeviceMessage {
  const evidence = [...d.evidence]
    .sort((a, b) => (b.weight ?? 0) - (a.weight ?? 0))
    .slice(0, 5)
    .map((e) => clip(e.detail, 256));
  return {
    schema: SCHEMA_ID,
    site,
    time: isoFromMicros(d.last_seen),
    kind: 'device',
    change,
    device: {
      mac: d.mac,
      ips: d.ips.slice(0, 16).map((s) => clip(s, 64)),
      ipv6: d.ipv6.slice(0, 16).map((s) => clip(s, 64)),
      vendor: clipOrNull(d.vendor, 128),
      model: clipOrNull(d.model, 128),
      category: d.category,
      name: clipOrNull(d.name, 128),
      hostname: clipOrNull(d.hostname, 128),
      confidence: Math.min(1, Math.max(0, Number.isFinite(d.confidence) ? d.confidence : 0)),
      status,
      private_mac: d.private_mac,
      first_seen: isoFromMicros(d.first_seen),
      last_seen: isoFromMicros(d.last_seen),
      evidence,
      ...(d.identity ? { identity: d.identity } : {}),
      ...(d.seen_as && d.seen_as.length > 1 ? { seen_as: d.seen_as.slice(0, 16) } : {}),
    },
  };
}

/** The device's name per language as the household knows it (views.ts deviceLabel); absent: "a device". */
export type DeviceNames = Partial<Record<Lang, string | null>>;

export function alertMessage(site: string, a: Alert, change: AlertMessage['change'], names: DeviceNames = {}): AlertMessage {
  const group: Record<string, string> = {};
  for (const [k, v] of Object.entries(a.group ?? {}).slice(0, 16)) group[clip(k, 64)] = clip(String(v), 256);
  return {
    schema: SCHEMA_ID,
    site,
    time: isoFromMicros(a.last_seen),
    kind: 'alert',
    change,
    alert: {
      id: clip(a.id, 256),
      rule: clip(a.rule, 128),
      title: clip(a.title, 256),
      severity: a.severity,
      device: a.device,
      first_seen: isoFromMicros(a.first_seen),
      last_seen: isoFromMicros(a.last_seen),
      count: Math.max(0, Math.floor(a.count)),
      summary: clip(a.summary, 1024),
      advice: clipOrNull(a.advice, 64),
      group,
      evidence: a.evidence.slice(0, 5).map((e) => ({
        detail: clip(e.detail, 512),
        time: typeof e.ts === 'number' ? isoFromMicros(e.ts) : null,
      })),
      ...(a.text ? { text: householdText(a, names) } : {}),
    },
  };
}

function householdText(a: Alert, names: DeviceNames): NonNullable<AlertMessage['alert']['text']> {
  const out = {} as NonNullable<AlertMessage['alert']['text']>;
  for (const l of LANGS) {
    const t = alertText(a, l, names[l] ?? null);
    out[l] = { title: clip(t.title, 256), summary: clip(t.summary, 1024) };
  }
  return out;
}

export function healthMessage(site: string, h: HealthInput, exportsCounters: ExportCounters): HealthMessage {
  const n = (x: number) => (Number.isFinite(x) && x > 0 ? Math.floor(x) : 0);
  return {
    schema: SCHEMA_ID,
    site,
    time: isoFromMicros(h.ts),
    kind: 'health',
    health: {
      packets: n(h.packets),
      bytes: n(h.bytes),
      malformed: n(h.malformed),
      unsupported_link: n(h.unsupported_link),
      ip_fragments: n(h.ip_fragments),
      dropped: h.dropped == null ? null : n(h.dropped),
      flows_active: n(h.flows_active),
      flows_evicted: n(h.flows_evicted),
      tables_full: h.tables_full.slice(0, 32).map((s) => clip(s, 64)),
      devices: h.devices == null ? null : n(h.devices),
      alerts: h.alerts == null ? null : n(h.alerts),
      exports: exportsCounters,
    },
  };
}
