// The daemon's memory: devices, alerts, advice state, names and settings in one JSON file (lowdb), written coalesced and atomically.
//
// Writes are coalesced because routers keep their data on flash: the household's changes within `saveDelayMs`, what
// the capture found within `newsSaveMs`, counters within `lazySaveMs`; a save whose content did not change is not written (atomic-file.ts).
// Every table is bounded: retention by age (capture clock), a count cap per table and a byte cap
// for the whole file, each with a counter.
import path from 'node:path';
import { Low } from 'lowdb';
import type { Category, Device } from '../../../sensor/inventory/types.js';
import type { Alert } from '../../../rules/engine/types.js';
import type { TrafficEvent } from '../../../sensor/events.js';
import { AtomicJsonFile, type JsonMeasure } from './atomic-file.js';
import { History } from './history.js';
import type { DeviceHistory } from './history.js';
import { writeFileDurably } from './durable-write.js';
import type { SaveProblem } from './save-health.js';
import { checkRecords } from './store-schema.js';

/** One minute of a device's traffic: [minute start (µs), bytes out, bytes in, packets out, packets in]. */
export type TrafficPoint = [number, number, number, number, number];

export interface StoredDevice extends Device {
  traffic: TrafficPoint[];
  /** Every MAC this device was seen as (a phone's private addresses), its key first; absent = only its key. */
  seen_as?: string[];
  /** DHCP option 61 client id (hex) it last sent, when not just its MAC: how a re-keyed device is found again. */
  client_id?: string;
}

/** What the household said a device is ("What is this?"): it outranks inference. */
export interface Answer {
  category: Category | null;
  vendor: string | null;
  name: string | null;
  /** Wall-clock ms when they said it. */
  at: number;
  /** What the device was known by when they said it: a device re-keyed to a new MAC is found by these. */
  anchors: { client_id: string | null; hostname: string | null };
  /** The MAC the answer was given for, when it followed the device to a new one. */
  moved_from?: string;
}

export interface StoredAlert extends Alert {
  /** Wall-clock ms when the daemon first stored it. */
  stored_at: number;
}

export interface AdviceState {
  state: 'done' | 'snoozed';
  /** Wall-clock ms when the user set it. */
  at: number;
  /** Snoozed until (wall-clock ms). */
  until?: number;
  /** The capture clock (µs) when it was set: alerts seen after it reopen a "done" card. */
  capture_at?: number;
}

export interface Settings {
  /** "scrypt$N$r$p$salt$hash" (see auth/password.ts); null until first start sets one. */
  password_hash: string | null;
}

export interface StoreData {
  version: 1;
  devices: Record<string, StoredDevice>;
  alerts: Record<string, StoredAlert>;
  /** Key: "<advice id>@<mac>". */
  advice: Record<string, AdviceState>;
  /** The household's own names for devices, by MAC. */
  names: Record<string, string>;
  /** The household's answers to "What is this?", by device key (added to version 1; absent in older files). */
  answers: Record<string, Answer>;
  /** Other MACs of one device (rotated private addresses) -> the device's key. */
  aliases: Record<string, string>;
  settings: Settings;
  /**
   * The rule engine's per-device baseline (rules/engine/baseline.ts serialize()): versioned and bounded
   * by its own state_max_bytes; optional, so files written before it still load. The engine validates
   * it on restore and refuses a corrupt or foreign one (fresh baseline, a log line).
   */
  baseline?: unknown;
  /** Per-device history (history.ts: online periods, timeline, destinations, 24 h traffic); optional, checked on load. */
  history?: Record<string, DeviceHistory>;
  /** Quarantine, pauses and approvals (ui/server/act/state.ts, validated there on restore); optional like baseline. */
  act?: unknown;
}

export interface StoreOptions {
  dataDir: string;
  log?: (msg: string) => void;
  saveDelayMs?: number;
  /**
   * Changes that only move counters (traffic per minute, last seen, an alert's repeat count, the learnt baseline) wait
   * this long before they are written (flash wear); what the household changes is written within saveDelayMs.
   * Shutdown writes everything.
   */
  lazySaveMs?: number;
  /** What the capture found (a new device or alert, an identity change) is written within this (default saveDelayMs; the daemon's is 60 s). */
  newsSaveMs?: number;
  /** Prune alerts whose last_seen is older than this many days (capture clock). */
  alertRetentionDays?: number;
  /** Prune devices unseen for this many days (capture clock); named devices are kept. */
  deviceRetentionDays?: number;
  maxDevices?: number;
  maxAlerts?: number;
  /** Cap on the household's answers: a full table refuses new ones (409), it never drops one. */
  maxAnswers?: number;
  /** Cap on the serialised file; over it, traffic history and then the oldest alerts go first. */
  maxBytes?: number;
  trafficPoints?: number;
  fsync?: boolean;
  /** Called for each device that retention or the cap removed (exports forget it too). */
  onForget?: (mac: string) => void;
}

export const STORE_FILE = 'waakhond.json';
const MINUTE_US = 60_000_000;
const DAY_US = 86_400_000_000;

export function emptyStore(): StoreData {
  return { version: 1, devices: {}, alerts: {}, advice: {}, names: {}, answers: {}, aliases: {}, settings: { password_hash: null } };
}

/** Shape check of a loaded file: anything else is treated as corrupt and moved aside. */
export function validateStore(data: unknown): string | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'not a JSON object';
  const d = data as Record<string, unknown>;
  if (d.version !== 1) return `of unknown version ${JSON.stringify(d.version)}`;
  for (const k of ['devices', 'alerts', 'advice', 'names', 'settings']) {
    const v = d[k];
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return `missing its "${k}" table`;
  }
  // Tables added later may be absent (older files), but when present they must be tables.
  for (const k of ['answers', 'aliases']) {
    const v = d[k];
    if (v !== undefined && (typeof v !== 'object' || v === null || Array.isArray(v))) return `with a "${k}" that is not a table`;
  }
  return null;
}

/**
 * What changed, for caches of per-device results (status-cache.ts): one device's own record, name,
 * answer or advice state; one alert (with the device it was under before); or anything (aliases,
 * deletions by caps and retention, a reload).
 */
export type StoreChange =
  | { kind: 'device'; key: string }
  | { kind: 'alert'; alert: StoredAlert; prevKey: string | null }
  /** Alerts dropped by the alert cap (a full table drops one per new alert: not worth a full rebuild). */
  | { kind: 'alerts-removed'; alerts: StoredAlert[] }
  | { kind: 'all' };

export class Store {
  readonly db: Low<StoreData>;
  readonly file: string;
  readonly adapter: AtomicJsonFile<StoreData>;
  readonly stats = { writes: 0, write_errors: 0, pruned_alerts: 0, pruned_devices: 0, evicted_devices: 0, evicted_alerts: 0, trimmed_for_size: 0, bytes: 0, answers_refused: 0, folded_devices: 0, rejected_records: 0 };
  /** Where records that failed the check on load were set aside (null: none were). */
  rejectedFile: string | null = null;
  private readonly opts: Required<Omit<StoreOptions, 'log' | 'onForget'>> & { log: (m: string) => void; onForget?: (mac: string) => void };
  private timer: NodeJS.Timeout | null = null;
  /** When the pending timer fires (ms): an urgent change pulls a lazy save forward. */
  private timerDue = 0;
  private dirty = false;
  /**
   * A timed save in flight (its writing and fsyncs off the event loop), whether changes made meanwhile
   * want another when it ends, and the number of the newest save: a timed save that is no longer the
   * newest when it comes to its rename (a synchronous flush() ran meanwhile) leaves the file to that one.
   */
  private saving = false;
  private saveAgain = false;
  private saveGen = 0;
  private readonly listeners: ((c: StoreChange) => void)[] = [];
  /** Latest capture time seen (µs): the clock retention runs on, so old captures are not pruned at once. */
  clock = 0;
  /** The device pages' history; its table lives in data.history and is saved with the rest. */
  readonly history = new History({ deviceOf: (mac) => { const k = this.keyOf(mac); return this.data.devices[k] ? k : null; } });

  constructor(opts: StoreOptions) {
    this.opts = {
      saveDelayMs: 5000, newsSaveMs: opts.saveDelayMs ?? 5000, lazySaveMs: 300_000, alertRetentionDays: 30, deviceRetentionDays: 90, maxDevices: 1000, maxAlerts: 2000, maxAnswers: 1000,
      maxBytes: 4 * 1024 * 1024, trafficPoints: 120, fsync: true, log: () => {}, ...opts,
    } as Store['opts'];
    this.file = path.join(opts.dataDir, STORE_FILE);
    this.adapter = new AtomicJsonFile<StoreData>(this.file, { validate: validateStore, log: this.opts.log, fsync: this.opts.fsync });
    this.db = new Low<StoreData>(this.adapter, emptyStore());
    this.db.data.history = this.history.data;
  }

  /** Reads the file (a corrupt one is moved aside and we start clean). Never throws for bad content. */
  load(): void {
    const data = this.adapter.readSync();
    if (data) this.setAsideBadRecords(data);
    this.db.data = data ?? emptyStore();
    this.db.data.answers ??= {};
    this.db.data.aliases ??= {};
    this.db.data.history = this.history.restore(this.db.data.history);
    for (const d of Object.values(this.db.data.devices)) {
      if (!Array.isArray(d.traffic)) d.traffic = [];
      if (d.last_seen > this.clock) this.clock = d.last_seen;
    }
    this.alertCount = -1;
    this.deviceCount = -1;
    this.emit({ kind: 'all' });
  }

  /** Calls `fn` after every change to devices, alerts, names, answers or advice state (not traffic). */
  onChange(fn: (c: StoreChange) => void): void {
    this.listeners.push(fn);
  }

  private emit(c: StoreChange): void {
    for (const fn of this.listeners) fn(c);
  }

  get data(): StoreData {
    return this.db.data;
  }

  /** Why the last save failed and since when, while saving fails (disk full, I/O error); null when it works. */
  get saveProblem(): SaveProblem | null {
    return this.adapter.health.problem;
  }

  /**
   * Every device, alert and table entry is checked (store-schema.ts); one that does not fit goes to
   * waakhond.json.rejected-<time>.json beside the store, with its reason, and the rest loads.
   */
  private setAsideBadRecords(data: StoreData): void {
    const rejected = checkRecords(data as unknown as Record<string, unknown>);
    if (!rejected.length) return;
    this.stats.rejected_records += rejected.length;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const file = `${this.file}.rejected-${stamp}.json`;
    try {
      writeFileDurably(file, JSON.stringify({ from: this.file, at: new Date().toISOString(), records: rejected }, null, 1), { fsync: this.opts.fsync });
      this.rejectedFile = file;
    } catch (err) {
      // The store is not rewritten without them then: the records stay in the file for a later start.
      this.adapter.refuseWrites = true;
      this.opts.log(`store: cannot keep ${rejected.length} rejected record(s) in ${file} (${(err as Error).message}); not saving over them this run`);
    }
    for (const r of rejected.slice(0, 10)) this.opts.log(`store: ${r.table}/${r.key} set aside: ${r.reason}`);
    if (rejected.length > 10) this.opts.log(`store: ... and ${rejected.length - 10} more record(s) set aside`);
    this.opts.log(`store: ${rejected.length} stored record(s) did not fit and were moved to ${file}; the rest loaded`);
    // Saved without them soon, so the next start does not set them aside a second time.
    this.dirty = true;
    this.schedule();
  }

  /** The key of the device a MAC belongs to (itself unless it is another MAC of a stored device). */
  keyOf(mac: string): string {
    const k = this.data.aliases[mac];
    return k && this.data.devices[k] ? k : mac;
  }

  upsertDevice(d: Device & { seen_as?: string[] }): StoredDevice {
    const prev = this.data.devices[d.mac];
    const stored: StoredDevice = { ...d, traffic: prev?.traffic ?? [] };
    this.history.identity(d.mac, prev ? d.last_seen : d.first_seen, prev ? { vendor: prev.vendor, model: prev.model, category: prev.category } : null, { vendor: d.vendor, model: d.model, category: d.category });
    if (prev?.client_id) stored.client_id = prev.client_id;
    // A MAC seen before stays in the list after a restart (the inventory only knows what it saw since).
    if (prev?.seen_as || d.seen_as) stored.seen_as = mergeMacs(d.mac, d.seen_as ?? [], prev?.seen_as ?? []);
    if (stored.seen_as && stored.seen_as.length <= 1) delete stored.seen_as;
    let newAlias = false;
    for (const m of stored.seen_as ?? []) {
      if (m !== d.mac && this.data.aliases[m] !== d.mac) { this.data.aliases[m] = d.mac; newAlias = true; }
    }
    this.data.devices[d.mac] = stored;
    this.tick(d.last_seen);
    if (!prev && this.ages !== null && this.deviceCount >= 0) heapPush(this.ages, [stored.last_seen, d.mac]);
    if (!prev) this.capDevices();
    this.changed('news');
    // A new alias moves alerts to this key: everything is recomputed. A device new under its own MAC keeps
    // the alerts stored under that MAC where they were (caches index them by it already).
    this.emit(newAlias || (!prev && this.data.aliases[d.mac] !== undefined) ? { kind: 'all' } : { kind: 'device', key: d.mac });
    return stored;
  }

  removeDevice(mac: string): void {
    if (this.data.devices[mac]) {
      delete this.data.devices[mac];
      this.history.forget(mac);
      this.deviceCount = -1;
      this.dropAliasesOf(mac);
      this.changed('news');
      this.emit({ kind: 'all' });
    }
  }

  /**
   * Another MAC of the device `key` had its own record (it was stored before the inventory linked it):
   * its traffic, name, answer and advice state move to the key, it becomes an alias, its record goes.
   * Nothing the household said is lost: the key's own name/answer wins, the other's is kept if it had none.
   */
  fold(other: string, key: string): boolean {
    const o = this.data.devices[other];
    const k = this.data.devices[key];
    if (other === key || !k) return false;
    this.data.aliases[other] = key;
    for (const [m, to] of Object.entries(this.data.aliases)) if (to === other) this.data.aliases[m] = key;
    if (!o) { this.changed('news'); this.emit({ kind: 'all' }); return false; }
    const minutes = new Map<number, TrafficPoint>();
    for (const p of [...k.traffic, ...o.traffic]) {
      const m = minutes.get(p[0]);
      if (m) { m[1] += p[1]; m[2] += p[2]; m[3] += p[3]; m[4] += p[4]; } else minutes.set(p[0], [...p]);
    }
    k.traffic = [...minutes.values()].sort((a, b) => a[0] - b[0]).slice(-this.opts.trafficPoints);
    k.seen_as = mergeMacs(key, k.seen_as ?? [], [other, ...(o.seen_as ?? [])]);
    if (this.data.names[other] && !this.data.names[key]) this.data.names[key] = this.data.names[other];
    delete this.data.names[other];
    if (this.data.answers[other] && !this.data.answers[key]) this.data.answers[key] = this.data.answers[other];
    delete this.data.answers[other];
    for (const [ak, st] of Object.entries(this.data.advice)) {
      if (!ak.endsWith(`@${other}`)) continue;
      const moved = `${ak.slice(0, ak.length - other.length)}${key}`;
      this.data.advice[moved] ??= st;
      delete this.data.advice[ak];
    }
    for (const a of Object.values(this.data.alerts)) if (a.device === other) a.device = key;
    this.history.fold(other, key);
    delete this.data.devices[other];
    this.deviceCount = -1;
    this.stats.folded_devices++;
    this.changed('news');
    this.emit({ kind: 'all' });
    return true;
  }

  /** The DHCP client id a device sent (hex), kept when it is not just its MAC (RFC 2132 9.14 type 1). */
  noteClientId(mac: string, clientId: string | null): void {
    const key = this.keyOf(mac);
    const d = this.data.devices[key];
    if (!d || !clientId) return;
    const cid = clientId.toLowerCase().slice(0, 128);
    if (cid === `01${mac.replace(/:/g, '')}` || d.client_id === cid) return;
    d.client_id = cid;
    this.changed('news');
  }

  /** Sets (or with null clears) the household's answer. False when the table is full (nothing is dropped for it). */
  setAnswer(key: string, answer: Answer | null): boolean {
    if (answer === null) {
      if (this.data.answers[key]) { delete this.data.answers[key]; this.changed(); this.emit({ kind: 'device', key }); }
      return true;
    }
    if (!this.data.answers[key] && Object.keys(this.data.answers).length >= this.opts.maxAnswers) {
      this.stats.answers_refused++;
      return false;
    }
    this.data.answers[key] = answer;
    this.changed();
    this.emit({ kind: 'device', key });
    return true;
  }

  /** An answer follows its device to a new key (a device re-keyed to a new MAC). */
  moveAnswer(from: string, to: string): void {
    const a = this.data.answers[from];
    if (!a || from === to || this.data.answers[to]) return;
    this.data.answers[to] = { ...a, moved_from: from };
    delete this.data.answers[from];
    this.changed();
    this.emit({ kind: 'device', key: from });
    this.emit({ kind: 'device', key: to });
  }

  private dropAliasesOf(key: string): void {
    for (const [m, k] of Object.entries(this.data.aliases)) if (k === key || m === key) delete this.data.aliases[m];
  }

  /** Adds one traffic interval into the device's per-minute series. */
  recordTraffic(e: TrafficEvent): void {
    if (!e.mac) return;
    const d = this.data.devices[this.keyOf(e.mac)];
    if (!d) return;
    // The inventory reports identity changes, not every packet: traffic keeps "last seen" current.
    if (e.ts > d.last_seen) d.last_seen = e.ts;
    this.history.traffic(d.mac, e.ts, e.out_bytes, e.in_bytes);
    const minute = Math.floor(e.ts / MINUTE_US) * MINUTE_US;
    const last = d.traffic[d.traffic.length - 1];
    if (last && last[0] === minute) {
      last[1] += e.out_bytes; last[2] += e.in_bytes; last[3] += e.out_pkts; last[4] += e.in_pkts;
    } else if (!last || minute > last[0]) {
      d.traffic.push([minute, e.out_bytes, e.in_bytes, e.out_pkts, e.in_pkts]);
      if (d.traffic.length > this.opts.trafficPoints) d.traffic.splice(0, d.traffic.length - this.opts.trafficPoints);
    }
    this.tick(e.ts);
    this.changed('lazy');
  }

  upsertAlert(a: Alert): StoredAlert {
    const prev = this.data.alerts[a.id];
    // Alerts point at the device's key, whichever of its private MACs raised them.
    const stored: StoredAlert = { ...a, device: a.device ? this.keyOf(a.device) : null, stored_at: prev?.stored_at ?? Date.now() };
    this.data.alerts[a.id] = stored;
    if (!prev && stored.device && this.data.devices[stored.device]) this.history.alert(stored.device, a.first_seen, a.id, a.severity, a.title);
    this.tick(a.last_seen);
    this.emit({ kind: 'alert', alert: stored, prevKey: prev?.device ?? null });
    if (!prev) this.capAlerts();
    // A new alert is news; a repeat only moves its count and last_seen.
    this.changed(prev ? 'lazy' : 'news');
    return stored;
  }

  setName(mac: string, name: string | null): void {
    if (name === null || name === '') delete this.data.names[mac];
    else this.data.names[mac] = name;
    this.changed();
    this.emit({ kind: 'device', key: mac });
  }

  setAdvice(key: string, state: AdviceState | null): void {
    if (state === null) delete this.data.advice[key];
    else this.data.advice[key] = state;
    this.changed();
    // Advice keys are "<advice>@<device key>".
    this.emit({ kind: 'device', key: key.slice(key.indexOf('@') + 1) });
  }

  /** Keep the engine's learnt baseline (written with the next coalesced save). */
  setBaseline(state: unknown): void {
    this.data.baseline = state;
    this.changed('lazy');
  }

  /** The act state (quarantine, pauses): written with the next coalesced save; the caller flushes for durability. */
  setAct(state: unknown): void {
    this.data.act = state;
    this.changed();
  }

  setPasswordHash(hash: string): void {
    this.data.settings.password_hash = hash;
    this.changed();
    this.flush();
  }

  /** Drops alerts and devices past retention (capture clock). Returns how many went. */
  prune(nowUs = this.clock): { alerts: number; devices: number } {
    let alerts = 0;
    let devices = 0;
    const alertCut = nowUs - this.opts.alertRetentionDays * DAY_US;
    for (const [id, a] of Object.entries(this.data.alerts)) {
      if (a.last_seen < alertCut) { delete this.data.alerts[id]; alerts++; }
    }
    const devCut = nowUs - this.opts.deviceRetentionDays * DAY_US;
    for (const [mac, d] of Object.entries(this.data.devices)) {
      // A device the household named or identified is theirs to forget, not ours.
      if (d.last_seen < devCut && !this.data.names[mac] && !this.data.answers[mac]) { delete this.data.devices[mac]; devices++; this.opts.onForget?.(mac); }
    }
    for (const [m, k] of Object.entries(this.data.aliases)) if (!this.data.devices[k]) delete this.data.aliases[m];
    for (const key of Object.keys(this.data.advice)) {
      const mac = key.slice(key.indexOf('@') + 1);
      if (!this.data.devices[mac]) delete this.data.advice[key];
    }
    this.history.prune(nowUs, (k) => !!this.data.devices[k]);
    this.stats.pruned_alerts += alerts;
    this.stats.pruned_devices += devices;
    if (alerts) this.alertCount = -1;
    if (devices) this.deviceCount = -1;
    if (alerts || devices) { this.changed('news'); this.emit({ kind: 'all' }); }
    return { alerts, devices };
  }

  /** Writes now if anything changed (signal handlers and shutdown call this). */
  flush(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    if (!this.dirty) return;
    this.dirty = false;
    this.saveGen++;
    try {
      this.prune();
      // enforceSize's hash is the unchanged check: an unchanged store is not written (flash wear).
      this.adapter.writeSync(this.data, this.enforceSize().hash);
      this.stats.writes++;
    } catch (err) {
      this.saveFailed(err);
    }
  }

  /**
   * The timed save: flush()'s, with the writing and fsyncs off the event loop (a router's flash can take
   * hundreds of milliseconds to fsync; the dashboard and the capture must not wait: issue #14). The
   * document is measured here, synchronously (size cap, unchanged check), then serialised chunk by chunk
   * as the chunks are written (issue #15: never the whole document as one string); changes made between
   * chunks mark the store dirty again, so the next save writes them.
   */
  private flushTimed(): void {
    if (this.saving) { this.saveAgain = true; return; }
    if (!this.dirty) return;
    this.dirty = false;
    const gen = ++this.saveGen;
    let hash: string;
    try {
      this.prune();
      hash = this.enforceSize().hash;
    } catch (err) {
      this.saveFailed(err);
      return;
    }
    this.saving = true;
    this.adapter.writeAsync(this.data, hash, () => this.saveGen === gen).then(
      () => { this.stats.writes++; },
      (err: unknown) => this.saveFailed(err),
    ).finally(() => {
      this.saving = false;
      if (this.saveAgain) {
        this.saveAgain = false;
        // After a failure the back-off timer (saveFailed) decides when to try again, not new changes.
        if (!this.adapter.health.problem) this.flushTimed();
      }
    });
  }

  private saveFailed(err: unknown): void {
    // A failed write: the adapter kept the old file, logged the start of the episode and shows it in saveProblem.
    // Anything else (a bug in pruning) is logged here.
    if (!this.adapter.health.problem) this.opts.log(`store: save failed: ${(err as Error).message} (will retry)`);
    this.stats.write_errors++;
    this.dirty = true;
    this.schedule(this.adapter.health.retryDelay(this.opts.saveDelayMs));
  }

  close(): void {
    this.flush();
  }

  private tick(ts: number): void {
    if (ts > this.clock) this.clock = ts;
  }

  /**
   * now: the household's own changes (names, answers, advice, password), written within saveDelayMs;
   * news: what the capture found (a device, a new alert, a folded MAC), within newsSaveMs;
   * lazy: counters (traffic, last seen, alert repeats, baseline), within lazySaveMs.
   */
  private changed(tier: 'now' | 'news' | 'lazy' = 'now'): void {
    this.dirty = true;
    this.schedule(tier === 'now' ? this.opts.saveDelayMs : tier === 'news' ? Math.max(this.opts.saveDelayMs, this.opts.newsSaveMs) : Math.max(this.opts.saveDelayMs, this.opts.lazySaveMs));
  }

  /**
   * Coalescing, not debouncing: a steady stream of changes still gets written every saveDelayMs (lazySaveMs when
   * they are only counters). While saving fails the back-off decides, not new changes.
   */
  private schedule(delayMs = this.opts.saveDelayMs): void {
    const due = Date.now() + delayMs;
    if (this.timer) {
      if (due >= this.timerDue || this.adapter.health.problem) return;
      clearTimeout(this.timer);
    }
    this.timerDue = due;
    this.timer = setTimeout(() => { this.timer = null; this.flushTimed(); }, delayMs);
    this.timer.unref();
  }

  /** Devices stored, counted (Object.values() of a thousand MAC keys per new device was 46% of CPU in a spoofed flood). */
  private deviceCount = -1;
  /**
   * [last_seen when pushed, mac], a min-heap: the eviction candidates. last_seen only grows, so an
   * entry found stale on top is pushed again with the device's current time (lazy update); entries of
   * devices deleted elsewhere are dropped when they surface, and the heap is rebuilt past 2x the devices.
   */
  private ages: [number, string][] | null = null;

  private buildAges(): [number, string][] {
    const h: [number, string][] = [];
    for (const d of Object.values(this.data.devices)) heapPush(h, [d.last_seen, d.mac]);
    return h;
  }

  private capDevices(): void {
    if (this.deviceCount < 0 || this.ages === null || this.ages.length > 2 * (this.deviceCount + 1) + 64) {
      this.deviceCount = Object.keys(this.data.devices).length;
      this.ages = this.buildAges();
    } else {
      this.deviceCount++;
    }
    if (this.deviceCount <= this.opts.maxDevices) return;
    const victims: StoredDevice[] = [];
    while (this.deviceCount - victims.length > this.opts.maxDevices && this.ages.length > 0) {
      const [ts, mac] = heapPop(this.ages)!;
      const d = this.data.devices[mac];
      if (d === undefined || victims.includes(d)) continue;
      if (d.last_seen > ts) { heapPush(this.ages, [d.last_seen, mac]); continue; }
      victims.push(d);
    }
    this.deviceCount -= victims.length;
    for (const d of victims) {
      delete this.data.devices[d.mac];
      // Its history goes too: a spoofed-MAC flood evicts a device per packet, and the hourly prune
      // is too late (200k such devices held ~150 MB of histories).
      this.history.forget(d.mac);
      this.dropAliasesOf(d.mac);
      this.stats.evicted_devices++;
      this.opts.onForget?.(d.mac);
    }
    this.emit({ kind: 'all' });
  }

  /** Counted, not Object.keys()'d on every new alert (that and a full sort were 12.5% of CPU with the demo looping). */
  private alertCount = -1;

  private capAlerts(): void {
    if (this.alertCount < 0) this.alertCount = Object.keys(this.data.alerts).length;
    else this.alertCount++;
    if (this.alertCount <= this.opts.maxAlerts) return;
    const all = Object.values(this.data.alerts);
    const excess = all.length - this.opts.maxAlerts;
    // Usually one over the cap: find the oldest in one pass instead of sorting them all.
    const victims = excess <= 4 ? oldest(all, excess) : all.sort((a, b) => a.last_seen - b.last_seen).slice(0, excess);
    for (const a of victims) {
      delete this.data.alerts[a.id];
      this.stats.evicted_alerts++;
    }
    this.alertCount = all.length - victims.length;
    this.emit({ kind: 'alerts-removed', alerts: victims });
  }

  /**
   * Trims the store to maxBytes (UTF-8 bytes of its JSON, measured piece by piece: the document is never one string);
   * returns the size and hash of its JSON as it is then. After 8 rounds it is written whatever its size.
   */
  private enforceSize(): JsonMeasure {
    let m = this.adapter.measure(this.data, this.opts.maxBytes);
    // Halve traffic history and the device pages' history first (the bulk, the least precious), then drop oldest alerts.
    for (let round = 0; m.over; round++) {
      for (const d of Object.values(this.data.devices)) d.traffic.splice(0, Math.ceil(d.traffic.length / 2));
      this.history.halve();
      const alerts = Object.values(this.data.alerts).sort((a, b) => a.last_seen - b.last_seen);
      if (round > 0) {
        for (const a of alerts.slice(0, Math.ceil(alerts.length / 4))) delete this.data.alerts[a.id];
        this.alertCount = -1;
        this.emit({ kind: 'all' });
      }
      this.stats.trimmed_for_size++;
      m = this.adapter.measure(this.data, round < 7 ? this.opts.maxBytes : Infinity);
    }
    this.stats.bytes = m.bytes;
    return m;
  }
}

function heapPush(h: [number, string][], e: [number, string]): void {
  h.push(e);
  let i = h.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (h[p][0] <= h[i][0]) break;
    [h[p], h[i]] = [h[i], h[p]];
    i = p;
  }
}

function heapPop(h: [number, string][]): [number, string] | undefined {
  const top = h[0];
  const last = h.pop();
  if (h.length > 0 && last !== undefined) {
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && h[l][0] < h[m][0]) m = l;
      if (r < h.length && h[r][0] < h[m][0]) m = r;
      if (m === i) break;
      [h[m], h[i]] = [h[i], h[m]];
      i = m;
    }
  }
  return top;
}

/** The n (small) records with the lowest last_seen, in one pass each. */
function oldest<T extends { last_seen: number }>(all: T[], n: number): T[] {
  const out: T[] = [];
  const taken = new Set<T>();
  for (let k = 0; k < n; k++) {
    let min: T | null = null;
    for (const a of all) if (!taken.has(a) && (min === null || a.last_seen < min.last_seen)) min = a;
    if (min === null) break;
    taken.add(min);
    out.push(min);
  }
  return out;
}

/** The key first, then the other MACs once each, at most 16 (the inventory links at most 16 per device). */
function mergeMacs(key: string, a: string[], b: string[]): string[] {
  return [...new Set([key, ...a, ...b])].slice(0, 16);
}
