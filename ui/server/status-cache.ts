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

  private changed(c: StoreChange): void {
    this.lists.clear();
    if (c.kind === 'all') {
      this.index = null;
      this.entries.clear();
      return;
    }
    if (c.kind === 'device') {
      this.entries.delete(c.key);
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
      e = { cards: {}, validUntil: Infinity };
      this.entries.set(key, e);
    }
    e.cards[lang] = cards;
    for (const card of cards) if (card.snoozed_until !== null && card.snoozed_until < e.validUntil) e.validUntil = card.snoozed_until;
    return cards;
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
