// Login sessions: random ids in an HttpOnly SameSite=Strict cookie, each with its own CSRF token; in memory and bounded.
import { randomBytes, timingSafeEqual } from 'node:crypto';

export interface Session {
  id: string;
  csrf: string;
  created: number;
  lastUsed: number;
}

export interface SessionOptions {
  /** Idle timeout (ms). */
  idleMs?: number;
  /** Absolute lifetime (ms). */
  maxAgeMs?: number;
  maxSessions?: number;
  now?: () => number;
}

export class Sessions {
  private readonly map = new Map<string, Session>();
  readonly idleMs: number;
  readonly maxAgeMs: number;
  private readonly maxSessions: number;
  private readonly now: () => number;
  evicted = 0;

  constructor(opts: SessionOptions = {}) {
    this.idleMs = opts.idleMs ?? 7 * 24 * 3600_000;
    this.maxAgeMs = opts.maxAgeMs ?? 30 * 24 * 3600_000;
    this.maxSessions = opts.maxSessions ?? 64;
    this.now = opts.now ?? Date.now;
  }

  create(): Session {
    const t = this.now();
    const s: Session = { id: randomBytes(32).toString('base64url'), csrf: randomBytes(32).toString('base64url'), created: t, lastUsed: t };
    // Oldest first out: Map keeps insertion order.
    while (this.map.size >= this.maxSessions) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
      this.evicted++;
    }
    this.map.set(s.id, s);
    return s;
  }

  get(id: string | undefined): Session | null {
    if (!id) return null;
    const s = this.map.get(id);
    if (!s) return null;
    const t = this.now();
    if (t - s.lastUsed > this.idleMs || t - s.created > this.maxAgeMs) {
      this.map.delete(id);
      return null;
    }
    s.lastUsed = t;
    return s;
  }

  destroy(id: string | undefined): void {
    if (id) this.map.delete(id);
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}

export function sameToken(a: string | undefined | null, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
