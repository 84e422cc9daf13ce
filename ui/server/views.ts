// What the API shows: stored devices and alerts joined with names, advice cards and status, times in milliseconds.
import type { Evidence } from '../../sensor/inventory/types.js';
import type { AlertEvidence, Severity } from '../../rules/engine/types.js';
import { AdviceBook } from '../../rules/advice/book.js';
import type { AdviceCard, DeviceStatus, Lang } from '../../rules/advice/book.js';
import type { Store, StoredAlert, StoredDevice, TrafficPoint } from './store/store.js';

export interface ActionView {
  key: string;
  advice: string;
  title: string;
  priority: number;
  status: AdviceCard['status'];
}

export interface DeviceSummary {
  mac: string;
  /** What to call it: the household's name, else the inventory's, else maker+model, hostname, MAC. */
  label: string;
  user_name: string | null;
  name: string | null;
  hostname: string | null;
  vendor: string | null;
  model: string | null;
  category: StoredDevice['category'];
  confidence: number;
  private_mac: boolean;
  ips: string[];
  ipv6: string[];
  status: DeviceStatus;
  first_seen_ms: number;
  last_seen_ms: number;
  alert_count: number;
  /** Open advice, most urgent first. */
  actions: ActionView[];
}

export interface AlertView {
  id: string;
  rule: string;
  title: string;
  severity: Severity;
  device: string | null;
  device_label: string | null;
  summary: string;
  count: number;
  first_seen_ms: number;
  last_seen_ms: number;
  advice: string | null;
  evidence: { detail: string; ts_ms: number | null }[];
}

export interface DeviceDetail extends DeviceSummary {
  evidence: { source: Evidence['source']; detail: string; vendor: string | null; model: string | null; category: string | null; weight: number | null }[];
  alerts: AlertView[];
  advice: AdviceCard[];
  /** [minute start ms, bytes out, bytes in, packets out, packets in]. */
  traffic: TrafficPoint[];
}

const ms = (us: number) => Math.floor(us / 1000);
const MAX_EVIDENCE = 50;

export function labelOf(d: StoredDevice, userName: string | null): string {
  if (userName) return userName;
  if (d.name) return d.name;
  const vm = [d.vendor, d.model].filter(Boolean).join(' ');
  if (vm) return vm;
  if (d.hostname) return d.hostname;
  return d.mac;
}

export class Views {
  constructor(private readonly store: Store, private readonly book: AdviceBook) {}

  alertsOf(mac: string): StoredAlert[] {
    return Object.values(this.store.data.alerts).filter((a) => a.device === mac);
  }

  cards(d: StoredDevice, lang: Lang, alerts = this.alertsOf(d.mac)): AdviceCard[] {
    const label = labelOf(d, this.store.data.names[d.mac] ?? null);
    return this.book.cardsFor({ mac: d.mac, vendor: d.vendor, category: d.category, label }, alerts, lang, this.store.data.advice);
  }

  status(d: StoredDevice): DeviceStatus {
    return AdviceBook.statusOf(this.cards(d, 'en'));
  }

  summary(d: StoredDevice, lang: Lang): DeviceSummary {
    const alerts = this.alertsOf(d.mac);
    const cards = this.cards(d, lang, alerts);
    const userName = this.store.data.names[d.mac] ?? null;
    return {
      mac: d.mac, label: labelOf(d, userName), user_name: userName, name: d.name, hostname: d.hostname, vendor: d.vendor,
      model: d.model, category: d.category, confidence: d.confidence, private_mac: d.private_mac, ips: d.ips, ipv6: d.ipv6,
      status: AdviceBook.statusOf(cards), first_seen_ms: ms(d.first_seen), last_seen_ms: ms(d.last_seen), alert_count: alerts.length,
      actions: cards.filter((c) => c.state === 'open').map((c) => ({ key: c.key, advice: c.advice, title: c.title, priority: c.priority, status: c.status })),
    };
  }

  devices(lang: Lang): DeviceSummary[] {
    return Object.values(this.store.data.devices).map((d) => this.summary(d, lang))
      .sort((a, b) => rank(b.status) - rank(a.status) || b.last_seen_ms - a.last_seen_ms);
  }

  detail(mac: string, lang: Lang): DeviceDetail | null {
    const d = this.store.data.devices[mac];
    if (!d) return null;
    const alerts = this.alertsOf(mac);
    return {
      ...this.summary(d, lang),
      evidence: d.evidence.slice(0, MAX_EVIDENCE).map((e) => ({
        source: e.source, detail: e.detail, vendor: e.vendor ?? null, model: e.model ?? null, category: e.category ?? null, weight: e.weight ?? null,
      })),
      // Worst first, then newest: the household reads the top of the list.
      alerts: alerts.sort((a, b) => SEV_RANK[b.severity] - SEV_RANK[a.severity] || b.last_seen - a.last_seen).map((a) => this.alert(a)),
      advice: this.cards(d, lang, alerts),
      traffic: d.traffic.map((p) => [ms(p[0]), p[1], p[2], p[3], p[4]] as TrafficPoint),
    };
  }

  alert(a: StoredAlert): AlertView {
    const dev = a.device ? this.store.data.devices[a.device] : undefined;
    return {
      id: a.id, rule: a.rule, title: a.title, severity: a.severity, device: a.device,
      device_label: dev ? labelOf(dev, this.store.data.names[dev.mac] ?? null) : null,
      summary: a.summary, count: a.count, first_seen_ms: ms(a.first_seen), last_seen_ms: ms(a.last_seen), advice: a.advice,
      evidence: a.evidence.slice(0, 20).map((e: AlertEvidence) => ({ detail: String(e.detail), ts_ms: typeof e.ts === 'number' ? ms(e.ts) : null })),
    };
  }

  alerts(): AlertView[] {
    return Object.values(this.store.data.alerts).sort((a, b) => b.last_seen - a.last_seen).map((a) => this.alert(a));
  }
}

const SEV_RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };
const STATUS_RANK: Record<DeviceStatus, number> = { ok: 0, check: 1, 'update-advised': 2, exposed: 3, infected: 4 };
function rank(s: DeviceStatus): number {
  return STATUS_RANK[s];
}
