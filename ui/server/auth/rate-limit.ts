// Login attempt limiting: wrong passwords cost a token from their client's bucket and from a small
// global one; the global one never refuses a client that has not failed, so nobody on the LAN can lock
// the owner out by failing from many addresses (issue #14). Bounded in size.

export interface RateLimitOptions {
  /** Wrong passwords allowed in a burst per client. */
  burst?: number;
  /** One wrong password forgiven every refillMs per client. */
  refillMs?: number;
  /**
   * Wrong passwords allowed in a burst from all clients together (a botnet on the LAN has many
   * addresses). Once spent, only clients that have not failed may try: each new address gets one
   * guess, every address that failed waits for its own bucket *and* the global one.
   */
  globalBurst?: number;
  globalRefillMs?: number;
  /** Clients remembered; past this the least recently failed is forgotten. */
  maxKeys?: number;
  /** A client whose bucket is full again and that has not failed for this long is forgotten. */
  forgetMs?: number;
  now?: () => number;
}

interface Bucket { tokens: number; at: number }

/**
 * The client a login attempt is counted against: the IPv4 address, or the /64 of an IPv6 address
 * (a host picks any address in its /64, RFC 4941 / RFC 8981, so a single address would be free).
 */
export function clientKey(addr: string): string {
  const a = addr.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return mapped[1];
  if (!a.includes(':')) return a;
  const zoneless = a.split('%')[0];
  const [head, tail] = zoneless.split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...new Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

export class RateLimiter {
  /** Map order is last-use order: the first entry is the one to forget when full. */
  private readonly clients = new Map<string, Client>();
  private readonly global: Bucket;
  private readonly o: Required<Omit<RateLimitOptions, 'now'>>;
  private readonly now: () => number;
  /** Attempts answered 429. */
  refused = 0;
  /** Attempts let through while the global allowance was spent (clients with no failure). */
  admittedUnderAttack = 0;

  constructor(opts: RateLimitOptions = {}) {
    this.o = { burst: 5, refillMs: 12_000, globalBurst: 30, globalRefillMs: 2_000, maxKeys: 4096, forgetMs: 3600_000, ...opts } as RateLimiter['o'];
    this.now = opts.now ?? Date.now;
    this.global = { tokens: this.o.globalBurst, at: this.now() };
  }

  /**
   * Before checking a password: 0 when `addr` may try (a token of its own is taken now, so parallel
   * attempts cannot all slip through while scrypt runs), else the seconds to wait.
   */
  take(addr: string): number {
    const t = this.now();
    const key = clientKey(addr);
    refill(this.global, t, this.o.globalBurst, this.o.globalRefillMs);
    let c = this.clients.get(key);
    if (c !== undefined) {
      refill(c, t, this.o.burst, this.o.refillMs);
      if (c.tokens >= this.o.burst && (c.failedAt === null || t - c.failedAt >= this.o.forgetMs)) {
        this.clients.delete(key);
        c = undefined;
      }
    }
    if (c === undefined) {
      if (this.clients.size >= this.o.maxKeys) this.clients.delete(this.clients.keys().next().value as string);
      c = { tokens: this.o.burst, at: t, failedAt: null };
    } else {
      this.clients.delete(key); // re-inserted below: most recently used last
    }
    this.clients.set(key, c);
    if (c.tokens < 1) { this.refused++; return waitS(c, t, this.o.refillMs); }
    if (this.global.tokens < 1) {
      // The others spent the global allowance: a client that never failed still gets its try.
      if (c.failedAt !== null) { this.refused++; return waitS(this.global, t, this.o.globalRefillMs); }
      this.admittedUnderAttack++;
    }
    c.tokens -= 1;
    return 0;
  }

  /** The password was wrong: `addr` has failed, and the global allowance pays too. */
  failed(addr: string): void {
    const t = this.now();
    const c = this.clients.get(clientKey(addr));
    if (c !== undefined) c.failedAt = t;
    refill(this.global, t, this.o.globalBurst, this.o.globalRefillMs);
    this.global.tokens = Math.max(0, this.global.tokens - 1);
  }

  /** The right password: the client's record is forgotten (its burst is whole again). */
  reset(addr: string): void {
    this.clients.delete(clientKey(addr));
  }

  /** Clients on record (the table's bound is maxKeys). */
  get size(): number {
    return this.clients.size;
  }
}

interface Client extends Bucket {
  /** Last wrong password (ms), null when this client has not failed. */
  failedAt: number | null;
}

function refill(b: Bucket, t: number, max: number, every: number): void {
  const add = Math.floor((t - b.at) / every);
  if (add > 0) {
    b.tokens = Math.min(max, b.tokens + add);
    b.at += add * every;
  }
  if (b.tokens >= max) b.at = t;
}

/** Seconds until the bucket holds a token again (at least 1). */
function waitS(b: Bucket, t: number, every: number): number {
  return Math.max(1, Math.ceil((b.at + every - t) / 1000));
}
