// Per-device results kept between requests: each device's alerts (an index over the alert table) and its
// advice cards per language, dropped when that device, its alerts, its name/answer or its advice state
// change (the store says which). An alert then costs work for its own device only, and /api/devices,
// /metrics and the exports read; before, every alert and every listed device scanned the whole alert
// table and rebuilt every card (issue #14: 37% of CPU, p99 20 s under load).
import type { AdviceCard, Lang } from '../../rules/advice/book.js';
import type { Store, StoreChange, StoredAlert } from './store/store.js';

interface Entry {
  cards: Partial<Record<Lang, AdviceCard[]>>;
  /** Wall ms at which a snoozed card wakes up: the cards must be made again then. */
  validUntil: number;
  /** The device's line in GET /api/devices, as JSON, per language (views.ts devicesJson). */
  rows: Partial<Record<Lang, Row>>;
}

/**
 * One device's entry in the device list: its JSON and what the list is sorted by. Valid for the record
 * it was made from and its last_seen (traffic moves last_seen without a store change).
 */
export interface Row {
  of: object;
  lastSeen: number;
  json: string;
  rank: number;
  lastSeenMs: number;
}

export class StatusCache {
  /** Device key -> its alerts by id; null = rebuild from the alert table on next use. */
  private index: Map<string, Map<string, StoredAlert>> | null = null;
  private readonly entries = new Map<string, Entry>();
  readonly stats = { hits: 0, misses: 0, rebuilds: 0 };

  constructor(private readonly store: Store) {
    store.onChange((c) => this.changed(c));
  }

  /** Whole answers (the device list, the alert list, their JSON) until the next change of any kind. */
  private readonly lists = new Map<string, { value: unknown; at: number }>();

  /**
   * `make()`'s result, kept until the store changes or maxAgeMs passes. The device list moves with
   * traffic ("last seen", which the store does not announce), hence an age: the dashboard hears of
   * traffic every 10 s at most (daemon.ts), so 1 s old is current.
   */
  list<T>(name: string, make: () => T, maxAgeMs = Infinity, nowMs = Date.now()): T {
    const hit = this.lists.get(name);
    if (hit !== undefined && nowMs - hit.at < maxAgeMs) { this.stats.hits++; return hit.value as T; }
    this.stats.misses++;
    const value = make();
    this.lists.set(name, { value, at: nowMs });
    return value;
  }

  /**
   * Each alert's JSON in the alert list, per language. Keyed by the stored record: an updated alert is a
   * new record (store.upsertAlert), so it misses by itself; a device's name change drops its alerts'.
   */
  private alertRows: Record<Lang, WeakMap<object, string>> = { en: new WeakMap(), nl: new WeakMap() };
  /** Called after a change that dropped everything (cache-warmer.ts makes it all again, ahead of requests). */
  onReset: (() => void) | null = null;

  private changed(c: StoreChange): void {
    this.lists.clear();
    if (c.kind === 'all') {
      this.index = null;
      this.entries.clear();
      this.alertRows = { en: new WeakMap(), nl: new WeakMap() };
      this.onReset?.();
      return;
    }
    if (c.kind === 'device') {
      this.entries.delete(c.key);
      // Its alerts name it (device_label).
      if (this.index === null) this.alertRows = { en: new WeakMap(), nl: new WeakMap() };
      else for (const a of this.index.get(c.key)?.values() ?? []) { this.alertRows.en.delete(a); this.alertRows.nl.delete(a); }
      return;
    }
    if (c.kind === 'alerts-removed') {
      for (const a of c.alerts) {
        if (a.device === null) continue;
        const key = this.store.keyOf(a.device);
        this.index?.get(key)?.delete(a.id);
        this.index?.get(a.device)?.delete(a.id);
        this.entries.delete(key);
        this.entries.delete(a.device);
      }
      return;
    }
    // One alert added or updated: move it in the index, drop the cards of the device(s) it touches.
    const a = c.alert;
    if (this.index !== null) {
      if (c.prevKey !== null && c.prevKey !== a.device) this.index.get(c.prevKey)?.delete(a.id);
      if (a.device !== null) {
        let m = this.index.get(a.device);
        if (m === undefined) { m = new Map(); this.index.set(a.device, m); }
        m.set(a.id, a);
      }
    }
    if (c.prevKey !== null) this.entries.delete(c.prevKey);
    if (a.device !== null) this.entries.delete(a.device);
  }

  /** The alerts of the device `key` (alerts stored under one of its other MACs included). */
  alertsOf(key: string): StoredAlert[] {
    if (this.index === null) this.rebuild();
    const m = this.index!.get(key);
    return m === undefined ? [] : [...m.values()];
  }

  /** The device's cards in `lang`, made by `make` when not cached or out of date. */
  cards(key: string, lang: Lang, make: () => AdviceCard[], nowMs = Date.now()): AdviceCard[] {
    let e = this.entries.get(key);
    if (e !== undefined && nowMs >= e.validUntil) { this.entries.delete(key); e = undefined; }
    const hit = e?.cards[lang];
    if (hit !== undefined) { this.stats.hits++; return hit; }
    this.stats.misses++;
    const cards = make();
    if (e === undefined) {
      e = { cards: {}, validUntil: Infinity, rows: {} };
      this.entries.set(key, e);
    }
    e.cards[lang] = cards;
    for (const card of cards) if (card.snoozed_until !== null && card.snoozed_until < e.validUntil) e.validUntil = card.snoozed_until;
    return cards;
  }

  /** The device's list row in `lang`, made by `make` when not cached or made from an older record or last_seen. */
  row(key: string, lang: Lang, dev: { last_seen: number }, make: () => Row, nowMs = Date.now()): Row {
    let e = this.entries.get(key);
    if (e !== undefined && nowMs >= e.validUntil) { this.entries.delete(key); e = undefined; }
    const hit = e?.rows[lang];
    if (hit !== undefined && hit.of === dev && hit.lastSeen === dev.last_seen) return hit;
    const r = make();
    // make() made the cards (and so the entry) first; a snoozed card that woke meanwhile dropped it.
    e = this.entries.get(key);
    if (e !== undefined) e.rows[lang] = r;
    return r;
  }

  /** An alert's JSON in the alert list, made by `make` when not cached. */
  alertRow(a: StoredAlert, lang: Lang, make: () => string): string {
    const m = this.alertRows[lang];
    let j = m.get(a);
    if (j === undefined) { j = make(); m.set(a, j); }
    return j;
  }

  private rebuild(): void {
    this.stats.rebuilds++;
    const index = new Map<string, Map<string, StoredAlert>>();
    for (const a of Object.values(this.store.data.alerts)) {
      if (a.device === null) continue;
      const key = this.store.keyOf(a.device);
      let m = index.get(key);
      if (m === undefined) { m = new Map(); index.set(key, m); }
      m.set(a.id, a);
    }
    this.index = index;
  }
}
