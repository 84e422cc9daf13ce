// Makes the caches (every device's advice cards and list row, every alert's row, in both languages) right
// after the daemon starts and after a change that dropped them all, in slices of a few milliseconds with a
// turn of the event loop between them. Without it the first dashboards to open paid for all of it at once:
// 50 requests in the first burst after a start waited 0.3-1.7 s behind ~150 ms of cold cards (issue #14).
import { LANGS } from '../../rules/advice/book.js';
import type { Store } from './store/store.js';
import type { Views } from './views.js';

export interface WarmerOptions {
  /** Longest synchronous slice (ms). */
  sliceMs?: number;
  /** After a full reset, wait at least this long since the last warm-up began (a spoofed-MAC flood resets on every eviction). */
  minGapMs?: number;
  /**
   * Whether anyone would read the caches (the daemon: a dashboard is open). A reset while nobody looks is
   * not warmed again: rows for a flood's thousand devices would only take memory. The first run always goes.
   */
  wanted?: () => boolean;
  now?: () => number;
}

export class CacheWarmer {
  readonly stats = { runs: 0, slices: 0, longest_slice_ms: 0, last_run_ms: 0 };
  private running = false;
  private again = false;
  private startedAt = -Infinity;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private waiting: (() => void)[] = [];
  private readonly sliceMs: number;
  private readonly minGapMs: number;
  private readonly now: () => number;
  private readonly wanted: () => boolean;

  constructor(private readonly store: Store, private readonly views: Views, opts: WarmerOptions = {}) {
    this.sliceMs = opts.sliceMs ?? 4;
    this.minGapMs = opts.minGapMs ?? 10_000;
    this.now = opts.now ?? (() => performance.now());
    this.wanted = opts.wanted ?? (() => true);
    views.cache.onReset = () => { if (this.wanted()) this.request(); };
  }

  /** Warms now (or after the current run, or after minGapMs since the last one began). */
  request(): void {
    if (this.stopped) return;
    if (this.running) { this.again = true; return; }
    if (this.timer) return;
    const wait = Math.max(0, this.startedAt + this.minGapMs - this.now());
    this.timer = setTimeout(() => { this.timer = null; this.run(); }, wait);
    this.timer.unref();
  }

  /** Resolves when no warm-up is running or due (at once when none is). */
  idle(): Promise<void> {
    if (this.stopped || (!this.running && !this.timer)) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.settle();
  }

  private settle(): void {
    const w = this.waiting;
    this.waiting = [];
    for (const resolve of w) resolve();
  }

  private run(): void {
    if (this.stopped) return;
    this.running = true;
    this.again = false;
    this.startedAt = this.now();
    this.stats.runs++;
    const steps = this.steps();
    const slice = () => {
      if (this.stopped) { this.running = false; this.settle(); return; }
      const t0 = this.now();
      let done = false;
      // One device or a hundred alerts per step; the clock is read between steps.
      while (!(done = steps.next().done === true) && this.now() - t0 < this.sliceMs);
      const took = this.now() - t0;
      this.stats.slices++;
      if (took > this.stats.longest_slice_ms) this.stats.longest_slice_ms = took;
      if (!done) { setImmediate(slice); return; }
      this.running = false;
      this.stats.last_run_ms = this.now() - this.startedAt;
      if (this.again) this.request();
      else this.settle();
    };
    setImmediate(slice);
  }

  /** The work, one small step per yield. Reads the store afresh each step: it changes between slices. */
  private *steps(): Generator<void> {
    const macs = Object.keys(this.store.data.devices);
    for (const mac of macs) {
      const d = this.store.data.devices[mac];
      if (d === undefined) continue;
      for (const lang of LANGS) this.views.row(d, lang);
      yield;
    }
    // The first 500: what GET /api/alerts shows unless asked for more.
    const alerts = this.views.alertsByTime();
    for (let i = 0; i < Math.min(alerts.length, 500); i += 100) {
      for (const lang of LANGS) this.views.alertRows(alerts.slice(i, i + 100), lang);
      yield;
    }
    // The bodies last (each a join of the rows above, ~1 ms).
    for (const lang of LANGS) { this.views.devicesBody(lang); yield; }
    for (const lang of LANGS) { this.views.alertsBody(lang, null, 500); yield; }
    this.views.counts();
  }
}
