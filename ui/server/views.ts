// What the API shows: stored devices and alerts joined with names, advice cards and status, times in milliseconds.
import type { Category, Device, Evidence } from '../../sensor/inventory/types.js';
import type { AlertEvidence, Severity } from '../../rules/engine/types.js';
import { AdviceBook } from '../../rules/advice/book.js';
import type { AdviceCard, DeviceStatus, Lang } from '../../rules/advice/book.js';
import type { Answer, Store, StoredAlert, StoredDevice, TrafficPoint } from './store/store.js';
import { friendlyName } from '../../sensor/inventory/identity.js';
import { alertText, evidenceText } from '../../sensor/i18n/alert-text.js';
import type { HistoryView } from './store/history.js';
import { StatusCache } from './status-cache.js';
import type { Row } from './status-cache.js';
import { BodyCache } from './body-cache.js';
import type { Body } from './body-cache.js';

/**
 * "What is this?": the device page asks the household when the inventory is less sure than this (or
 * names no kind). 0.5 sits above what an OUI alone gives (0.35, inventory.ts OUI_WEIGHT) and a lone
 * family hint (0.3-0.5, fingerprints README), below a vendor's own service or cloud (0.6-0.7).
 */
export const ASK_BELOW_CONFIDENCE = 0.5;

/** The evidence line of a household answer, in their language ("you said so"). */
export const USER_SAID: Record<Lang, string> = { en: 'you said so', nl: 'dat heb je zelf aangegeven' };

/** What the inventory concluded on its own (kept visible when the household's answer overrides it). */
export interface InferredView {
  vendor: string | null;
  model: string | null;
  category: StoredDevice['category'];
  confidence: number;
}

export interface AnswerView {
  category: Category | null;
  vendor: string | null;
  name: string | null;
  at_ms: number;
  /** The MAC the answer was given for, when it followed the device to a new one. */
  moved_from: string | null;
}

export interface ActionView {
  key: string;
  advice: string;
  title: string;
  priority: number;
  status: AdviceCard['status'];
  /** Why an "update" card is more than a tip (an alert, an exposure, the maker's end of support). */
  reason: string | null;
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
  /** The home's router (the gateway): a device the household owns and updates, marked as such. */
  router: boolean;
  /** Every MAC this device was seen as (a phone's rotated private addresses), its key first. */
  seen_as: string[];
  /** 'user' when the household's answer decides vendor/kind/name, else 'inferred'. */
  identity: 'user' | 'inferred';
  answer: AnswerView | null;
  /** The page should ask "What is this?" (no answer, and confidence below ASK_BELOW_CONFIDENCE or no kind). */
  ask: boolean;
  inferred: InferredView;
  ips: string[];
  ipv6: string[];
  status: DeviceStatus;
  first_seen_ms: number;
  last_seen_ms: number;
  alert_count: number;
  /** Open advice, most urgent first; the overview shows only the first (one line per device). */
  actions: ActionView[];
  /** Open quiet tips ("doe je updates" with no reason to hurry): the device page and one overview link, never a status. */
  tips: ActionView[];
}

export interface AlertView {
  id: string;
  rule: string;
  /** In the household's language, the device named as they know it (sensor/i18n/alert-text.ts). */
  title: string;
  severity: Severity;
  device: string | null;
  device_label: string | null;
  summary: string;
  /** The rule's technical English summary (addresses, counts): the dashboard folds it under technical details. */
  technical: string;
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

/**
 * What to call a device, in the household's language: their own name, else the inventory's generated
 * name said again in their language ("TP-Link HS110 slimme stekker", from the kind it now has), else the
 * hostname, else the MAC.
 */
export function labelOf(d: StoredDevice, userName: string | null, lang: Lang = 'en'): string {
  if (userName) return userName;
  // The inventory's name is generated (identity.ts friendlyName): said again in their language.
  if (d.name) return friendlyName(d.vendor, d.model, d.category, d.private_mac, lang) ?? d.name;
  const vm = [d.vendor, d.model].filter(Boolean).join(' ');
  if (vm) return vm;
  if (d.hostname) return d.hostname;
  return d.mac;
}

export class Views {
  /** Per-device alerts and cards, kept until the store says that device changed (status-cache.ts). */
  readonly cache: StatusCache;

  /** Whole response bodies (the device list, the alert list), until the store changes (body-cache.ts). */
  readonly bodies = new BodyCache();

  constructor(private readonly store: Store, private readonly book: AdviceBook) {
    this.cache = new StatusCache(store);
    store.onChange(() => this.bodies.clear());
  }

  alertsOf(mac: string): StoredAlert[] {
    // Alerts stored before a MAC was folded into its device's key still belong to it (the index keys them by keyOf).
    return this.cache.alertsOf(this.store.keyOf(mac));
  }

  /** The household's name for a device: the rename box first, else the name in their answer. */
  userName(key: string): string | null {
    return this.store.data.names[key] ?? this.store.data.answers[key]?.name ?? null;
  }

  /** The device as everyone shows it (API, MQTT, advice): the household's answer over the inventory's. */
  effective(d: StoredDevice, lang: Lang = 'en'): StoredDevice & { identity: 'user' | 'inferred'; seen_as: string[] } {
    const a = this.store.data.answers[d.mac];
    const seen_as = d.seen_as?.length ? d.seen_as : [d.mac];
    if (!a) return { ...d, seen_as, identity: 'inferred' };
    const said: Evidence = {
      source: 'user', detail: `${USER_SAID[lang]}: ${[a.category, a.vendor, a.name && `"${a.name}"`].filter(Boolean).join(', ')}`,
      weight: 1, ts: d.last_seen,
      ...(a.vendor ? { vendor: a.vendor } : {}), ...(a.category ? { category: a.category } : {}),
    };
    return {
      ...d, seen_as, identity: 'user',
      vendor: a.vendor ?? d.vendor,
      // A model of another brand than the one they named is not theirs.
      model: a.vendor && d.vendor && a.vendor.toLowerCase() !== d.vendor.toLowerCase() ? null : d.model,
      category: a.category ?? d.category,
      name: a.name ?? d.name,
      confidence: 1,
      evidence: [said, ...d.evidence],
    };
  }

  /** The Device shape exports publish (MQTT, Home Assistant): effective identity, key MAC, user's name. */
  exported(mac: string): (Device & { identity: 'user' | 'inferred'; seen_as: string[] }) | null {
    const d = this.store.data.devices[this.store.keyOf(mac)];
    if (!d) return null;
    const { traffic: _t, client_id: _c, ...e } = this.effective(d);
    return { ...e, name: this.userName(d.mac) ?? e.name };
  }

  /** The device's advice cards, cached per device and language (shared: do not modify the array). */
  cards(d: StoredDevice, lang: Lang): AdviceCard[] {
    return this.cache.cards(d.mac, lang, () => this.makeCards(d, lang, this.alertsOf(d.mac)));
  }

  private makeCards(d: StoredDevice, lang: Lang, alerts: StoredAlert[]): AdviceCard[] {
    const e = this.effective(d, lang);
    const label = labelOf(e, this.userName(d.mac), lang);
    // "Do you know which device this is?" only where the page asks it too.
    const sure = !this.asks(d);
    return this.book.cardsFor({ mac: d.mac, vendor: e.vendor, category: e.category, label, sure }, alerts, lang, this.store.data.advice);
  }

  /** The page asks "What is this?": no household answer, and the inventory unsure or without a kind. */
  asks(d: StoredDevice): boolean {
    return !this.store.data.answers[d.mac] && (d.confidence < ASK_BELOW_CONFIDENCE || d.category === 'other');
  }

  status(d: StoredDevice): DeviceStatus {
    return AdviceBook.statusOf(this.cards(d, 'en'));
  }

  summary(d: StoredDevice, lang: Lang): DeviceSummary {
    const alerts = this.alertsOf(d.mac);
    const cards = this.cards(d, lang);
    const e = this.effective(d, lang);
    const a = this.store.data.answers[d.mac];
    return {
      // user_name is the rename box's own value; the label also takes the name in their answer.
      mac: d.mac, label: labelOf(e, this.userName(d.mac), lang), user_name: this.store.data.names[d.mac] ?? null, name: e.name, hostname: d.hostname, vendor: e.vendor,
      model: e.model, category: e.category, confidence: e.confidence, private_mac: d.private_mac, router: d.router === true, seen_as: e.seen_as,
      identity: e.identity,
      answer: a ? { category: a.category, vendor: a.vendor, name: a.name, at_ms: a.at, moved_from: a.moved_from ?? null } : null,
      ask: this.asks(d),
      inferred: { vendor: d.vendor, model: d.model, category: d.category, confidence: d.confidence },
      ips: d.ips, ipv6: d.ipv6,
      status: AdviceBook.statusOf(cards), first_seen_ms: ms(d.first_seen), last_seen_ms: ms(d.last_seen), alert_count: alerts.length,
      actions: cards.filter((c) => c.state === 'open' && !c.quiet).map(actionOf),
      tips: cards.filter((c) => c.state === 'open' && c.quiet).map(actionOf),
    };
  }

  devices(lang: Lang): DeviceSummary[] {
    return Object.values(this.store.data.devices).map((d) => this.summary(d, lang))
      .sort((a, b) => rank(b.status) - rank(a.status) || b.last_seen_ms - a.last_seen_ms);
  }

  /**
   * GET /api/devices's body: JSON.stringify({ devices: devices(lang) }), joined from each device's row,
   * kept per device until that device changes (status-cache.ts). The whole body is made again at most once
   * a second ("last seen" moves with traffic, which the store does not announce) and after each change.
   */
  devicesBody(lang: Lang): Body {
    return this.bodies.get(`devices.${lang}`, () => {
      const rows = Object.values(this.store.data.devices).map((d) => this.row(d, lang));
      rows.sort((a, b) => b.rank - a.rank || b.lastSeenMs - a.lastSeenMs);
      return `{"devices":[${rows.map((r) => r.json).join(',')}]}`;
    }, 1000);
  }

  devicesJson(lang: Lang): string {
    return this.devicesBody(lang).raw.toString('utf8');
  }

  /** One device's row in the list (cached; made with its cards). */
  row(d: StoredDevice, lang: Lang): Row {
    return this.cache.row(d.mac, lang, d, () => {
      const s = this.summary(d, lang);
      return { of: d, lastSeen: d.last_seen, json: JSON.stringify(s), rank: rank(s.status), lastSeenMs: s.last_seen_ms };
    });
  }

  /** GET /api/alerts's body: alerts(lang), optionally of one severity, the first `limit`, joined from cached rows. */
  alertsBody(lang: Lang, severity: Severity | null, limit: number): Body {
    return this.bodies.get(`alerts.${lang}.${severity ?? '*'}.${limit}`, () => {
      let list = this.alertsByTime();
      if (severity) list = list.filter((a) => a.severity === severity);
      return `{"alerts":[${this.alertRows(list.slice(0, limit), lang).join(',')}]}`;
    });
  }

  /** Each alert's JSON (alert(a, lang)), cached per alert record. */
  alertRows(list: StoredAlert[], lang: Lang): string[] {
    return list.map((a) => this.cache.alertRow(a, lang, () => JSON.stringify(this.alert(a, lang))));
  }

  /** The stored alerts, newest first, until the store changes (shared: do not modify). */
  alertsByTime(): StoredAlert[] {
    return this.cache.list('alerts.by-time', () => Object.values(this.store.data.alerts).sort((a, b) => b.last_seen - a.last_seen));
  }

  /** Devices by status and alerts by severity (GET /metrics), until the store changes. */
  counts(): { devices: Record<DeviceStatus, number>; alerts: Record<string, number> } {
    return this.cache.list('counts', () => {
      const devices: Record<DeviceStatus, number> = { ok: 0, check: 0, 'update-advised': 0, exposed: 0, infected: 0 };
      for (const d of Object.values(this.store.data.devices)) devices[this.status(d)]++;
      const alerts: Record<string, number> = {};
      for (const a of Object.values(this.store.data.alerts)) alerts[a.severity] = (alerts[a.severity] ?? 0) + 1;
      return { devices, alerts };
    }, 1000); // a snoozed card wakes with time, not with a change
  }

  detail(rawMac: string, lang: Lang): DeviceDetail | null {
    // Any MAC the device was seen as opens the device (a link to a rotated private MAC still works).
    const mac = this.store.keyOf(rawMac);
    const d = this.store.data.devices[mac];
    if (!d) return null;
    const alerts = this.alertsOf(mac);
    return {
      ...this.summary(d, lang),
      evidence: this.effective(d, lang).evidence.slice(0, MAX_EVIDENCE).map((e) => ({
        source: e.source, detail: e.detail, vendor: e.vendor ?? null, model: e.model ?? null, category: e.category ?? null, weight: e.weight ?? null,
      })),
      // Worst first, then newest: the household reads the top of the list.
      alerts: alerts.sort((a, b) => SEV_RANK[b.severity] - SEV_RANK[a.severity] || b.last_seen - a.last_seen).map((a) => this.alert(a, lang)),
      advice: this.cards(d, lang),
      traffic: d.traffic.map((p) => [ms(p[0]), p[1], p[2], p[3], p[4]] as TrafficPoint),
    };
  }

  /** The device page's history, as of the capture clock; alert titles as the alert list shows them. */
  history(rawMac: string, lang: Lang): HistoryView | null {
    const mac = this.store.keyOf(rawMac);
    if (!this.store.data.devices[mac]) return null;
    const h = this.store.history.view(mac, this.store.clock);
    h.timeline = h.timeline.map((e) => {
      const a = e.kind === 'alert' ? this.store.data.alerts[e.alert] : undefined;
      return a && e.kind === 'alert' ? { ...e, title: this.alert(a, lang).title } : e;
    });
    return h;
  }

  /** The device's name as the household knows it, in their language (alert texts, exports). */
  deviceLabel(mac: string | null, lang: Lang): string | null {
    const key = mac ? this.store.keyOf(mac) : null;
    const dev = key ? this.store.data.devices[key] : undefined;
    return dev ? labelOf(this.effective(dev, lang), this.userName(dev.mac), lang) : null;
  }

  alert(a: StoredAlert, lang: Lang = 'en'): AlertView {
    const key = a.device ? this.store.keyOf(a.device) : null;
    const label = this.deviceLabel(a.device, lang);
    const text = alertText(a, lang, label);
    return {
      id: a.id, rule: a.rule, title: text.title, severity: a.severity, device: key,
      device_label: label,
      summary: text.summary, technical: a.summary, count: a.count, first_seen_ms: ms(a.first_seen), last_seen_ms: ms(a.last_seen), advice: a.advice,
      evidence: a.evidence.slice(0, 20).map((e: AlertEvidence) => ({ detail: evidenceText(e, lang), ts_ms: typeof e.ts === 'number' ? ms(e.ts) : null })),
    };
  }

  alerts(lang: Lang = 'en'): AlertView[] {
    return this.alertsByTime().map((a) => this.alert(a, lang));
  }
}

const actionOf = (c: AdviceCard): ActionView => ({ key: c.key, advice: c.advice, title: c.title, priority: c.priority, status: c.status, reason: c.reason });

const SEV_RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };
const STATUS_RANK: Record<DeviceStatus, number> = { ok: 0, check: 1, 'update-advised': 2, exposed: 3, infected: 4 };
function rank(s: DeviceStatus): number {
  return STATUS_RANK[s];
}
