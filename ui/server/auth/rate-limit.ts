// Login attempt limiting: a token bucket per client address and one for everyone, bounded in size.

export interface RateLimitOptions {
  /** Attempts allowed in a burst per address. */
  burst?: number;
  /** One attempt refilled every refillMs per address. */
  refillMs?: number;
  /** All addresses together (a botnet on the LAN has many addresses). */
  globalBurst?: number;
  globalRefillMs?: number;
  maxKeys?: number;
  now?: () => number;
}

interface Bucket { tokens: number; at: number }

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly global: Bucket;
  private readonly o: Required<Omit<RateLimitOptions, 'now'>>;
  private readonly now: () => number;
  refused = 0;

  constructor(opts: RateLimitOptions = {}) {
    this.o = { burst: 5, refillMs: 12_000, globalBurst: 30, globalRefillMs: 2_000, maxKeys: 1024, ...opts } as RateLimiter['o'];
    this.now = opts.now ?? Date.now;
    this.global = { tokens: this.o.globalBurst, at: this.now() };
  }

  /** Takes one attempt for `key`; returns 0 when allowed, else the seconds to wait. */
  take(key: string): number {
    const t = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.o.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
      b = { tokens: this.o.burst, at: t };
      this.buckets.set(key, b);
    }
    refill(b, t, this.o.burst, this.o.refillMs);
    refill(this.global, t, this.o.globalBurst, this.o.globalRefillMs);
    if (b.tokens < 1) { this.refused++; return Math.ceil(this.o.refillMs / 1000); }
    if (this.global.tokens < 1) { this.refused++; return Math.ceil(this.o.globalRefillMs / 1000); }
    b.tokens -= 1;
    this.global.tokens -= 1;
    return 0;
  }

  /** A successful login gives the address its burst back. */
  reset(key: string): void {
    this.buckets.delete(key);
  }
}

function refill(b: Bucket, t: number, max: number, every: number): void {
  const add = Math.floor((t - b.at) / every);
  if (add > 0) {
    b.tokens = Math.min(max, b.tokens + add);
    b.at += add * every;
  }
  if (b.tokens >= max) b.at = t;
}
