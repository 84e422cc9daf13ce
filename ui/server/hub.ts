// Fan-out of change notices to server-sent-event clients, coalesced per second and bounded in subscribers.

export type HubEvent =
  | { type: 'device'; mac: string }
  | { type: 'alert'; id: string; device: string | null; change: string }
  | { type: 'stats' };

export type HubListener = (events: HubEvent[]) => void;

export class Hub {
  private readonly listeners = new Set<HubListener>();
  private pending = new Map<string, HubEvent>();
  private timer: NodeJS.Timeout | null = null;
  refused = 0;

  constructor(private readonly maxSubscribers = 32, private readonly intervalMs = 1000) {}

  /** Returns an unsubscribe function, or null when full. */
  subscribe(fn: HubListener): (() => void) | null {
    if (this.listeners.size >= this.maxSubscribers) { this.refused++; return null; }
    this.listeners.add(fn);
    return () => { this.listeners.delete(fn); };
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  /** Devices tick every second while they talk: a key per thing keeps one notice per interval. */
  emit(e: HubEvent): void {
    if (this.listeners.size === 0) return;
    const key = e.type === 'device' ? `d:${e.mac}` : e.type === 'alert' ? `a:${e.id}` : 's';
    this.pending.set(key, e);
    if (this.pending.size > 1000) this.pending = new Map([['s', { type: 'stats' }]]);
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.intervalMs);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    const batch = [...this.pending.values()];
    this.pending.clear();
    if (batch.length === 0) return;
    for (const fn of this.listeners) {
      try { fn(batch); } catch { /* a broken client must not stop the others */ }
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.listeners.clear();
  }
}
